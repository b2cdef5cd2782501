"""Shared fragments: questions, pages, answer-option lists, derived values and rules written once and included
by several definitions (`include: <id>`), with overrides. See docs/definition-format.md, "Shared fragments".

The fragments live in a folder named `shared` beside the definitions (`definitions/shared/*.yaml`). Each of its
files may hold `questions`, `pages`, `derived` and `validations` (lists of items with ids) and `options` (answer
option lists by name). Includes are replaced as each definition file is read, before `extends` changes are
applied and before the definition is checked, so the engine only ever sees plain definitions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DefinitionError

SHARED_FOLDER = "shared"
INCLUDE = "include"
# The item kinds a shared file holds, and the key each item is named by when edited in a list.
_LIST_KINDS = ("questions", "pages", "derived", "validations")
_FILE_KEYS = frozenset({*_LIST_KINDS, "options"})
# What an include means by where it stands: items of these lists, or the single item under a change's key.
_KIND_OF_KEY = {
    "questions": "questions", "pages": "pages", "derived": "derived", "validations": "validations",
    "question": "questions", "page": "pages", "add_derived": "derived", "add_validation": "validations",
}
# Keys whose value, when an override gives a mapping instead of a list, edits the included list item by item.
_EDITED_LISTS = {"options": "code", "questions": "id"}


@dataclass
class Fragments:
    """The fragments of one shared folder: items by kind and id, option lists by name, and their files."""

    folder: Path
    items: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in _LIST_KINDS})
    options: dict[str, list[Any]] = field(default_factory=dict)
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> file, for messages


_loaded: dict[Path, tuple[tuple[tuple[str, int], ...], Fragments]] = {}


def shared_folder_for(file: Path) -> Path | None:
    """The shared folder beside a definition: `shared` next to the file (a one-file definition), or next to
    its folder (a file of a folder definition). None when there is none."""
    for candidate in (file.parent / SHARED_FOLDER, file.parent.parent / SHARED_FOLDER):
        if candidate.is_dir() and candidate.resolve() != file.parent.resolve():
            return candidate
    return None


def load_fragments(folder: Path) -> Fragments:
    """Every fragment of a shared folder, read again only when one of its files changes."""
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
    known = _loaded.get(folder)
    if known is not None and known[0] == stamp:
        return known[1]
    fragments = Fragments(folder)
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise DefinitionError(f"cannot read YAML: {error}", file=str(file)) from error
        if not isinstance(data, dict):
            raise DefinitionError("a shared file must hold a mapping of keys", file=str(file))
        unknown = sorted(set(data) - _FILE_KEYS)
        if unknown:
            raise DefinitionError(
                f"a shared file may only hold {', '.join(sorted(_FILE_KEYS))}, not {', '.join(unknown)}", file=str(file))
        for kind in _LIST_KINDS:
            for item in data.get(kind) or []:
                if not isinstance(item, dict) or not item.get("id"):
                    raise DefinitionError(f"a shared item of {kind} has no id: {item!r}", file=str(file))
                item_id = str(item["id"])
                if item_id in fragments.items[kind]:
                    raise DefinitionError(
                        f"shared {kind} id is also in {fragments.files[(kind, item_id)]}", file=str(file), item_id=item_id)
                fragments.items[kind][item_id] = item
                fragments.files[(kind, item_id)] = str(file)
        for name, options in (data.get("options") or {}).items():
            if not isinstance(options, list):
                raise DefinitionError("a shared option list must be a list of options", file=str(file), item_id=str(name))
            if str(name) in fragments.options:
                raise DefinitionError(
                    f"shared option list is also in {fragments.files[('options', str(name))]}", file=str(file),
                    item_id=str(name))
            fragments.options[str(name)] = options
            fragments.files[("options", str(name))] = str(file)
    _loaded[folder] = (stamp, fragments)
    return fragments


def resolve_includes(data: dict[str, Any], *, file: Path, shared: Path | None = None) -> dict[str, Any]:
    """The file's data with every include replaced (a new dict; `data` is not changed). The shared folder is
    `shared`, or found beside the file; it is only read when the file includes something."""
    if not _has_include(data):
        return data
    folder = shared if shared is not None else shared_folder_for(file)
    if folder is None:
        raise DefinitionError(
            f"the file includes shared fragments but there is no '{SHARED_FOLDER}' folder beside the definitions",
            file=str(file))
    resolved: dict[str, Any] = _Resolver(load_fragments(folder), str(file)).walk(data, None, ())
    return resolved


def _has_include(value: Any) -> bool:
    """Whether anything is included (or an options mapping, which only means something with an include)."""
    if isinstance(value, dict):
        if INCLUDE in value or isinstance(value.get("options"), dict):
            return True
        return any(_has_include(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_include(v) for v in value)
    return False


_Stack = tuple[tuple[str, str], ...]


class _Resolver:
    def __init__(self, fragments: Fragments, label: str) -> None:
        self.fragments = fragments
        self.label = label

    def fail(self, message: str, item_id: str | None = None) -> DefinitionError:
        return DefinitionError(message, file=self.label, item_id=item_id)

    def walk(self, value: Any, key: str | None, stack: _Stack) -> Any:
        """A copy of `value` with its includes replaced; `key` is the key it stands under (its meaning)."""
        if isinstance(value, list):
            kind = _KIND_OF_KEY.get(key or "") if key in _LIST_KINDS else None
            items = []
            for item in value:
                if kind is not None and isinstance(item, dict) and INCLUDE in item:
                    item = self.include(kind, item, stack)
                items.append(self.walk(item, None, stack))
            return items
        if not isinstance(value, dict):
            return value
        kind = _KIND_OF_KEY.get(key or "") if key not in _LIST_KINDS else None
        if kind is not None and INCLUDE in value:
            value = self.include(kind, value, stack)
        elif INCLUDE in value and key != "options":
            raise self.fail("'include' is not allowed here: only in lists of questions, pages, derived values and "
                            "rules, in a change's question or page, and in a question's options")
        result: dict[str, Any] = {}
        for name, inner in value.items():
            if name == "options" and isinstance(inner, dict):
                result[name] = self.walk(self.options(inner, None, stack), name, stack)
            else:
                result[name] = self.walk(inner, name, stack)
        return result

    def include(self, kind: str, reference: dict[str, Any], stack: _Stack) -> dict[str, Any]:
        """The shared item a reference names, with the reference's other keys as overrides."""
        name = reference[INCLUDE]
        if not isinstance(name, str) or not name:
            raise self.fail(f"'include' must name a shared item of {kind}, not {name!r}")
        if (kind, name) in stack:
            chain = " -> ".join(item for _, item in (*stack, (kind, name)))
            raise self.fail(f"shared {kind} include each other in a loop: {chain}", name)
        shared = self.fragments.items[kind].get(name)
        if shared is None:
            known = ", ".join(sorted(self.fragments.items[kind])[:8]) or "none"
            raise self.fail(f"no shared {kind} item '{name}' in {self.fragments.folder} (some there: {known})", name)
        inner = (*stack, (kind, name))
        base = copy.deepcopy(shared)
        if INCLUDE in base:  # a shared item made from another one
            base = self.include(kind, base, inner)
        base = self.walk(base, None, inner)
        return self.override(base, {k: v for k, v in reference.items() if k != INCLUDE}, kind, inner)

    def override(self, base: dict[str, Any], overrides: dict[str, Any], kind: str, stack: _Stack) -> dict[str, Any]:
        """Each override replaces its key; null removes the key; a mapping for `options` or `questions` edits
        the list item by item (see edit)."""
        for key, value in overrides.items():
            if value is None:
                base.pop(key, None)
            elif key in _EDITED_LISTS and isinstance(value, dict):
                if key == "options":
                    base[key] = self.options(value, base.get(key), stack)
                else:
                    base[key] = self.edit(list(base.get(key) or []), value, "id", "questions", stack)
            else:
                base[key] = self.walk(copy.deepcopy(value), key, stack)
        return base

    def options(self, spec: dict[str, Any], own: Any, stack: _Stack) -> list[Any]:
        """An options mapping: `include: <list name>` starts from a shared option list (else from the included
        question's own options), and every other entry edits the option with that code."""
        if INCLUDE in spec:
            name = spec[INCLUDE]
            if str(name) not in self.fragments.options:
                known = ", ".join(sorted(self.fragments.options)) or "none"
                raise self.fail(f"no shared option list '{name}' in {self.fragments.folder} (there: {known})", str(name))
            start = copy.deepcopy(self.fragments.options[str(name)])
        elif isinstance(own, list):
            start = own
        else:
            raise self.fail("an options mapping needs 'include: <option list>' unless it edits an included "
                            "question's options")
        edits = {k: v for k, v in spec.items() if k != INCLUDE}
        return self.edit(start, edits, "code", "options", stack)

    def edit(self, items: list[Any], edits: dict[Any, Any], key: str, kind: str, stack: _Stack) -> list[Any]:
        """Edits of a list by id or code: a mapping's keys replace the item's keys, null removes the item, and
        an id or code the list does not have adds the item at the end (`include` may name a shared one)."""
        for name, change in edits.items():
            position = next((i for i, item in enumerate(items) if isinstance(item, dict) and _same(item.get(key), name)),
                            None)
            if change is None:
                if position is None:
                    raise self.fail(f"cannot remove {key} {name!r}: the included {kind} have none", str(name))
                del items[position]
            elif not isinstance(change, dict):
                raise self.fail(f"the edit of {key} {name!r} must be a mapping of keys (or null to remove it)", str(name))
            elif position is not None:
                items[position] = self.override(items[position], change, kind, stack)
            elif INCLUDE in change and kind == "questions":
                items.append({**self.include(kind, change, stack), key: name})
            else:
                items.append(self.walk({key: name, **change}, None, stack))
        return items


def _same(code: Any, name: Any) -> bool:
    """A YAML mapping key names an option code or an id (a code 17 is named by the key 17 or "17")."""
    return code is not None and str(code) == str(name)
