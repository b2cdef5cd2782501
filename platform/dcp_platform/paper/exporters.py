"""The paper form as print-ready HTML and as PDF, derived from the definition on request and cached.

Nothing is stored by hand: the cache key holds the definition's content hash (so a changed definition is laid
out again at once), the version of the layout code, the content designers' "why we ask" texts and, for an
organisation's version, its settings and the answers known about it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dcp_platform.accounts.models import Organisation
from dcp_platform.definitions import Definition
from dcp_platform.paper.layout import PaperForm, build_paper_form
from dcp_platform.paper.selectors import (
    OrganisationVersion,
    current_collection_slug,
    organisation_version,
    why_we_ask_texts,
    why_we_ask_version,
)

LAYOUT_VERSION = "1"  # change when layout.py or the paper templates change what a form looks like
_HASHES: dict[int, tuple[Definition, str]] = {}


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are not installed on this server."""


def definition_hash(definition: Definition) -> str:
    """A hash of the definition's whole content (as loaded: base, change sets and included files merged)."""
    known = _HASHES.get(id(definition))
    if known is not None and known[0] is definition:
        return known[1]
    text = json.dumps(definition.raw, sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    _HASHES[id(definition)] = (definition, digest)
    return digest


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


@dataclass
class PaperRequest:
    """One paper form to produce: the public version (no organisation) or an organisation's."""

    definition: Definition
    organisation: Organisation | None = None

    def __post_init__(self) -> None:
        self.why_we_ask = why_we_ask_texts(definition=self.definition)
        self.version: OrganisationVersion | None = (
            organisation_version(definition=self.definition, organisation=self.organisation)
            if self.organisation is not None else None
        )

    def cache_key(self, kind: str) -> str:
        definition = self.definition
        parts = ["paper", LAYOUT_VERSION, kind, current_collection_slug(), definition.form, str(definition.year),
                 definition_hash(definition), _digest(self.why_we_ask), why_we_ask_version(form=definition.form)]
        if self.version is not None:
            version = self.version
            parts += [f"org{version.organisation.pk}", version.settings_version,
                      _digest([version.left_out, version.known, version.option_lists, version.organisation.name])]
        return ":".join(parts)

    def layout(self) -> PaperForm:
        version = self.version
        if version is None:
            return build_paper_form(self.definition, why_we_ask=self.why_we_ask)
        return build_paper_form(
            self.definition, why_we_ask=self.why_we_ask, left_out=version.left_out, known=version.known,
            option_lists=version.option_lists, organisation_name=version.organisation.name,
        )


def paper_form_html(request: PaperRequest) -> SafeString:
    """The form itself (a fragment: its heading, instructions, sections and questions), for a page or a PDF."""
    key = request.cache_key("html")
    html = cache.get(key)
    if html is None:
        html = render_to_string("paper/_form.html", {
            "form": request.layout(), "definition": request.definition,
            "logo": request.version.logo if request.version else "",
            "organisation": request.organisation,
        })
        cache.set(key, html, settings.DCP_PAPER_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, which escapes every value


def _weasyprint() -> Any:
    try:
        import weasyprint  # noqa: PLC0415  (loaded on first use: it loads Pango, which only PDF making needs)
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def paper_form_pdf(request: PaperRequest) -> bytes:
    key = request.cache_key("pdf")
    pdf = cache.get(key)
    if pdf is None:
        weasyprint = _weasyprint()
        stylesheet = finders.find("dcp/paper.css")
        css = Path(stylesheet).read_text(encoding="utf-8") if isinstance(stylesheet, str) else ""
        document = render_to_string("paper/document.html", {
            "definition": request.definition, "body": paper_form_html(request), "css": mark_safe(css),  # noqa: S308
        })
        pdf = weasyprint.HTML(string=document).write_pdf()
        cache.set(key, pdf, settings.DCP_PAPER_CACHE_SECONDS)
    return bytes(pdf)


def pdf_available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True
