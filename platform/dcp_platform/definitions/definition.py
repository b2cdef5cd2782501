"""The Definition: a checked, compiled collection-year form, and its evaluation of a record (the fast engine;
compile_definition.py writes the functions it runs, reference.py says what they must give)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from . import coerce as coercion
from .compile_definition import (
    _SCOPE_CONVERTERS,
    SET_CHANGED_KEY,
    _Ask,
    _convert_function,
    _derive_function,
    _PageStep,
    _record_rules_function,
    _SectionStep,
    _Walk,
    _walk_function,
)
from .evaluation import Evaluation, _display, _token, _values_key
from .expressions import CONTEXT_KEY, Expression, ItemScope, names_read_for_value
from .model import (
    Cleared,
    DerivedValue,
    EvalContext,
    FieldRef,
    Group,
    Page,
    PageInstance,
    Problem,
    Question,
    Rule,
    Section,
    TemplateFieldSpec,
)

_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MAX_PASSES = 10  # clearing answers can make later conditions change; repeat until nothing changes
_MAX_LISTED_ITEMS = 20  # refs and page instances made in advance for groups without max_items
_COERCE_MEMO_SIZE = 8192  # remembered coercions of input and of derived values into answers (see _coerce_remembered)
_RULE_TEXTS_MEMO_SIZE = 4096  # remembered problem messages and tokens (see Definition._rule_texts)
_RULE_PARTS_LIMIT = 20_000  # rule and item pairs whose fixed parts are kept (see Definition._rule_parts)


class Definition:
    def __init__(
        self,
        *,
        raw: dict[str, Any],
        source: str,
        sections: list[Section],
        groups: dict[str, Group],
        questions: dict[str, Question],
        derived: list[DerivedValue],
        validations: list[Rule],
        context_names: frozenset[str] = frozenset(),
    ) -> None:
        self.raw = raw
        self.source = source
        self.collection: str = str(raw["collection"])
        self.form: str = str(raw["form"])
        self.year: int = int(raw["year"])
        self.title: str = str(raw.get("title") or self.form)
        self.record_reference: list[str] = list(raw.get("record_reference") or [])
        self.search_fields: list[str] = list(raw.get("search_fields") or [])
        self.date_question: str | None = raw.get("date_question")
        self.owner_question: str | None = raw.get("owner_question")
        self.manager_question: str | None = raw.get("manager_question")
        self.duplicate_check: list[str] = list(raw.get("duplicate_check") or [])
        # The question whose answer (an email address) names the user the record is assigned to.
        self.assignee_question: str | None = raw.get("assignee_question")
        # Questions the records list offers as filters (option questions: "needs type").
        self.list_filters: list[str] = list(raw.get("list_filters") or [])
        # The answers that identify a case: a second source sending the same key adds to that record.
        self.case_key: list[str] = list(raw.get("case_key") or [])
        self.sections = sections
        self.groups = groups
        self.questions = questions
        self.derived = derived
        self.validations = validations
        self.context_names = context_names
        self.pages: list[Page] = [page for section in sections for page in section.pages]
        self._pages_by_id = {page.id: page for page in self.pages}
        self._rule_value_names: dict[str, set[str]] = {}  # rule id -> names_read_for_value of its `when`
        self._rules_by_id = {rule.id: rule for rule in validations}
        self._record_ids = frozenset(q.id for q in questions.values() if q.group is None)
        self._converters = [
            (q.id, _SCOPE_CONVERTERS[q.type]) for q in questions.values() if q.group is None and q.type in _SCOPE_CONVERTERS
        ]
        self._group_converters = {
            g: [(q, _SCOPE_CONVERTERS[self.questions[q].type]) for q in group.question_ids
                if self.questions[q].type in _SCOPE_CONVERTERS]
            for g, group in groups.items()
        }
        self._group_question_ids = {g: frozenset(group.question_ids) for g, group in groups.items()}
        self._groups = tuple(groups.items())
        self._expression_bounds = frozenset(
            q.id for q in questions.values() if isinstance(q.min, Expression) or isinstance(q.max, Expression)
        )
        self._section_of = {q.id: q.section_id for q in questions.values()}
        self._ref_cache: dict[tuple[str, int | None], tuple[FieldRef, str]] = {}
        self._page_instances: dict[tuple[str, int | None], PageInstance] = {}
        self._coerce_memo: dict[Any, tuple[Any, str | None]] = {}
        self._rule_texts_memo: dict[tuple[Any, ...], tuple[str, str | None, str | None]] = {}
        self._rule_parts_cache: dict[tuple[str, int | None], tuple[tuple[FieldRef, ...], tuple[str, ...], tuple[int, ...], str]] = {}
        for rule in validations:
            placeholders = _PLACEHOLDER_RE.findall(rule.message + (rule.title or ""))
            reads = sorted(set(rule.when.names) | set(placeholders) | set(rule.fields))
            rule.reads = tuple(reads)
        self._compile_plan()

    def _compile_plan(self) -> None:
        """Everything evaluate() can work out once: compiled functions, checkers and the walk order."""
        self._group_derived = tuple((d.id, d.group) for d in self.derived if d.group is not None)
        def numbers(group: str | None) -> range:
            if group is None:
                return range(1)
            largest = self.groups[group].max_items
            return range((largest if largest is not None else _MAX_LISTED_ITEMS) + 1)

        def ask(question: Question) -> _Ask:
            refs = [self._ref_of(question.id, question.group, n or None) for n in numbers(question.group)]
            return _Ask(question, question.id, coercion.make_checker(question), question.id in self._expression_bounds,
                        refs)

        setting: dict[str, list[DerivedValue]] = {}
        for d in self.derived:
            if d.sets is not None:
                setting.setdefault(d.sets, []).append(d)

        def page_step(page: Page) -> _PageStep:
            asks = tuple(ask(q) for q in page.questions)
            return _PageStep(page, page.group, asks,
                             [self._page_instance(page, n or None) for n in numbers(page.group)])

        self._plan = tuple(
            _SectionStep(section, section.condition.fn if section.condition else None,
                         tuple(page_step(page) for page in section.pages))
            for section in self.sections
        )
        self._walk_pages = _walk_function(self._plan, setting, self.groups)
        self._validations = tuple(self.validations)
        self._record_rules = _record_rules_function(self.validations)
        self._convert = _convert_function(self._converters)
        # Answers that derived values set and that a derived value at or before the setter reads: setting one
        # can change what those give in another pass, so the generated code notes when one does (see evaluate).
        watch: set[str] = set()
        read_so_far: set[str] = set()
        for d in self.derived:
            read_so_far.update(name for e in (d.value, d.condition) if e is not None for name in e.names)
            if d.sets is not None and d.sets in read_so_far:
                watch.add(d.sets)
        self._derive = _derive_function(self.derived, self.questions, frozenset(watch))
        # Names read while working out what applies: derived values, conditions and group counts. When a pass
        # clears only answers that none of these read, another pass would work out the same, so none is run.
        expressions = [e for d in self.derived for e in (d.value, d.condition) if e is not None]
        expressions += [s.condition for s in self.sections if s.condition is not None]
        expressions += [p.condition for p in self.pages if p.condition is not None]
        expressions += [q.condition for q in self.questions.values() if q.condition is not None]
        expressions += [g.count for g in self.groups.values() if g.count is not None]
        self._walk_reads = frozenset(name for e in expressions for name in e.names)

    # ------------------------------------------------------------------------------------------ lookups

    def page(self, page_id: str) -> Page:
        return self._pages_by_id[page_id]

    def question(self, question_id: str) -> Question:
        return self.questions[question_id]

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]

    def section(self, section_id: str) -> Section:
        return next(section for section in self.sections if section.id == section_id)

    def flat_name(self, question: Question, item: int | None = None) -> str:
        """Column name in flat files and exports."""
        if question.group is None or item is None:
            return question.flat_name or question.id
        pattern = question.flat_name or self.groups[question.group].flat_name
        return pattern.replace("{group}", question.group).replace("{question}", question.id).replace("{n}", str(item))

    # ------------------------------------------------------------------------------------------ coercion

    def coerce(self, question: Question, raw: Any) -> tuple[Any, str | None]:
        """Raw input (a form field, a CSV cell, a JSON value) as the stored answer, or an error message.

        Remembered per question and text or whole number (bounded, shared with derived values, see
        _coerce_remembered): records repeat the same dates, codes and amounts, and coercion is pure.
        """
        kind = type(raw)
        if (kind is str or kind is int) and self.questions.get(question.id) is question:
            return self._coerce_remembered(question, (question.id, kind, raw), raw)
        return coercion.coerce(question, raw)

    def coerce_date_parts(self, question: Question, day: Any, month: Any, year: Any) -> tuple[Any, str | None]:
        return coercion.coerce_date_parts(question, day, month, year)

    def coerce_postcode_parts(self, question: Question, outward: Any, inward: Any) -> tuple[Any, str | None]:
        return coercion.coerce_postcode_parts(question, outward, inward)

    # ------------------------------------------------------------------------------------------ template

    def template_field_map(self) -> dict[int, TemplateFieldSpec]:
        result: dict[int, TemplateFieldSpec] = {}
        for question in self.questions.values():
            by_item: dict[int | None, list[int]]
            if isinstance(question.template_fields, dict):
                by_item = {item: numbers for item, numbers in question.template_fields.items()}
            else:
                by_item = {None: question.template_fields}
            for item, numbers in by_item.items():
                parts = self._template_parts(question, len(numbers))
                for number, part in zip(numbers, parts, strict=True):
                    result[number] = TemplateFieldSpec(question.id, question.group, item, part)
            for option in question.options:
                for number in option.template_fields:
                    result[number] = TemplateFieldSpec(question.id, question.group, None, option.code)
        return dict(sorted(result.items()))

    def template_value_maps(self) -> dict[int, dict[str, str]]:
        """Field number -> {value as the official template codes it: the stored code, as text}.

        Only for fields whose question has options the template codes differently (`template_code`).
        """
        maps: dict[int, dict[str, str]] = {}
        for question in self.questions.values():
            if not any(option.template_code is not None for option in question.options):
                continue
            table = {
                str(option.code if option.template_code is None else option.template_code): str(option.code)
                for option in question.options
            }
            if isinstance(question.template_fields, dict):
                numbers = [n for item_numbers in question.template_fields.values() for n in item_numbers]
            else:
                numbers = list(question.template_fields)
            for number in numbers:
                maps[number] = table
        return maps

    @staticmethod
    def _template_parts(question: Question, count: int) -> list[Any]:
        if question.type == "date" and count == 3:
            return ["day", "month", "year"]
        if question.type == "postcode" and count == 2:
            return ["outward", "inward"]
        return [None] * count

    # ------------------------------------------------------------------------------------------ evaluation

    def evaluate(
        self, answers: dict[str, Any], *, confirmations: dict[str, Any] | None = None, context: EvalContext | None = None
    ) -> Evaluation:
        context = context or EvalContext()
        record_ids = self._record_ids
        record = {k: v for k, v in answers.items() if k in record_ids and v is not None}
        items = {
            g: [{k: v for k, v in item.items() if k in ids and v is not None}
                for item in (answers.get(g) or []) if isinstance(item, dict)]
            for g, ids in self._group_question_ids.items()
        }
        # What was given, for the answers not kept (derived values that `set` answers write into `record`).
        given = dict(record)
        given_items = {g: [dict(item) for item in group_items] for g, group_items in items.items() if group_items}
        for _ in range(_MAX_PASSES):
            scope, derived = self._compute_scope(record, items, context)
            # An answer set by a derived value that an earlier derived value (or its own condition) reads makes
            # another pass, in which they all see it from the start.
            set_changed = scope.pop(SET_CHANGED_KEY, False)
            walk = self._walk(scope, record, items)
            record, items = walk.record, walk.items
            if not walk.changed and not set_changed:
                break
        evaluation = self._finish(scope, derived, walk, confirmations or {})
        evaluation.cleared = self._cleared(given, given_items, evaluation)
        return evaluation

    def _cleared(
        self, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], evaluation: Evaluation
    ) -> list[Cleared]:
        """The answers given that the evaluation did not keep (see reference.cleared_answers, which says what this
        must give)."""
        questions = self.questions
        kept = evaluation.answers
        lost = [(FieldRef(qid), answer) for qid, answer in record.items() if qid not in kept]
        for group_id, group_items in items.items():
            kept_items = kept.get(group_id) or []
            for number, item in enumerate(group_items, 1):
                kept_item = kept_items[number - 1] if number <= len(kept_items) else {}
                for qid, answer in item.items():
                    if qid not in kept_item:
                        lost.append((FieldRef(qid, group_id, number), answer))
        if not lost:
            return []
        lost.sort(key=lambda pair: (questions[pair[0].question_id].position, pair[0].item or 0))
        scope = evaluation.scope
        restored = dict(scope)
        for group_id in self.groups:
            restored[group_id] = [dict(item) for item in scope[group_id]]
        for ref, answer in lost:
            question = questions[ref.question_id]
            convert = _SCOPE_CONVERTERS.get(question.type)
            value = convert(answer) if convert is not None else answer
            if ref.group is None:
                restored[ref.question_id] = value
            elif ref.item is not None and ref.item <= len(restored[ref.group]):
                restored[ref.group][ref.item - 1][ref.question_id] = value
        lost_keys = {ref.key for ref, _answer in lost}
        fired = {(p.rule_id, p.item) for p in evaluation.problems}
        refused: dict[str, list[Problem]] = {}
        lost_ids = {ref.question_id for ref, _answer in lost}
        for rule in self.validations:
            if rule.severity != "hard" or not any(f in lost_ids for f in rule.fields):
                continue
            if rule.group is None:
                targets: list[tuple[Any, int | None]] = [(restored, None)]
            else:
                targets = [(ItemScope(item, restored, n), n) for n, item in enumerate(restored[rule.group], 1)]
            by_value = self._rule_value_names.get(rule.id)
            if by_value is None:
                by_value = self._rule_value_names[rule.id] = names_read_for_value(rule.when.ast)
            for read, rule_item in targets:
                _refs, keys, _fields, _key = self._rule_parts(rule, rule_item)
                hit = [key for f, key in zip(rule.fields, keys, strict=True) if key in lost_keys and f not in by_value]
                if not hit or (rule.id, rule_item) in fired or not rule.when.fn(read):
                    continue
                for problem in self._rule_problems(rule, [(read, rule_item)], None):
                    for key in hit:
                        refused.setdefault(key, []).append(problem)
        return [Cleared(ref, answer, self._false_condition(ref, scope), refused.get(ref.key, []))
                for ref, answer in lost]

    def _false_condition(self, ref: FieldRef, scope: dict[str, Any]) -> Expression | None:
        question = self.questions[ref.question_id]
        read: Any = scope
        if ref.group is not None:
            if ref.item is None or ref.item > len(scope[ref.group]):
                return None
            read = ItemScope(scope[ref.group][ref.item - 1], scope, ref.item)
        section = self.section(question.section_id)
        if section.condition is not None and not section.condition.fn(scope):
            return section.condition
        for condition in (self.page(question.page_id).condition, question.condition):
            if condition is not None and not condition.fn(read):
                return condition
        return None

    def _compute_scope(
        self, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], context: EvalContext
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The scope of one pass (answers as values, the context, derived values) and the record-level derived
        values."""
        scope: dict[str, Any] = dict(record)
        self._convert(scope)
        scope[CONTEXT_KEY] = context
        for name in self.context_names:
            scope[name] = context.extra.get(name)
        for group_id, group_items in items.items():
            converters = self._group_converters[group_id]
            item_scopes = []
            for item in group_items:
                item_scope = dict(item)
                for question_id, convert in converters:
                    value = item_scope.get(question_id)
                    if value is not None:
                        item_scope[question_id] = convert(value)
                item_scopes.append(item_scope)
            scope[group_id] = item_scopes
        derived: dict[str, Any] = self._derive(scope, record, items, self._set_answer)
        return scope, derived

    def _set_answer(self, question: Question, value: Any, write: dict[str, Any], answers: dict[str, Any]) -> bool:
        """A derived value that `sets` a question stores its value as the answer (when it is a valid one).
        Whether that changed the answer."""
        kind = type(value)
        # Most values set are codes: their remembered coercion is looked up here, as _coerce_set_value would.
        found = self._coerce_memo.get((question.id, kind, value)) if kind is int or kind is str else None
        stored, error = found if found is not None else self._coerce_set_value(question, value)
        if error is None and stored is not None:
            changed = answers.get(question.id) != stored
            answers[question.id] = stored
            write[question.id] = value if not isinstance(stored, str) or question.type == "text" else \
                _SCOPE_CONVERTERS.get(question.type, lambda v: v)(stored)
            return changed
        return False

    def _coerce_set_value(self, question: Question, value: Any) -> tuple[Any, str | None]:
        """Coercion of a derived value into its question's answer, remembered per value (derived values repeat
        from record to record; coercion is pure). Only for value types whose equal values coerce alike: 1 and
        True, or Decimal("1.0") and Decimal("1.00"), are equal but may not."""
        kind = type(value)
        raw = value.isoformat() if isinstance(value, date) else value
        if kind is Decimal:
            return self._coerce_remembered(question, (question.id, kind, str(value)), raw)
        if kind is str or kind is int or kind is date:
            return self._coerce_remembered(question, (question.id, kind, value), raw)
        return coercion.coerce(question, raw)

    def _coerce_remembered(self, question: Question, key: tuple[Any, ...], raw: Any) -> tuple[Any, str | None]:
        """coercion.coerce(question, raw), remembered under `key` (which must tell apart every two values that
        could coerce differently); lists and dicts are never shared between records."""
        memo = self._coerce_memo
        found = memo.get(key)
        if found is None:
            found = coercion.coerce(question, raw)
            if isinstance(found[0], list | dict):
                return found
            if len(memo) >= _COERCE_MEMO_SIZE:
                memo.clear()  # bounded: a worker's memory stays flat however many records it evaluates
            memo[key] = found
        return found

    def _walk(self, scope: dict[str, Any], record: dict[str, Any], items: dict[str, list[dict[str, Any]]]) -> _Walk:
        """Work out what applies, keeping only the answers to questions that apply."""
        walk = _Walk()
        # Every count is worked out before any group's items change (as a count could read another group).
        counts = [(group_id, self._item_count(group, scope, items[group_id])) for group_id, group in self._groups]
        rows: dict[str, list[tuple[int, dict[str, Any], dict[str, Any], dict[str, Any]]]] = {}
        for group_id, count in counts:
            old_items = items[group_id]
            kept_items = walk.items[group_id] = [{} for _ in range(count)]
            item_scopes = scope[group_id]
            if len(old_items) != count:
                walk.changed = True
                # Items past the count are dropped; new items start empty.
                item_scopes = scope[group_id] = (item_scopes + [{} for _ in range(count)])[:count]
                old_items = (old_items + [{} for _ in range(count)])[:count]
            rows[group_id] = list(zip(range(1, count + 1), item_scopes, old_items, kept_items, strict=True))
        walk.answered = self._walk_pages(
            scope, record, walk.record, rows, walk.sections, walk.pages, walk.applicable, walk.keys, walk.missing,
            walk.problems, self._ask_ref, self._page_instance, self._type_problem)
        if not walk.changed:
            walk.changed = self._cleared_what_applies_reads(record, items, walk)
        return walk

    def _cleared_what_applies_reads(
        self, record: dict[str, Any], items: dict[str, list[dict[str, Any]]], walk: _Walk
    ) -> bool:
        """Whether the pass cleared an answer that a derived value, condition or count reads (so another pass
        could work out something else). Kept answers are a subset of the pass's input, so equal sizes mean
        nothing was cleared."""
        reads = self._walk_reads
        if len(walk.record) != len(record) and any(k in reads for k in record if k not in walk.record):
            return True
        for group_id, kept_items in walk.items.items():
            for new, old in zip(kept_items, items[group_id], strict=False):
                if len(new) != len(old) and any(k in reads for k in old if k not in new):
                    return True
        return False

    def _item_count(self, group: Group, scope: dict[str, Any], items: list[dict[str, Any]]) -> int:
        if group.count is None:
            count = len(items)
        else:
            value = group.count.fn(scope)
            try:
                count = int(value) if value is not None else 0
            except (TypeError, ValueError):
                count = 0
        # group.clamp, written out
        if count < group.min_items:
            count = group.min_items
        largest = group.max_items
        return count if largest is None or count <= largest else largest

    def _page_instance(self, page: Page, item: int | None) -> PageInstance:
        found = self._page_instances.get((page.id, item))
        if found is None:
            found = self._page_instances[(page.id, item)] = PageInstance(page, item)
        return found

    def _ask_ref(self, ask: _Ask, item: int) -> tuple[FieldRef, str]:
        refs = ask.refs
        return refs[item] if item < len(refs) else self._ref_of(ask.id, ask.question.group, item)

    # ------------------------------------------------------------------------------------------ problems

    def _type_problem(self, ask: _Ask, item: int, message: str) -> Problem:
        question = ask.question
        ref, key = self._ask_ref(ask, item)
        number = item or None
        return Problem(
            rule_id=f"type.{question.id}", severity="hard", message=message, fields=[ref],
            template_fields=question.template_fields_for(number), item=number, confirmation_key=f"type.{key}",
        )

    def _late_checks(self, scope: dict[str, Any], problems: list[Any]) -> list[Problem]:
        """The type problems of the walk, with the checks it left for the final scope (bounds that are
        expressions) made in their places."""
        found: list[Problem] = []
        for problem in problems:
            if type(problem) is not tuple:
                found.append(problem)
                continue
            ask, item, value = problem
            group = ask.question.group
            read = scope if not item else ItemScope(scope[group][item - 1], scope, item)  # type: ignore[index]
            message = ask.check(value, read)
            if message is not None:
                found.append(self._type_problem(ask, item, message))
        return found

    def _finish(
        self, scope: dict[str, Any], derived: dict[str, Any], walk: _Walk, confirmations: dict[str, Any]
    ) -> Evaluation:
        """The evaluation from the last pass: its scope, record-level derived values (what _derive returned: the
        walk changes no derived value) and walk."""
        problems: list[Problem] = walk.problems
        if problems and any(type(problem) is tuple for problem in problems):
            problems = self._late_checks(scope, problems)
        missing = walk.missing
        applicable = walk.applicable
        keys = walk.keys
        answered = any(walk.answered)
        confirmed: list[Problem] = []
        applicable_keys: set[str] | None = None
        rules = self._validations
        for held in self._record_rules(scope):
            if type(held) is int:
                rule = rules[held]
                targets: list[tuple[Any, int | None]] = [(scope, None)]
            else:  # (rule, item number) of a group rule: an ItemScope for the messages
                rule = rules[held[0]]
                number = held[1]
                targets = [(ItemScope(scope[rule.group][number - 1], scope, number), number)]  # type: ignore[index]
            if applicable_keys is None:
                applicable_keys = set(keys)
            for problem in self._rule_problems(rule, targets, applicable_keys):
                token = confirmations.get(problem.confirmation_key)
                if problem.severity == "soft" and token is not None and token == problem.confirmation_token:
                    confirmed.append(problem)
                else:
                    problems.append(problem)
        for name, group_id in self._group_derived:
            derived[name] = [item.get(name) for item in scope[group_id]]
        answers = walk.record  # (made by the last pass's walk for this evaluation alone)
        for group_id, group_items in walk.items.items():
            if group_items:
                answers[group_id] = group_items
        return Evaluation(
            answers=answers, derived=derived, applicable_pages=walk.pages, applicable_questions=applicable,
            problems=problems, missing=missing, status=self._status(answered, missing, problems),
            confirmed=confirmed, section_statuses=self._section_statuses(walk, missing, problems), scope=scope,
            definition=self,
        )

    def _ref_of(self, question_id: str, group: str | None, item: int | None) -> tuple[FieldRef, str]:
        """FieldRefs are immutable, so one object per (question, item) is shared by every evaluation."""
        cache_key = (question_id, item)
        found = self._ref_cache.get(cache_key)
        if found is None:
            ref = FieldRef(question_id, group, item)
            found = self._ref_cache[cache_key] = (ref, ref.key)
        return found

    def _rule_problems(
        self, rule: Rule, targets: list[tuple[Any, int | None]], applicable: set[str] | None
    ) -> list[Problem]:
        """The problems of a rule whose condition holds for the record, or for these items."""
        found: list[Problem] = []
        for read, item in targets:
            refs, keys, template_fields, confirmation_key = self._rule_parts(rule, item)
            # A problem must be fixable where it is shown: skip it when none of its questions is asked.
            if applicable is not None and keys and not any(key in applicable for key in keys):
                continue
            message, title, token = self._rule_texts(rule, read)
            found.append(Problem(
                rule_id=rule.id, severity=rule.severity, message=message, fields=list(refs),
                template_fields=list(template_fields), title=title, confirm_label=rule.confirm_label, item=item,
                confirmation_key=confirmation_key, confirmation_token=token,
            ))
        return found

    def _rule_parts(
        self, rule: Rule, item: int | None
    ) -> tuple[tuple[FieldRef, ...], tuple[str, ...], tuple[int, ...], str]:
        """What a rule's problem shows that depends only on the item: its fields (refs and keys), template
        fields and confirmation key. Made once per rule and item."""
        cache_key = (rule.id, item)
        found = self._rule_parts_cache.get(cache_key)
        if found is None:
            pairs = [self._ref_of(f, self.questions[f].group, item if self.questions[f].group else None)
                     for f in rule.fields]
            found = (
                tuple(ref for ref, _key in pairs), tuple(key for _ref, key in pairs),
                tuple(n for f in rule.fields for n in self.questions[f].template_fields_for(item)),
                rule.id if item is None else f"{rule.id}.{item}",
            )
            if len(self._rule_parts_cache) < _RULE_PARTS_LIMIT:  # bounded: groups without max_items
                self._rule_parts_cache[cache_key] = found
        return found

    def _rule_texts(self, rule: Rule, read: Any) -> tuple[str, str | None, str | None]:
        """A problem's message, title and confirmation token: they depend only on the values the rule reads,
        which repeat from record to record, so they are remembered per rule and values (bounded)."""
        values = [read.get(name) for name in rule.reads]
        key = _values_key(rule.id, values)
        found = self._rule_texts_memo.get(key) if key is not None else None
        if found is None:
            found = (
                self._fill(rule.message, read), self._fill(rule.title, read) if rule.title else None,
                _token(list(zip(rule.reads, values, strict=True))) if rule.severity == "soft" else None,
            )
            if key is not None:
                if len(self._rule_texts_memo) >= _RULE_TEXTS_MEMO_SIZE:
                    self._rule_texts_memo.clear()
                self._rule_texts_memo[key] = found
        return found

    def _fill(self, text: str, read: Any) -> str:
        return _PLACEHOLDER_RE.sub(lambda m: _display(read.get(m.group(1)), self.questions.get(m.group(1))), text)

    @staticmethod
    def _status(answered: bool, missing: list[FieldRef], problems: list[Problem]) -> str:
        if not missing and not problems:
            return "completed"
        return "in_progress" if answered else "not_started"

    def _section_statuses(self, walk: _Walk, missing: list[FieldRef], problems: list[Problem]) -> dict[str, str]:
        if not missing and not problems:  # (walk.sections holds every section, in order)
            return {section_id: "completed" if shown else "cannot_start_yet"
                    for section_id, shown in walk.sections.items()}
        statuses: dict[str, str] = {}
        section_of = self._section_of
        missing_sections = {section_of[ref.question_id] for ref in missing}
        problem_sections = {section_of[ref.question_id] for p in problems for ref in p.fields}
        answered_sections: set[str] | None = None
        for section in self.sections:
            if not walk.sections[section.id]:
                statuses[section.id] = "cannot_start_yet"
            elif section.id not in missing_sections and section.id not in problem_sections:
                statuses[section.id] = "completed"
            else:
                if answered_sections is None:
                    answered_sections = {step.section.id for step, answered in zip(self._plan, walk.answered,
                                                                                    strict=True) if answered}
                statuses[section.id] = "in_progress" if section.id in answered_sections else "not_started"
        return statuses

    def page_problems(
        self, evaluation: Evaluation, page_instance: PageInstance
    ) -> tuple[list[Problem], list[FieldRef]]:
        """The problems and missing answers that belong on one page (instance) of the web form."""
        ids = {q.id for q in page_instance.page.questions}
        item = page_instance.item

        def on_page(ref: FieldRef) -> bool:
            return ref.question_id in ids and ref.item == item

        problems = [p for p in evaluation.problems if p.fields and on_page(p.fields[0])]
        missing = [ref for ref in evaluation.missing if on_page(ref)]
        return problems, missing

    # ------------------------------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        def source(expression: Expression | None) -> str | None:
            return expression.source if expression is not None else None

        def bound(value: Any) -> Any:
            if isinstance(value, Expression):
                return value.source
            if isinstance(value, date | Decimal):
                return str(value)
            return value

        questions = []
        for section in self.sections:
            for page in section.pages:
                for q in page.questions:
                    questions.append({
                        "id": q.id, "type": q.type, "label": q.label, "hint": q.hint, "required": q.required,
                        "options": [{"code": o.code, "label": o.label} for o in q.options],
                        "options_source": q.options_source,
                        "condition": source(q.condition), "page_condition": source(page.condition),
                        "group": q.group, "template_fields": q.all_template_fields(), "page": page.id,
                        "section": section.id, "min": bound(q.min), "max": bound(q.max),
                        "set_by_system": q.set_by_system,
                    })
        return {
            "collection": self.collection, "form": self.form, "year": self.year, "title": self.title,
            "sections": [{"id": s.id, "title": s.title, "condition": source(s.condition),
                          "pages": [p.id for p in s.pages]} for s in self.sections],
            "groups": [{"id": g.id, "title": g.title, "count": source(g.count), "min_items": g.min_items,
                        "max_items": g.max_items, "questions": g.question_ids} for g in self.groups.values()],
            "questions": questions,
            "derived": [{"id": d.id, "label": d.label, "value": d.value.source, "condition": source(d.condition),
                         "sets": d.sets, "group": d.group} for d in self.derived],
            "validations": [{"id": r.id, "ref": r.ref, "severity": r.severity, "when": r.when.source,
                             "fields": r.fields, "message": r.message, "group": r.group} for r in self.validations],
        }
