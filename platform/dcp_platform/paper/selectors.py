"""Reads for paper forms and "why we ask": texts, an organisation's settings and known answers, who may see what."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Max

from dcp_platform.accounts.models import Organisation
from dcp_platform.accounts.selectors import related_organisations_of
from dcp_platform.definitions import Definition
from dcp_platform.paper.models import OrganisationPaperSettings, WhyWeAskText
from dcp_platform.registry import definitions_for, get_plugin
from dcp_platform.registry.answer_sources import known_answers


def current_collection_slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


def definition_why_we_ask(definition: Definition) -> dict[str, str]:
    """Question id -> "why we ask" written in the definition: its top-level `why_we_ask` mapping, and each
    question's own `why_we_ask` key over it (docs/definition-format.md). Ids the definition lacks are skipped
    (a year that extends another inherits its mapping, with questions it may have removed)."""
    mapping = definition.raw.get("why_we_ask")
    texts = {
        str(qid): text.strip() for qid, text in (mapping.items() if isinstance(mapping, dict) else ())
        if str(qid) in definition.questions and isinstance(text, str) and text.strip()
    }
    for question in definition.questions.values():
        own = question.extra.get("why_we_ask")
        if isinstance(own, str) and own.strip():
            texts[question.id] = own.strip()
    return texts


def why_we_ask_texts(*, definition: Definition) -> dict[str, str]:
    """Question id -> "why we ask": the definition's texts, overridden by content designers' texts in Wagtail
    (a text for this form over one for every form). Read in the collection's schema."""
    texts = definition_why_we_ask(definition)
    overrides = WhyWeAskText.objects.filter(form__in=["", definition.form], question_id__in=definition.questions)
    for row in sorted(overrides, key=lambda row: row.form != ""):  # every-form texts first, this form's last
        texts[row.question_id] = row.text.strip()
    return texts


def why_we_ask_version(*, form: str) -> str:
    """Changes whenever a content designer's text that could apply to the form changes (for cache keys)."""
    found = WhyWeAskText.objects.filter(form__in=["", form]).aggregate(count=Count("id"), latest=Max("updated_at"))
    latest = found["latest"].isoformat() if found["latest"] else "-"
    return f"{found['count']}:{latest}"


def organisation_by_code(*, code: str) -> Organisation | None:
    return Organisation.objects.filter(code=code).first()


def paper_settings_of(*, organisation: Organisation) -> OrganisationPaperSettings | None:
    return OrganisationPaperSettings.objects.filter(organisation=organisation).first()


def logo_data_uri(*, settings: OrganisationPaperSettings | None) -> str:
    """The organisation's logo as a data: address (the form is one self-contained document, HTML or PDF)."""
    if settings is None or not settings.logo or not default_storage.exists(settings.logo):
        return ""
    with default_storage.open(settings.logo, "rb") as stored:
        return "data:image/png;base64," + base64.b64encode(stored.read()).decode("ascii")


@dataclass
class OrganisationVersion:
    """What makes an organisation's paper form its own."""

    organisation: Organisation
    left_out: list[str] = field(default_factory=list)
    known: dict[str, Any] = field(default_factory=dict)
    option_lists: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    logo: str = ""
    settings_version: str = "-"


def organisation_version(*, definition: Definition, organisation: Organisation) -> OrganisationVersion:
    settings = paper_settings_of(organisation=organisation)
    organisations = [(o.code, o.name) for o in related_organisations_of(organisation=organisation)]
    plugin = get_plugin(current_collection_slug())
    return OrganisationVersion(
        organisation=organisation,
        left_out=settings.central_for(definition.form) if settings else [],
        known=known_answers(definition=definition, organisation=organisation, plugin_sources=plugin.answer_sources),
        option_lists={"owning_organisations": organisations, "managing_organisations": organisations},
        logo=logo_data_uri(settings=settings),
        settings_version=settings.updated_at.isoformat() if settings else "-",
    )


def question_choices(*, form: str | None = None) -> list[tuple[str, str]]:
    """(question id, "id: label") of every form and year of the current collection, newest year's label."""
    labels: dict[str, str] = {}
    for (form_id, _year), definition in sorted(definitions_for(current_collection_slug()).items(),
                                               key=lambda item: -item[0][1]):
        if form is not None and form_id != form:
            continue
        for question in definition.questions.values():
            labels.setdefault(question.id, question.label)
    return [(qid, f"{qid}: {label}") for qid, label in labels.items()]
