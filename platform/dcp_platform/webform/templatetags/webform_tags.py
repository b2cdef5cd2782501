from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def checked(field: Any, code: str) -> bool:
    return bool(field.is_checked(str(code)))


@register.filter
def revealed_by(fields: list[Any] | None, parent: Any) -> list[Any]:
    """The page's questions shown inline under `parent` (or an empty list)."""
    return [f for f in (fields or []) if f.revealed_by == parent.question.id]


@register.filter
def revealed_for(children: list[Any], code: str) -> list[Any]:
    """Children revealed by exactly this option: shown inside it as a GOV.UK conditional reveal."""
    return [c for c in children if c.reveal_codes and c.reveal_codes[0] == str(code) and len(c.reveal_codes) == 1]


@register.filter
def needs_plain_render(child: Any) -> bool:
    """Children revealed by several options (or whose parent is not radios) are shown after the question."""
    return len(child.reveal_codes) != 1
