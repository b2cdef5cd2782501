"""Production static files: hashed names and compressed copies (WhiteNoise), vendored files as they are.

Vendored stylesheets and scripts end with a `sourceMappingURL` comment naming a map that is not shipped
(Swagger UI's `swagger-ui.css.map`); the manifest storage would rewrite that comment to a hashed name and stop
`collectstatic` because the map is missing. Source maps are for developers' tools only, so those comments are
left as they are instead of being rewritten.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    kept = []
    for extension, rules in patterns:
        rules = tuple(r for r in rules if "sourceMappingURL" not in (r[0] if isinstance(r, tuple) else r))
        kept.append((extension, rules))
    return tuple(kept)


class ProductionStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
