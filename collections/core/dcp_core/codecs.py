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


class BlankMeansNo:
    """Columns of a revealed answer whose parent yes/no question has no column: all blank means "no".

    The specification's bulk-upload mappings: majorrepairs = 0 when the repairs date (fields 32-34) is
    blank, previous_la_known = 0 when the previous local authority (field 120) is blank. When the columns
    are filled, the answer goes to its question and the definition derives the parent's "yes" (derived.yaml),
    as it does for the API. Columns the file does not have at all say nothing.
    """

    def __init__(self, question: str, parent: str, no: int = 0, parts: Sequence[str] = ()) -> None:
        self.question, self.parent, self.no, self.parts = question, parent, no, tuple(parts)
        self.questions = (parent, question)

    def decode(self, cells: Sequence[str | None]) -> dict[str, Any]:
        if all(cell is None for cell in cells):
            return {}  # the file has no such columns (a provider file that does not map them): nothing is said
        values = [(cell or "").strip() for cell in cells]
        if not any(values):
            return {self.parent: self.no}
        if self.parts:  # a date in day, month, year columns: the engine's coercion checks it
            return {self.question: dict(zip(self.parts, values, strict=False))}
        return {self.question: values[0]}

    def encode(self, answers: Mapping[str, Any]) -> list[str]:
        value = answers.get(self.question)
        count = max(len(self.parts), 1)
        if value is None:
            return [""] * count
        if self.parts:
            year, month, day = str(value).split("-")
            return [day, month, year]
        return [str(value)]


class DetailOrGroupAnswer:
    """A detailed answer's column that may hold, instead, a code that answers its group question.

    Field 45 holds the ethnic background, or 17 when the tenant prefers not to say (an ethnic group answer);
    field 46 the nationality, or 0 when the tenant prefers not to say (a nationality group answer). The
    specification's bulk-upload mappings; the definition derives the group from any other detailed answer.
    """

    def __init__(self, question: str, group_question: str, group_codes: Mapping[str, Any]) -> None:
        self.question, self.group_question, self.group_codes = question, group_question, dict(group_codes)
        self.questions = (group_question, question)

    def decode(self, cells: Sequence[str | None]) -> dict[str, Any]:
        raw = (cells[0] or "").strip() if cells else ""
        if not raw:
            return {}
        if raw in self.group_codes:
            return {self.group_question: self.group_codes[raw]}
        return {self.question: raw}  # the engine's coercion checks it is one of the question's codes

    def encode(self, answers: Mapping[str, Any]) -> list[str]:
        group_answer = answers.get(self.group_question)
        for text, code in self.group_codes.items():
            if group_answer == code:
                return [text]
        detail = answers.get(self.question)
        return ["" if detail is None else str(detail)]


class ValueOrFlag:
    """A column that holds an amount, or a code that answers the amount's own yes/no question instead.

    The sales template's "R" (refused, not known or no charge): buyer 1's income is a number or R (income1nk
    = 1, not known); monthly charges a number (has_mscharge = 1) or R (has_mscharge = 0, no charges). Some
    answers have one column per sale type (the service charges: fields 107, 125 and 136): the first filled one
    is read, as for any question with several fields. `given` is the yes/no answer an amount means (None: the
    amount says nothing about it, as the mortgage length says nothing about the buyer being interviewed).
    """

    def __init__(self, question: str, flag_question: str, given: Any, flags: Mapping[str, Any]) -> None:
        self.question, self.flag_question, self.given, self.flags = question, flag_question, given, dict(flags)
        self.questions = (flag_question, question)

    def decode(self, cells: Sequence[str | None]) -> dict[str, Any]:
        raw = next((cell.strip() for cell in cells if cell and cell.strip()), "")
        if not raw:
            return {}
        if raw.upper() in self.flags:
            return {self.flag_question: self.flags[raw.upper()]}
        answers: dict[str, Any] = {} if self.given is None else {self.flag_question: self.given}
        answers[self.question] = raw  # the engine's coercion checks the amount
        return answers

    def encode(self, answers: Mapping[str, Any]) -> list[str]:
        flag = answers.get(self.flag_question)
        for text, code in self.flags.items():
            if flag == code:
                return [text]
        value = answers.get(self.question)
        return ["" if value is None else str(value)]


CODECS = {
    "age_or_refused": AgeOrRefused(),
    "access_needs_ticks": AccessNeedsTicks(),
    "repairs_date_or_none": BlankMeansNo("mrcdate", "majorrepairs", parts=("day", "month", "year")),
    "previous_la_or_unknown": BlankMeansNo("prevloc", "previous_la_known"),
    "ethnic_or_prefers_not_to_say": DetailOrGroupAnswer("ethnic", "ethnic_group", {"17": 17}),
    "nationality_or_prefers_not_to_say": DetailOrGroupAnswer("nationality_all", "nationality_all_group", {"0": 0}),
    # Sales logs: buyer 2's ethnic background and nationality, and the amounts the template may answer with R.
    "ethnicbuy2_or_prefers_not_to_say": DetailOrGroupAnswer("ethnicbuy2", "ethnic_group2", {"17": 17}),
    "nationality_buyer2_or_prefers_not_to_say": DetailOrGroupAnswer(
        "nationality_all_buyer2", "nationality_all_buyer2_group", {"0": 0}),
    "income1_or_not_known": ValueOrFlag("income1", "income1nk", 0, {"R": 1}),
    "income2_or_not_known": ValueOrFlag("income2", "income2nk", 0, {"R": 1}),
    "savings_or_not_known": ValueOrFlag("savings", "savingsnk", 0, {"R": 1}),
    "mortgage_length_or_not_known": ValueOrFlag("mortlen", "mortlen_known", None, {"R": 1}),
    "monthly_charges_or_none": ValueOrFlag("mscharge", "has_mscharge", 1, {"R": 0}),
    "new_service_charges_or_unchanged": ValueOrFlag("newservicecharges", "hasservicechargeschanged", 1, {"R": 2}),
    # "0" years: the buyers did not live in the property before buying it.
    "years_lived_there_or_none": ValueOrFlag("proplen", "proplen_asked", 0, {"0": 1}),
    "management_fee_or_none": BlankMeansNo("management_fee", "has_management_fee"),
}
