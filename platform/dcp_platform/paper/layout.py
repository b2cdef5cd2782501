"""A collection year's paper form, laid out from its definition (no database, no templates).

Questions are numbered in the order the definition asks them. Each says when to answer it ("Answer only if ...",
from its section's, page's and own conditions in words) and each answer option where to go next ("Go to
question 20"): the run of following questions whose conditions are certainly false once that option is chosen
(`definitions.words.truth_given`). A repeating group's questions are laid out once, with a column per item
for the most items the group allows; cells of items a question is never asked for are marked.

An organisation's version leaves out the questions it answers centrally, fills in what is known about it
(`known`) and lists its own organisations where a question asks for one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dcp_platform.definitions import Definition, Expression, Group, Page, Question
from dcp_platform.definitions.words import (
    DefinitionWording,
    condition_in_words,
    join_words,
    truth_given,
    value_in_words,
)

LONG_LIST = 30  # more options than this are printed as a compact code list to choose from
ITEMS_WITHOUT_LIMIT = 6  # columns for a group that has no largest number of items
ORGANISATION_SOURCES = ("owning_organisations", "managing_organisations")
_CHOOSE_ONE = frozenset({"radios", "yesno", "select", "organisation"})


@dataclass
class PaperOption:
    code: str
    label: str
    hint: str | None = None
    go_to: str | None = None  # "Go to question 20"
    known: bool = False  # the organisation's known answer


@dataclass
class PaperQuestion:
    number: int
    question: Question
    instruction: str
    options: list[PaperOption] = field(default_factory=list)
    answer_only_if: str = ""
    why_we_ask: str = ""
    known_answer: str = ""  # the organisation's answer, said as it would be written
    bounds: str = ""  # "From 1 to 8"
    date_answer: bool = False
    long_list: bool = False
    not_asked_items: frozenset[int] = frozenset()

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def label(self) -> str:
        return self.question.label

    @property
    def hint(self) -> str | None:
        return self.question.hint

    @property
    def short_answer(self) -> bool:
        """A code or a number: a short box to write in."""
        return bool(self.options) or self.question.type in ("integer", "decimal", "money")

    @property
    def ticks(self) -> bool:
        """Answered by ticking boxes beside the options (not by writing a code)."""
        return bool(self.options) and not self.long_list and self.question.group is None


@dataclass
class PaperPage:
    page: Page
    questions: list[PaperQuestion]
    heading: str = ""  # pages of several questions keep their title
    note: str = ""  # "Questions 20 to 23: answer only if ..."


@dataclass
class PaperGroup:
    group: Group
    items: list[int]
    intro: str
    pages: list[PaperPage]

    @property
    def columns(self) -> list[tuple[int, str]]:
        return [(n, self.group.title_for(n)) for n in self.items]


@dataclass
class PaperSection:
    id: str
    title: str
    note: str
    parts: list[PaperPage | PaperGroup]


@dataclass
class PaperForm:
    definition: Definition
    sections: list[PaperSection]
    numbers: dict[str, int]
    left_out: list[Question]
    organisation_name: str = ""

    @property
    def questions(self) -> list[PaperQuestion]:
        found: list[PaperQuestion] = []
        for section in self.sections:
            for part in section.parts:
                pages = part.pages if isinstance(part, PaperGroup) else [part]
                found.extend(q for page in pages for q in page.questions)
        return found


def _said(value: Any, question: Question, options: list[PaperOption]) -> str:
    if isinstance(value, list):
        return ", ".join(_said(v, question, options) for v in value)
    for option in options:
        if option.code == str(value):
            return f"{option.code} {option.label}"
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, str) and question.type == "date":
        try:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            return value
    return str(value)


def _bounds(question: Question) -> str:
    low = question.min if not isinstance(question.min, Expression) else None
    high = question.max if not isinstance(question.max, Expression) else None
    if question.type not in ("integer", "decimal", "money") or (low is None and high is None):
        return ""
    pound = "£" if question.type == "money" else ""
    if low is not None and high is not None:
        return f"From {pound}{low} to {pound}{high}"
    return f"At least {pound}{low}" if low is not None else f"At most {pound}{high}"


_WRITE = {
    "date": "Write the date as day, month and year, for example 27 4 2026.",
    "postcode": "Write the postcode.",
    "email": "Write the email address.",
    "integer": "Write a whole number.",
    "decimal": "Write the number.",
    "money": "Write the amount in pounds and pence.",
    "organisation": "Write the organisation’s name or code.",
}


def _options(question: Question, option_lists: Mapping[str, list[tuple[str, str]]]) -> list[PaperOption]:
    if question.options:
        return [PaperOption(str(o.code), o.label, o.hint) for o in question.options]
    if question.options_source in ORGANISATION_SOURCES and question.options_source in option_lists:
        return [PaperOption(str(code), label) for code, label in option_lists[question.options_source]]
    return []


def _instruction(question: Question, options: list[PaperOption], long_list: bool) -> str:
    if question.type == "checkboxes":
        return "Write the codes of every answer that applies." if question.group else "Tick every answer that applies."
    if options:
        if long_list or question.group:
            return "Write the code of one answer."
        return "Tick one answer."
    if question.options_source and question.type != "organisation":
        return "Write the name or code (the web form lists every choice)."
    return _WRITE.get(question.type, "Write the answer.")


@dataclass
class _Entry:
    question: Question
    page: Page
    conditions: list[Expression]  # the section's, page's and question's own, in that order


def _entries(definition: Definition, left_out: Collection[str]) -> list[_Entry]:
    entries = []
    for section in definition.sections:
        for page in section.pages:
            for question in page.questions:
                if question.id in left_out:
                    continue
                conditions = [c for c in (section.condition, page.condition, question.condition) if c is not None]
                entries.append(_Entry(question, page, conditions))
    return entries


def _certainly_skipped(entry: _Entry, known: Mapping[str, Any]) -> bool:
    return any(truth_given(condition, known) is False for condition in entry.conditions)


def _go_to(entries: list[_Entry], index: int, known: Mapping[str, Any], numbers: Mapping[str, int]) -> str | None:
    """Where to go after choosing an answer: past the following questions it certainly rules out."""
    following = index + 1
    while following < len(entries) and _certainly_skipped(entries[following], known):
        following += 1
    if following == index + 1:
        return None
    if following == len(entries):
        return "Go to the end of the form"
    return f"Go to question {numbers[entries[following].question.id]}"


def build_paper_form(
    definition: Definition,
    *,
    why_we_ask: Mapping[str, str] | None = None,
    left_out: Collection[str] = (),
    known: Mapping[str, Any] | None = None,
    option_lists: Mapping[str, list[tuple[str, str]]] | None = None,
    organisation_name: str = "",
) -> PaperForm:
    """The paper form of a definition; with `left_out`, `known` and `option_lists`, an organisation's version."""
    why_we_ask, known, option_lists = why_we_ask or {}, dict(known or {}), option_lists or {}
    left_out = {qid for qid in left_out if qid in definition.questions}
    entries = _entries(definition, left_out)
    numbers = {entry.question.id: number for number, entry in enumerate(entries, start=1)}
    wording = DefinitionWording(definition, numbers)
    position = {entry.question.id: index for index, entry in enumerate(entries)}

    def paper_question(entry: _Entry, own_conditions: list[Expression]) -> PaperQuestion:
        question = entry.question
        options = _options(question, option_lists)
        long_list = len(options) > LONG_LIST
        if question.group is None and question.type in _CHOOSE_ONE and not long_list:
            codes = [o.code for o in question.options] if question.options else [o.code for o in options]
            for option, code in zip(options, codes, strict=True):
                option.go_to = _go_to(entries, position[question.id], {**known, question.id: code}, numbers)
        value = known.get(question.id)
        if value is not None:
            chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
            for option in options:
                option.known = option.code in chosen
        not_asked: frozenset[int] = frozenset()
        if question.group is not None:
            not_asked = frozenset(
                n for n in _items(definition.groups[question.group])
                if any(truth_given(c, {**known, "n": n}) is False for c in entry.conditions)
            )
        return PaperQuestion(
            number=numbers[question.id], question=question, instruction=_instruction(question, options, long_list),
            options=options, long_list=long_list,
            answer_only_if=join_words([condition_in_words(c, wording, group=question.group) for c in own_conditions]),
            why_we_ask=why_we_ask.get(question.id, ""), bounds=_bounds(question), date_answer=question.type == "date",
            known_answer=_said(value, question, options) if value is not None else "", not_asked_items=not_asked,
        )

    by_page: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_page.setdefault(entry.page.id, []).append(entry)
    sections = []
    for section in definition.sections:
        parts: list[PaperPage | PaperGroup] = []
        for page in section.pages:
            page_entries = by_page.get(page.id, [])
            if not page_entries:
                continue
            single = len(page_entries) == 1
            page_conditions = [page.condition] if page.condition is not None else []
            questions = [
                paper_question(e, (page_conditions if single else []) +
                               ([e.question.condition] if e.question.condition is not None else []))
                for e in page_entries
            ]
            note = ""
            if page_conditions and not single:
                first, last = questions[0].number, questions[-1].number
                note = (f"Questions {first} to {last}: answer only if "
                        f"{condition_in_words(page_conditions[0], wording, group=page.group)}.")
            paper_page = PaperPage(page, questions, heading=page.title or "" if not single else "", note=note)
            if page.group is None:
                parts.append(paper_page)
            elif parts and isinstance(parts[-1], PaperGroup) and parts[-1].group.id == page.group:
                parts[-1].pages.append(paper_page)
            else:
                group = definition.groups[page.group]
                parts.append(PaperGroup(group, _items(group), _group_intro(group, wording), [paper_page]))
        if parts:
            note = condition_in_words(section.condition, wording) if section.condition is not None else ""
            sections.append(PaperSection(section.id, section.title, note, parts))
    left = [q for q in definition.questions.values() if q.id in left_out]
    return PaperForm(definition, sections, numbers, left, organisation_name=organisation_name)


def _items(group: Group) -> list[int]:
    largest = group.max_items if group.max_items is not None else max(group.min_items, ITEMS_WITHOUT_LIMIT)
    return list(range(1, largest + 1))


def _group_intro(group: Group, wording: DefinitionWording) -> str:
    noun = wording.item_noun(group.id)
    columns = len(_items(group))
    if group.count is not None:
        how_many = f"as many as {value_in_words(group.count, wording)} says"
        return f"Fill in one column for each {noun}, {how_many} (at most {columns})."
    if group.max_items is not None:
        return f"Fill in one column for each {noun} (at most {columns})."
    return f"Fill in one column for each {noun}. If there are more than {columns}, copy this page."
