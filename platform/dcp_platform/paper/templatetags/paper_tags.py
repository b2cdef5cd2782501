"""`{% why_we_ask question as text %}`: the "why we ask" of a question on a page that has a `definition`."""

from __future__ import annotations

from typing import Any

from django import template

from dcp_platform.paper.selectors import why_we_ask_texts

register = template.Library()
_REQUEST_CACHE = "dcp_why_we_ask"  # texts read once per request and definition, however many questions it shows


@register.simple_tag(takes_context=True)
def why_we_ask(context: template.Context, question: Any) -> str:
    definition = context.get("definition")
    if definition is None or question is None:
        return ""
    request = context.get("request")
    remembered: dict[tuple[str, int], dict[str, str]] = getattr(request, _REQUEST_CACHE, None) or {}
    key = (definition.form, definition.year)
    if key not in remembered:
        remembered[key] = why_we_ask_texts(definition=definition)
        if request is not None:
            setattr(request, _REQUEST_CACHE, remembered)
    return remembered[key].get(getattr(question, "id", ""), "")
