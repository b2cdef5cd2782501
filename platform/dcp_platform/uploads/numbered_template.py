"""The official numbered template of a collection year, empty, written from its definition.

Its header block is what `template.match_template` recognises: a "Question" row (each field's question in
words, with the person or item and the part of the answer it holds) over a "Field number" row. Rows of
records go below.
"""

from __future__ import annotations

import csv
import io

from dcp_platform.definitions import Definition

PART_WORDS = {"day": "day", "month": "month", "year": "year", "outward": "first part", "inward": "second part"}


def _field_wording(definition: Definition, number: int) -> str:
    spec = definition.template_field_map()[number]
    question = definition.questions[spec.question_id]
    text = question.label
    if spec.group and spec.item:
        text = f"{definition.groups[spec.group].title_for(spec.item)}: {text}"
    if spec.part is not None:
        option = question.option(spec.part) if question.options else None
        text += f" ({option.label})" if option is not None else f" ({PART_WORDS.get(str(spec.part), spec.part)})"
    return text


def numbered_template_for(definition: Definition) -> tuple[str, bytes]:
    """(file name, CSV bytes with a byte order mark for Excel) of the year's empty numbered template."""
    numbers = list(definition.template_field_map())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Question", *(_field_wording(definition, n) for n in numbers)])
    writer.writerow(["Field number", *numbers])
    name = f"{definition.form}-{definition.year}-{str(definition.year + 1)[-2:]}-numbered-template.csv"
    return name, ("\ufeff" + buffer.getvalue()).encode("utf-8")
