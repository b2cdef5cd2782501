"""StreamField blocks of a collection's start page: what content designers write, and the live parts the
platform fills in from the collection's definitions and windows (the open years' downloads and documents).

Live parts name other pages by URL name only (no app is imported), so a part whose page is not installed (the
data dictionary before the exports app) simply shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.urls import NoReverseMatch, reverse
from wagtail import blocks

from dcp_platform.registry import definitions_for

LIVE_PARTS = [
    ("web_form", "Start or continue records in the web form"),
    ("templates", "The empty upload file of each open year"),
    ("api", "The API documents of each open year, and API keys"),
    ("paper_forms", "The paper form of each open year"),
    ("data_dictionary", "The data dictionary of each open year"),
]


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass
class OpenYear:
    """A form and collection year open for new records, with the addresses of what is derived from it."""

    form: str
    year: int
    title: str

    @property
    def label(self) -> str:
        return f"{self.title}, {self.year} to {self.year + 1}"

    @property
    def upload_file(self) -> str:
        return _url("uploads:empty-file", self.form, self.year)

    @property
    def api_docs(self) -> str:
        return _url("api:docs", self.form, self.year)

    @property
    def openapi(self) -> str:
        return _url("api:openapi", self.form, self.year)

    @property
    def paper_form(self) -> str:
        return _url("paper:form", self.form, self.year)

    @property
    def paper_pdf(self) -> str:
        return _url("paper:pdf", self.form, self.year)

    @property
    def dictionary(self) -> str:
        return _url("dictionary:page", self.form, self.year)


def open_years() -> list[OpenYear]:
    """The current collection's forms and years whose window is open for new records, newest first."""
    from dcp_platform.cms.windows import check_window  # noqa: PLC0415  (windows reads models, which import these blocks)

    slug = str(getattr(connection, "schema_name", "public"))
    try:
        definitions = definitions_for(slug)
    except LookupError:
        return []
    found = [
        OpenYear(form, year, definition.title)
        for (form, year), definition in definitions.items()
        if check_window(year=year, record_date=None, action="create").allowed
    ]
    return sorted(found, key=lambda open_year: (-open_year.year, open_year.form))


def live_context(parts: list[str], parent_context: dict[str, Any] | None) -> dict[str, Any]:
    context = parent_context or {}
    return {
        "parts": parts, "years": open_years() if parts else [], "request": context.get("request"),
        "user": context.get("user") or getattr(context.get("request"), "user", None),
        "paper_index": _url("paper:index"), "uploads_new": _url("uploads:new"), "records": _url("records:list"),
        "api_keys": _url("api_keys:list"), "dictionary_index": _url("dictionary:index"),
    }


class ChannelBlock(blocks.StructBlock):
    """One way of sending data (web form, bulk upload, API): what it is for, who it suits, how to start."""

    heading = blocks.CharBlock(max_length=80)
    what_for = blocks.RichTextBlock(label="What it is for", features=["bold", "link", "ul"])
    who_it_suits = blocks.RichTextBlock(label="Who it suits", features=["bold", "link", "ul"])
    how_to_start = blocks.RichTextBlock(label="How to start", features=["bold", "link", "ul", "ol"])
    live_parts = blocks.MultipleChoiceBlock(
        choices=LIVE_PARTS, required=False, label="Live parts",
        help_text="Filled in by the service from the collection's open years: downloads, documents and links.",
    )

    class Meta:
        icon = "list-ul"
        label = "Way to send data"
        template = "cms/blocks/channel.html"

    def get_context(self, value: Any, parent_context: dict[str, Any] | None = None) -> dict[str, Any]:
        context = super().get_context(value, parent_context)
        context.update(live_context(list(value.get("live_parts") or []), parent_context))
        return context


class LivePartsBlock(blocks.StructBlock):
    """Live parts on their own, under an optional heading."""

    heading = blocks.CharBlock(max_length=80, required=False)
    live_parts = blocks.MultipleChoiceBlock(choices=LIVE_PARTS, label="Live parts")

    class Meta:
        icon = "link"
        label = "Live downloads and links"
        template = "cms/blocks/live_parts_block.html"

    def get_context(self, value: Any, parent_context: dict[str, Any] | None = None) -> dict[str, Any]:
        context = super().get_context(value, parent_context)
        context.update(live_context(list(value.get("live_parts") or []), parent_context))
        return context


class StartPageBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(max_length=80, template="cms/blocks/heading.html", icon="title")
    text = blocks.RichTextBlock(features=["bold", "link", "ul", "ol"], template="cms/blocks/text.html")
    channel = ChannelBlock()
    live = LivePartsBlock()
