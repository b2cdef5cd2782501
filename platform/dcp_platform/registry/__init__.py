"""The collection contract and the registry of installed collection plugins.

A collection plugin is a Django app (found through the `dcp.collections` entry point group) whose
`plugin` module exposes `COLLECTION`, a `CollectionPlugin`. The platform only ever talks to collections
through this contract.
"""

from dcp_platform.registry.contract import CollectionPlugin, FormSpec, WindowSpec
from dcp_platform.registry.registry import (
    all_plugins,
    definition_for,
    definitions_for,
    get_plugin,
    load_all,
)

__all__ = [
    "CollectionPlugin",
    "FormSpec",
    "WindowSpec",
    "all_plugins",
    "definition_for",
    "definitions_for",
    "get_plugin",
    "load_all",
]
