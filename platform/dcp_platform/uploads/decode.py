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
# What one step (or a run of steps) gives for some cells, remembered (see RowDecoder.decode_values): most often
# only record-level answers, none of them a list: a dict of them (question id -> value) in the order they are put.
# Otherwise a tuple: those answers, the ones whose value is a list (each row gets its own copy), the answers in a
# group per item, as (group, item, question id -> value, the question ids whose value is a list), and cell errors.
_Put = tuple[str | None, int | None, str, Any]
_ItemPut = tuple[str, int | None, dict[str, Any], tuple[str, ...]]
_Outcome = dict[str, Any] | tuple[dict[str, Any], tuple[str, ...], tuple[_ItemPut, ...], tuple[tuple[int, str], ...]]
# Outcomes remembered per step: enough for the few distinct values of a code column, and bounded so a column of
# unique values (references, dates) keeps memory flat: its memory is emptied when full.
MEMO_SIZE = 512
# After this many rows, the steps whose cells have taken at most VOLATILE_KEYS different values (most of a file's
# columns hold a few codes or are blank) are looked up together, a run of consecutive steps at a time.
REPLAN_AFTER = 256
# ... and a first time after this many rows: a row costs several times more while every step is looked up alone,
# and each worker process of an upload starts so (the plan after REPLAN_AFTER rows uses every row seen).
EARLY_REPLAN = 32
VOLATILE_KEYS = 16
# A single-cell step that missed its memory in more than this share of the rows before a replan (references,
# amounts) is run straight into the row's answers from then on: remembering its outcomes cost more than it saved.
DIRECT_SHARE = 0.5


_MISSING = object()
# Runs a step on a row's cell texts straight into its answers and cell errors (see RowDecoder._direct).
_Direct = Callable[[Sequence[str | None], Answers, CellErrors], None]
_Plan = tuple[Callable[[Sequence[str | None]], Any], dict[Any, "_Outcome"], tuple[int, ...], _Direct | None]
# The outcome of a step that gives nothing (no answer, no error), e.g. for blank cells: one shared object, so a
# row skips it with one identity test.
_NOTHING: _Outcome = ({}, (), (), ())  # never changed: rows only read outcomes


def _packed(puts: list[_Put], errors: list[tuple[int, str]]) -> _Outcome:
    """Puts and errors, in order, as an outcome; _NOTHING when there are none."""
    if not puts and not errors:
        return _NOTHING
    record: dict[str, Any] = {}
    by_item: dict[tuple[str, int | None], dict[str, Any]] = {}
    for group, item, question_id, value in puts:
        if group is None:
            record[question_id] = value
        else:
            # Put together per item: a question keeps its place in the item as when put one by one.
            by_item.setdefault((group, item), {})[question_id] = value
    lists = tuple(question_id for question_id, value in record.items() if type(value) is list)
    if not lists and not by_item and not errors:
        return record
    grouped = tuple((group, item, values, tuple(q for q, value in values.items() if type(value) is list))
                    for (group, item), values in by_item.items())
    return record, lists, grouped, tuple(errors)


