"""Turning one row of template cells (field number -> text) into answers, using only the definition.

The plan is compiled once per definition (which fields feed which question, and how), so decoding a row is a
loop over prepared steps. Provider files are first turned into template cells by their column mapping, so
both formats share this decoder and then the engine's `Definition.evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from dcp_platform.definitions import Definition, Question

TICKED = frozenset({"1", "yes", "y", "true", "x"})
# Official templates code some tick boxes 1 = yes, 2 = no.
UNTICKED = frozenset({"0", "2", "no", "n", "false", ""})

Answers = dict[str, Any]
CellErrors = dict[int, str]
# What one step gives for some cells: (group or None, item or None, question id, value) per answer, and the
# cell errors. Remembered per step (see RowDecoder.decode).
_Put = tuple[str | None, int | None, str, Any]
_Outcome = tuple[tuple[_Put, ...], tuple[tuple[int, str], ...]]
# Outcomes remembered per step: enough for the few distinct values of a code column, and bounded so a column of
# unique values (references, dates) keeps memory flat: its memory is emptied when full.
MEMO_SIZE = 512


_MISSING = object()
# The outcome of a step that gives nothing (no answer, no error), e.g. for blank cells: one shared object, so a
# row skips it with one identity test.
_NOTHING: _Outcome = ((), ())


def _code_table(question: Question) -> dict[str, Any] | None:
    """Cell text -> answer code, giving what Definition.coerce gives for a valid code (text codes match whatever
    their case). None when the question is not a plain choice or two codes would read the same."""
    if question.type not in ("radios", "select", "yesno") or not question.options or question.template_codec:
        return None
    table: dict[str, Any] = {}
    for option in question.options:
        text = str(option.code)
        keys = {text, text.lower()} if isinstance(option.code, str) else {text}
        for key in keys:
            if key in table:
                return None
            table[key] = option.code
    return table


@dataclass(frozen=True)
class _Step:
    question: Question
    item: int | None
    fields: tuple[int, ...]
    run: Callable[[_Step, Mapping[int, str], Answers, CellErrors], None]


class RowDecoder:
    def __init__(self, definition: Definition, codecs: Mapping[str, Any] | None = None) -> None:
        self.definition = definition
        self.codecs = dict(codecs or {})
        self.steps: list[_Step] = []
        for question in definition.questions.values():
            if isinstance(question.template_fields, dict):
                for item, numbers in sorted(question.template_fields.items()):
                    self._add(question, item, numbers)
            else:
                self._add(question, None, question.template_fields)
            ticks = [(option, option.template_fields) for option in question.options if option.template_fields]
            if ticks:
                fields = tuple(n for _, numbers in ticks for n in numbers)
                self.steps.append(_Step(question, None, fields, self._ticks))
        self._codes = {q.id: table for q in definition.questions.values() if (table := _code_table(q)) is not None}
        self.fields = sorted({n for step in self.steps for n in step.fields})
        self.question_of = {n: step.question.id for step in self.steps for n in step.fields}
        self._count_questions = self._inferable_counts()
        # Rows are decoded from a list of cell texts indexed by field number (None where the file has no such
        # field): `width` is its length. Each step reads its key from that list with one C call (an itemgetter
        # gives the cell itself for one field and a tuple for several, as the keys were before).
        self.width = max(self.fields, default=0) + 1
        self._plans: list[tuple[Callable[[Sequence[str | None]], Any], dict[Any, _Outcome], _Step]] = [
            (itemgetter(*step.fields), {}, step) for step in self.steps
        ]

    def _add(self, question: Question, item: int | None, numbers: list[int]) -> None:
        if not numbers:
            return
        fields = tuple(numbers)
        if question.template_codec:
            run = self._codec
        elif question.type == "date" and len(fields) == 3:
            run = self._date_parts
        elif question.type == "postcode" and len(fields) == 2:
            run = self._postcode_parts
        else:
            run = self._single
        self.steps.append(_Step(question, item, fields, run))

    def _inferable_counts(self) -> dict[str, str]:
        """Groups counted by a question that has no template field: the count is the last item with data."""
        result: dict[str, str] = {}
        for group_id, group in self.definition.groups.items():
            source = group.count.source.strip() if group.count is not None else ""
            question = self.definition.questions.get(source)
            if question is not None and not question.all_template_fields():
                result[group_id] = source
        return result

    # ------------------------------------------------------------------------------------------ steps

    def _put(self, answers: Answers, question: Question, item: int | None, value: Any) -> None:
        if value is None:
            return
        if item is None or question.group is None:
            answers[question.id] = value
        else:
            answers.setdefault(question.group, {}).setdefault(item, {})[question.id] = value

    def _coerce_into(
        self, step: _Step, answers: Answers, errors: CellErrors, question: Question, raw: Any
    ) -> None:
        value, error = self.definition.coerce(question, raw)
        if error:
            for number in step.fields:
                errors[number] = error
        else:
            self._put(answers, question, step.item, value)

    def _single(self, step: _Step, cells: Mapping[int, str], answers: Answers, errors: CellErrors) -> None:
        raw = next((cells.get(n, "") for n in step.fields if cells.get(n, "").strip()), "")
        text = raw.strip()
        if not text:
            return
        # Most cells of a template are answer codes: look them up; anything else goes through coercion.
        codes = self._codes.get(step.question.id)
        if codes is not None:
            code = codes.get(text, codes.get(text.lower(), _MISSING))
            if code is not _MISSING:
                self._put(answers, step.question, step.item, code)
                return
        self._coerce_into(step, answers, errors, step.question, raw)

    def _date_parts(self, step: _Step, cells: Mapping[int, str], answers: Answers, errors: CellErrors) -> None:
        day, month, year = (cells.get(n, "") for n in step.fields)
        value, error = self.definition.coerce_date_parts(step.question, day, month, year)
        if error:
            for number in step.fields:
                errors[number] = error
        else:
            self._put(answers, step.question, step.item, value)

    def _postcode_parts(self, step: _Step, cells: Mapping[int, str], answers: Answers, errors: CellErrors) -> None:
        outward, inward = (cells.get(n, "") for n in step.fields)
        value, error = self.definition.coerce_postcode_parts(step.question, outward, inward)
        if error:
            for number in step.fields:
                errors[number] = error
        else:
            self._put(answers, step.question, step.item, value)

    def _codec(self, step: _Step, cells: Mapping[int, str], answers: Answers, errors: CellErrors) -> None:
        codec = self.codecs.get(step.question.template_codec or "")
        if codec is None:
            self._single(step, cells, answers, errors)
            return
        decoded = codec.decode([cells.get(n) for n in step.fields])
        for question_id, raw in decoded.items():
            question = self.definition.questions.get(question_id)
            if question is not None:
                self._coerce_into(step, answers, errors, question, raw)

    def _ticks(self, step: _Step, cells: Mapping[int, str], answers: Answers, errors: CellErrors) -> None:
        chosen: list[Any] = []
        seen_any = False
        for option in step.question.options:
            for number in option.template_fields:
                text = cells.get(number, "").strip().lower()
                if text:
                    seen_any = True
                if text in TICKED:
                    chosen.append(option.code)
                elif text not in UNTICKED:
                    errors[number] = "Enter 1 if this applies, or leave it empty"
        if seen_any:
            # All boxes answered and none ticked is "none of these": stored as no choice.
            self._put(answers, step.question, step.item, chosen or None)

    # ------------------------------------------------------------------------------------------ row

    def _outcome(self, step: _Step, cells: Mapping[int, str]) -> _Outcome:
        """What the step gives for these cells, as answers to put and cell errors."""
        answers: Answers = {}
        errors: CellErrors = {}
        step.run(step, cells, answers, errors)
        puts: list[_Put] = []
        groups = self.definition.groups
        for key, value in answers.items():
            if key in groups and isinstance(value, dict):  # {item: {question id: value}} (see _put)
                puts.extend((key, item, question_id, v) for item, values in value.items()
                            for question_id, v in values.items())
            else:
                puts.append((None, None, key, value))
        return tuple(puts), tuple(errors.items())

    def decode(self, cells: Mapping[int, str]) -> tuple[Answers, CellErrors]:
        """The answers and cell errors of one row of cells (field number -> text); see `decode_values`."""
        values: list[str | None] = [None] * self.width
        width = self.width
        for number, text in cells.items():
            if 0 <= number < width:  # a field no step reads cannot change the answers
                values[number] = text
        return self.decode_values(values)

    def decode_values(self, values: Sequence[str | None]) -> tuple[Answers, CellErrors]:
        """The answers and cell errors of one row, given as cell texts indexed by field number (None where the
        file has no such field; at least `width` long).

        A step's outcome depends only on its own cells (coercion and codecs are pure), and template columns
        repeat the same few values row after row, so each step remembers its outcome per distinct cells.
        """
        answers: Answers = {}
        errors: CellErrors = {}
        nothing = _NOTHING
        for key_of, memo, step in self._plans:
            key = key_of(values)
            outcome = memo.get(key)
            if outcome is None:
                cells = {n: text for n in step.fields if (text := values[n]) is not None}
                outcome = self._outcome(step, cells)
                if outcome == nothing:
                    outcome = nothing
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[key] = outcome
            if outcome is nothing:
                continue
            puts, step_errors = outcome
            for group, item, question_id, value in puts:
                if type(value) is list:
                    value = list(value)  # each row gets its own list: answers are changed later (evaluation)
                if group is None:
                    answers[question_id] = value
                else:
                    answers.setdefault(group, {}).setdefault(item, {})[question_id] = value
            for number, message in step_errors:
                errors[number] = message
        self._items_as_lists(answers)
        return answers, errors

    def decode_step_by_step(self, cells: Mapping[int, str]) -> tuple[Answers, CellErrors]:
        """`decode` without remembered outcomes: every step runs on the row (the reference the tests compare)."""
        answers: Answers = {}
        errors: CellErrors = {}
        for step in self.steps:
            step.run(step, cells, answers, errors)
        self._items_as_lists(answers)
        return answers, errors

    def _items_as_lists(self, answers: Answers) -> None:
        """Group answers collected by item number become lists (items without data in between stay empty)."""
        for group_id in self.definition.groups:
            by_item = answers.pop(group_id, None)
            if not by_item:
                continue
            last = max(by_item)
            answers[group_id] = [by_item.get(number, {}) for number in range(1, last + 1)]
            count_question = self._count_questions.get(group_id)
            if count_question and count_question not in answers:
                answers[count_question] = last
