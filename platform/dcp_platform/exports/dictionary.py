"""The data dictionary of a collection year, generated from its definition (no database).

One entry per download column (the layout's position, so the dictionary and the download agree): the question
and hint, answer codes and labels, when it is asked (section, page and question conditions in words), a derived
value's formula in words, the template field numbers and, given by the caller, the "why we ask" text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from dcp_platform.definitions import Definition
from dcp_platform.definitions.words import DefinitionWording, condition_in_words, join_words, value_in_words

from .columns import RECORD_COLUMNS, Layout

CSV_FIELDS = ("position", "variable", "description", "kind", "question", "hint", "answers", "asked_when",
              "formula", "template_fields", "why_we_ask")


def _asked_when(definition: Definition, question_id: str, wording: DefinitionWording) -> str:
    question = definition.question(question_id)
    page = definition.page(question.page_id) if question.page_id else None
    section = definition.section(question.section_id) if question.section_id else None
    conditions = [c for c in (section.condition if section else None, page.condition if page else None,
                              question.condition) if c is not None]
    if not conditions:
        return "Always"
    return join_words([condition_in_words(c, wording, group=question.group) for c in conditions])


def dictionary_entries(layout: Layout, why_we_ask: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    definition = layout.definition
    wording = DefinitionWording(definition)
    derived = {d.id: d for d in definition.derived}
    entries = []
    for position, column in enumerate(layout.columns, start=1):
        question = column.question
        entry: dict[str, Any] = {
            "position": position, "variable": column.header, "description": column.description,
            "kind": column.kind, "question": "", "hint": "", "answers": [], "asked_when": "", "formula": "",
            "template_fields": [], "why_we_ask": "",
        }
        if question is not None:
            entry.update(question=question.label, hint=question.hint or "",
                         asked_when=_asked_when(definition, question.id, wording),
                         template_fields=question.template_fields_for(column.item),
                         why_we_ask=(why_we_ask or {}).get(question.id, ""))
            if column.kind == "option":
                option = question.option(column.option_code)
                entry["answers"] = [{"code": 1, "label": f"Ticked: {option.label if option else column.option_code}"},
                                    {"code": 0, "label": "Another answer ticked"}]
                entry["template_fields"] = option.template_fields if option else []
            elif column.kind == "part":
                entry["answers"] = [{"code": "", "label": f"The {column.part} of the date, as a number"}]
            else:
                entry["answers"] = [{"code": o.code, "label": o.label} for o in question.options]
        elif column.kind == "derived" and column.derived_id in derived:
            value = derived[column.derived_id]
            entry["question"] = value.label or ""
            entry["formula"] = value_in_words(value.value, wording, group=value.group)
            if value.condition is not None:
                entry["asked_when"] = "Worked out when " + condition_in_words(value.condition, wording)
            else:
                entry["asked_when"] = "Worked out for every record"
        elif column.kind == "record":
            entry["question"] = RECORD_COLUMNS[column.source]
            entry["asked_when"] = "Filled in by the platform"
        else:
            entry["asked_when"] = "Not collected on this platform (always empty)"
        entries.append(entry)
    return entries


def dictionary_json(layout: Layout, why_we_ask: Mapping[str, str] | None = None) -> str:
    definition = layout.definition
    return json.dumps({"collection": definition.collection, "form": definition.form, "year": definition.year,
                       "columns": layout.name, "variables": dictionary_entries(layout, why_we_ask)},
                      ensure_ascii=False, indent=1, default=str)


def dictionary_csv(layout: Layout, why_we_ask: Mapping[str, str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in dictionary_entries(layout, why_we_ask):
        writer.writerow({**entry,
                         "answers": "; ".join(f"{a['code']} = {a['label']}" for a in entry["answers"]),
                         "template_fields": " ".join(str(n) for n in entry["template_fields"])})
    return "\ufeff" + buffer.getvalue()