def _puts_of(outcome: _Outcome) -> tuple[list[_Put], tuple[tuple[int, str], ...]]:
    """An outcome's puts (record-level first) and cell errors, in order: what _packed was given, but for the
    order of record-level and group answers between them (which does not matter: see decode_values)."""
    if isinstance(outcome, dict):
        return [(None, None, question_id, value) for question_id, value in outcome.items()], ()
    record, _, grouped, errors = outcome
    puts: list[_Put] = [(None, None, question_id, value) for question_id, value in record.items()]
    for group, item, values, _ in grouped:
        puts.extend((group, item, question_id, value) for question_id, value in values.items())
    return puts, errors


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
        self._keys = [itemgetter(*step.fields) for step in self.steps]
        self._step_memos: list[dict[Any, _Outcome]] = [{} for _ in self.steps]
        self._misses = [0] * len(self.steps)
        self._rows = 0
        self._directs: dict[int, _Direct] = {}  # steps run straight into the answers (see _replan), by index
        # What a row is decoded by: (key of the row's cells, remembered outcomes, indexes of the steps, None), or
        # a step run straight into the answers as the last item. One plan per step at first; see _replan.
        self._plans: list[_Plan] = [
            (key, memo, (index,), None)
            for index, (key, memo) in enumerate(zip(self._keys, self._step_memos, strict=True))
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
        return _packed(puts, list(errors.items()))

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
        repeat the same few values row after row, so each step remembers its outcome per distinct cells; once
        the file's columns are known, runs of steps whose cells hardly vary remember their outcome together, and
        a single cell that keeps changing (a reference, an amount) is decoded straight into the answers.
        Outcomes are applied in the order of the steps, as running every step would.
        """
        self._rows += 1
        if self._rows == REPLAN_AFTER or self._rows == EARLY_REPLAN:
            self._replan()
        answers: Answers = {}
        errors: CellErrors = {}
        nothing = _NOTHING
        for key_of, memo, members, direct in self._plans:
            if direct is not None:
                direct(values, answers, errors)
                continue
            key = key_of(values)
            outcome = memo.get(key)
            if outcome is None:
                outcome = self._fresh(members, values)
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[key] = outcome
            if outcome is nothing:
                continue
            if isinstance(outcome, dict):  # record-level answers only, no list: put all at once
                answers.update(outcome)
                continue
            # Record-level answers are put all at once (a key put again keeps its place, as when put one by
            # one); where group answers come in between does not matter: groups go last (_items_as_lists).
            record, lists, grouped, step_errors = outcome
            answers.update(record)
            for question_id in lists:
                answers[question_id] = list(answers[question_id])  # each row its own list: evaluation changes them
            for group, item, item_answers, item_lists in grouped:
                into = answers.setdefault(group, {}).setdefault(item, {})
                into.update(item_answers)
                for question_id in item_lists:
                    into[question_id] = list(into[question_id])
            if step_errors:
                errors.update(step_errors)
        self._items_as_lists(answers)
        return answers, errors

    def _fresh(self, members: tuple[int, ...], values: Sequence[str | None]) -> _Outcome:
        """The outcome of a plan not remembered for these cells: its steps' outcomes one after the other."""
        if len(members) == 1:  # the plan's memory is the step's own
            index = members[0]
            self._misses[index] += 1
            step = self.steps[index]
            return self._outcome(step, {n: text for n in step.fields if (text := values[n]) is not None})
        puts: list[_Put] = []
        step_errors: list[tuple[int, str]] = []
        for index in members:
            memo = self._step_memos[index]
            key = self._keys[index](values)
            found = memo.get(key)
            if found is None:
                found = self._fresh((index,), values)
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[key] = found
            if found is not _NOTHING:
                found_puts, found_errors = _puts_of(found)
                puts.extend(found_puts)
                step_errors.extend(found_errors)
        return _packed(puts, step_errors)

    def _replan(self) -> None:
        """Group each run of consecutive steps whose cells took few values so far under one key and memory."""
        plans: list[_Plan] = []
        run: list[int] = []

        def close_run() -> None:
            if len(run) == 1:
                plans.append((self._keys[run[0]], self._step_memos[run[0]], (run[0],), None))
            elif run:
                fields = [n for index in run for n in self.steps[index].fields]
                plans.append((itemgetter(*fields), {}, tuple(run), None))
            run.clear()

        for index, misses in enumerate(self._misses):
            if misses > VOLATILE_KEYS:
                close_run()
                direct = self._directs.get(index)  # (no longer counts misses: stays straight)
                if direct is None and misses > DIRECT_SHARE * self._rows:
                    direct = self._direct(self.steps[index])
                    if direct is not None:
                        self._directs[index] = direct
                        self._step_memos[index].clear()  # no longer read
                plans.append((self._keys[index], self._step_memos[index], (index,), direct))
            else:
                run.append(index)
        close_run()
        self._plans = plans

    def _direct(self, step: _Step) -> _Direct | None:
        """`_single` for a step of one record-level cell, putting into the row's answers and errors as applying
        its outcome would (None for other steps). A text with no pattern is taken as coercion takes it, without
        the definition's memory of coercions (references are unique: they would only crowd it out)."""
        question = step.question
        if step.run != self._single or len(step.fields) != 1 or (step.item is not None and question.group):
            return None
        (number,) = step.fields
        question_id = question.id
        codes = self._codes.get(question_id)
        # coercion.coerce of a text with no pattern: the stripped text, when no longer than allowed.
        plain = question.type == "text" and not question.pattern
        longest = question.max_length
        coerce = self.definition.coerce  # (amounts repeat in a file more than the step's memory holds)
        missing = _MISSING

        def direct(values: Sequence[str | None], answers: Answers, errors: CellErrors) -> None:
            raw = values[number]
            if raw is None:
                return
            text = raw.strip()
            if not text:
                return
            if codes is not None:
                code = codes.get(text, codes.get(text.lower(), missing))
                if code is not missing:
                    if code is not None:
                        answers[question_id] = code
                    return
            if plain and (longest is None or len(text) <= longest):
                answers[question_id] = text
                return
            value, error = coerce(question, raw)
            if error:
                errors[number] = error
            elif value is not None:
                answers[question_id] = value

        return direct

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
