"""Template codecs: CORE template columns whose encoding is not one column per question.

A codec turns the cells of a question's template fields (in `template_fields` order) into answers, and back.
Group questions decode in the scope of one household member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _ticked(cell: str | None) -> bool:
    return (cell or "").strip() == "1"


class AgeOrRefused:
    """The age column holds a whole number, or R when the person would not give their age."""

    questions = ("age_known", "age")

    def decode(self, cells: Sequence[str | None]) -> dict[str, Any]:
        raw = (cells[0] or "").strip() if cells else ""
        if not raw:
            return {}
        if raw.upper() == "R":
            return {"age_known": 1}
        return {"age_known": 0, "age": raw}  # the engine's coercion checks it is a whole number in range

    def encode(self, answers: Mapping[str, Any]) -> list[str]:
        if answers.get("age_known") == 1:
            return ["R"]
        age = answers.get("age")
        return ["" if age is None else str(age)]


class AccessNeedsTicks:
    """Six tick columns (a, b, c, f, g, h) for three web questions about disabled access needs.

    a/b/c: fully wheelchair accessible / wheelchair access to essential rooms / level access (housingneeds_type
    0/1/2); f: other access needs (housingneeds_other); g: no access needs; h: don't know.
    """

    questions = ("housingneeds", "housingneeds_type", "housingneeds_other")
    TYPE_CODES = (0, 1, 2)

    def decode(self, cells: Sequence[str | None]) -> dict[str, Any]:
        a, b, c, f, g, h = (list(cells) + [None] * 6)[:6]
        if not any(_ticked(x) for x in (a, b, c, f, g, h)):
            return {}
        if _ticked(h):
            return {"housingneeds": 3}
        if _ticked(g):
            return {"housingneeds": 2}
        answers: dict[str, Any] = {"housingneeds": 1, "housingneeds_other": 1 if _ticked(f) else 0}
        types = [code for code, cell in zip(self.TYPE_CODES, (a, b, c), strict=True) if _ticked(cell)]
        answers["housingneeds_type"] = types[0] if types else 3
        return answers

    def encode(self, answers: Mapping[str, Any]) -> list[str]:
        needs = answers.get("housingneeds")
        cells = [""] * 6
        if needs == 3:
            cells[5] = "1"
        elif needs == 2:
            cells[4] = "1"
        elif needs == 1:
            kind = answers.get("housingneeds_type")
            if kind in self.TYPE_CODES:
                cells[self.TYPE_CODES.index(kind)] = "1"
            if answers.get("housingneeds_other") == 1:
                cells[3] = "1"
        return cells


CODECS = {"age_or_refused": AgeOrRefused(), "access_needs_ticks": AccessNeedsTicks()}
