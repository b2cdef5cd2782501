"""The generated walk (definition._walk_function) checks asked answers inline: its results are those of the
plain checks.

`coerce.plainly_valid_source` writes out a check that may only accept what `check_value` accepts; the walk
reports, for every question it asks, the FieldRef, whether the answer is missing and its type problem, which
must be exactly what `check_value` says of the answer kept, in the order questions are asked.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from dcp_platform.definitions import Definition, EvalContext, Evaluation, Option, Question
from dcp_platform.definitions.coerce import (
    check_value,
    make_checker,
    plainly_valid_lines,
    plainly_valid_source,
)
from dcp_platform.definitions.expressions import ItemScope

from .test_evaluate_golden import DEFINITIONS, _cases, _value, context_for, make_records

VALUES: list[Any] = [
    1, True, 0, False, 1.0, Decimal("1"), Decimal("1.0"), Decimal("-0"), "1", " 1 ", "", 2, 7, 17, -3, 10**7,
    120, 121, "abc", "x" * 255, "x" * 256, Decimal("95.5"), "95.50", date(2026, 6, 1), "2026-06-01", "A", "a",
    "PRP", [1], ["1"], [], {"a": 1}, 1.5, NAN := Decimal("NaN"),
]


def _question(kind: str, **kwargs: Any) -> Question:
    codes = kwargs.pop("codes", None)
    question = Question(id="x", type=kind, label="X", **kwargs)
    if codes is not None:
        question.options = [Option(code=code, label=str(code)) for code in codes]
        question.codes = frozenset(codes)
    return question


QUESTIONS = [
    _question("radios", codes=[1, 2, 17]), _question("radios", codes=["A", "B"]), _question("yesno", codes=[0, 1]),
    _question("select", codes=[1, "A"]), _question("radios", codes=[True, 2]), _question("integer"),
    _question("integer", min=1, max=120), _question("integer", min=-3), _question("integer", max=Decimal("7.5")),
    _question("integer", min=0, max=150, step=1), _question("text"), _question("text", max_length=255),
    _question("organisation", codes=["PRP"]),
]


def _made(question: Question) -> tuple[str | None, dict[str, Any]]:
    names: dict[str, Any] = {}

    def constant(item: Any) -> str:
        name = f"_k{len(names)}"
        names[name] = item
        return name

    return plainly_valid_source(question, "value", constant), names


def test_inline_checks_of_every_core_question_accept_only_what_check_value_accepts() -> None:
    definition = DEFINITIONS["core"]()
    made = 0
    for question in definition.questions.values():
        source, names = _made(question)
        if source is None:
            continue
        made += 1
        for value in CHECKED_VALUES:
            fast = bool(eval(source, {"__builtins__": {"type": type, "int": int, "str": str, "len": len}, **names},  # noqa: S307
                             {"value": value}))
            if fast:
                assert check_value(question, value, None) is None, (question.id, value)
    assert made >= 40


def _plain_report(definition: Definition, evaluation: Evaluation) -> tuple[list[Any], list[Any]]:
    """Missing answers and type problems worked out plainly from what the evaluation asked and kept."""
    missing: list[Any] = []
    problems: list[Any] = []
    scope = evaluation.scope
    for ref in evaluation.applicable_questions:
        question = definition.question(ref.question_id)
        if ref.item is None:
            value, read = evaluation.answers.get(ref.question_id), scope
        else:
            value = evaluation.answers[ref.group][ref.item - 1].get(ref.question_id)  # type: ignore[index]
            read = ItemScope(scope[ref.group][ref.item - 1], scope, ref.item)  # type: ignore[index]
        if value is None:
            if question.required:
                missing.append(ref)
            continue
        message = check_value(question, value, read)
        if message is not None:
            problems.append((f"type.{question.id}", ref, message, ref.item))
    return missing, problems


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_the_walk_reports_what_plain_checks_of_the_kept_answers_report(name: str) -> None:
    definition = DEFINITIONS[name]()
    cases = _cases(name)
    rng = random.Random(f"walk-{name}")
    records = [copy.deepcopy(case["answers"]) for case in cases] + make_records(name, definition, rng)
    questions = list(definition.questions.values())
    for answers in list(records):  # and with more answers of the wrong type
        spoiled = copy.deepcopy(answers)
        for question in rng.sample(questions, k=min(10, len(questions))):
            value = _value(question, rng) if rng.random() < 0.5 else rng.choice(VALUES)
            if isinstance(value, list | dict) and question.type != "checkboxes" or value is NAN:
                continue  # (evaluate cannot take these, before the walk or since)
            if question.group is None:
                spoiled[question.id] = value
            elif spoiled.get(question.group):
                rng.choice(spoiled[question.group])[question.id] = value
        records.append(spoiled)
    type_problems = 0
    for number, answers in enumerate(records):
        case = cases[number % len(cases)]
        evaluation = definition.evaluate(answers, context=context_for(case))
        missing, problems = _plain_report(definition, evaluation)
        assert evaluation.missing == missing, number
        found = [(p.rule_id, p.fields[0], p.message, p.item) for p in evaluation.problems if p.rule_id.startswith("type.")]
        assert found == problems, number
        type_problems += len(found)
    assert type_problems > 20


def test_a_check_whose_bound_is_an_expression_is_made_on_the_final_scope_in_its_place(
    build: Callable[..., Definition], base: Callable[[], dict[str, Any]],
) -> None:
    data = base()
    rent = data["sections"][0]["pages"][2]["questions"]
    rent[0]["max"] = "coalesce(extra, 0) + 100"  # brent's bound reads `extra`, asked after it on the same page
    definition = build(data)
    answers = {"renewal": 0, "rsnvac": 7, "brent": "150.00", "hasextra": 0, "extra": "500.00", "hhmemb": 1,
               "persons": [{"age": 30, "working": 3}]}
    evaluation = definition.evaluate(answers, context=EvalContext(today=date(2026, 6, 1)))
    # `extra` does not apply (hasextra is 0), so it is cleared after brent is asked: the bound is 100, not 600.
    assert "extra" not in evaluation.answers
    assert [(p.rule_id, p.item) for p in evaluation.problems] == [
        ("type.rsnvac", None), ("type.brent", None), ("type.working", 1)]
    assert evaluation.problems[1].message == "Enter the answer to “Basic rent” between 0 and 100"
    missing, problems = _plain_report(definition, evaluation)
    assert [(rule_id, item) for rule_id, _ref, _message, item in problems] == [
        ("type.rsnvac", None), ("type.brent", None), ("type.working", 1)]
    answers["hasextra"] = 1  # now `extra` applies: 150 is within the bound
    evaluation = definition.evaluate(answers, context=EvalContext(today=date(2026, 6, 1)))
    assert [p.rule_id for p in evaluation.problems] == ["type.rsnvac", "type.working"]


CHECKED = [
    *QUESTIONS, _question("date"), _question("date", min="2026-04-01", max=date(2027, 3, 31)),
    _question("date", min="not a date"), _question("checkboxes", codes=[1, 2, 3]), _question("checkboxes"),
    _question("postcode"), _question("email"), _question("email", max_length=12), _question("text", pattern="[0-9]{1,3}"),
    _question("text", pattern="[0-9]+", max_length=2), _question("select"), _question("organisation"),
    _question("money", min=0), _question("decimal", min=Decimal("-1.5"), max=10),
]
CHECKED_VALUES = [
    *VALUES, "2026-04-01", "2027-03-31", "2027-04-01", "2026-02-30", "20260601", "2026-06-01T10:00", [1, 3], [3, 1],
    [1, 4], [True], [[1]], ["1"], "LS6 1AA", "ls6 1aa", "LS61AA", "SW1A 1AA", "M1 1AE", "M11AE ", "LS6  1AA",
    "A@b.co", "a@b.c", "a@@b.co", "someone@example.org", "12", "123", "1234", "a12", "NaN", "sNaN", "-Infinity",
    "1e3", "-1.6", "-1.5", "10", "10.00", "10.01", " 9.5 ", "9,5",
]


@pytest.mark.parametrize("question", CHECKED, ids=lambda q: f"{q.type}-{q.min}-{q.max}-{q.pattern}-{q.max_length}")
def test_a_checker_says_what_check_value_says(question: Question) -> None:
    check = make_checker(question)
    for value in CHECKED_VALUES:
        try:
            expected: Any = check_value(question, value, None)
        except Exception as error:  # noqa: BLE001 - the kind of failure must be the same too
            expected = type(error)
        try:
            found: Any = check(value, None)
        except Exception as error:  # noqa: BLE001
            found = type(error)
        assert found == expected, value


@pytest.mark.parametrize("question", [q for q in CHECKED if _made(q)[0] is not None],
                         ids=lambda q: f"{q.type}-{sorted(map(str, q.codes))}-{q.min}-{q.max}-{q.pattern}")
def test_an_inline_check_accepts_only_what_check_value_accepts(question: Question) -> None:
    source, names = _made(question)
    assert source is not None
    accepted = 0
    for value in CHECKED_VALUES:
        fast = eval(source, {"__builtins__": {"type": type, "int": int, "str": str, "len": len}, **names},  # noqa: S307
                    {"value": value})
        if fast:
            accepted += 1
            assert check_value(question, value, None) is None, value
    assert accepted, "the inline check accepts nothing"


def _lines_made(question: Question) -> Callable[[Any], bool] | None:
    """plainly_valid_lines of a question as a function of the value."""
    names: dict[str, Any] = {}

    def constant(item: Any) -> str:
        name = f"_k{len(names)}"
        names[name] = item
        return name

    lines = plainly_valid_lines(question, "value", "plain", constant)
    if lines is None:
        return None
    source = "def plainly_valid(value):\n" + "".join(f"{'    ' * (1 + depth)}{line}\n" for depth, line in lines)
    source += "    return plain\n"
    namespace: dict[str, Any] = {"__builtins__": {"type": type, "str": str}, **names}
    exec(source, namespace)  # noqa: S102
    return namespace["plainly_valid"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("question", [q for q in CHECKED if _lines_made(q) is not None],
                         ids=lambda q: f"{q.type}-{sorted(map(str, q.codes))}-{q.min}-{q.max}")
def test_inline_check_statements_accept_only_what_check_value_accepts(question: Question) -> None:
    plainly_valid = _lines_made(question)
    assert plainly_valid is not None
    accepted = 0
    for value in CHECKED_VALUES:
        if plainly_valid(value):
            accepted += 1
            assert check_value(question, value, None) is None, value
    assert accepted, "the inline check accepts nothing"


def test_inline_check_statements_are_made_for_money_dates_and_checkboxes_of_core() -> None:
    definition = DEFINITIONS["core"]()
    kinds = {q.type for q in definition.questions.values() if _lines_made(q) is not None}
    assert kinds == {"money", "date", "checkboxes"}
    for question in definition.questions.values():
        plainly_valid = _lines_made(question)
        if plainly_valid is not None:
            for value in CHECKED_VALUES:
                if plainly_valid(value):
                    assert check_value(question, value, None) is None, (question.id, value)


def test_derived_values_read_answers_a_derived_value_has_set(
    build: Callable[..., Definition], base: Callable[[], dict[str, Any]],
) -> None:
    # rsnvac is read by several derived values (so generated code keeps it in a local variable), and set by
    # renewal_reason between them: the later ones see what it set at once, the earlier ones in the next pass
    # (evaluation repeats until a pass changes no answer), so evaluating the result again gives the same.
    data = base()
    data["derived"] = [
        {"id": "before", "value": "coalesce(rsnvac, 0) + 1000"},
        {"id": "before_too", "value": "if(answered(rsnvac), rsnvac, -1)"},
        *data["derived"],
        {"id": "after", "value": "coalesce(rsnvac, 0) + 1000"},
        {"id": "after_too", "value": "if(answered(rsnvac), rsnvac * 2, -1)"},
        {"id": "from_derived", "value": "after + after_too + totchild"},
    ]
    definition = build(data)
    assert "v_rsnvac = g('rsnvac')  # as set_answer left it" in definition._derive.source  # type: ignore[attr-defined]
    context = EvalContext(today=date(2026, 6, 1))
    renewal = definition.evaluate({"renewal": 1, "hhmemb": 1, "persons": [{"age": 10}]}, context=context)
    assert {k: renewal.derived[k] for k in ("before", "before_too", "after", "after_too", "from_derived")} == {
        "before": 1014, "before_too": 14, "after": 1014, "after_too": 28, "from_derived": 1043}
    assert renewal.answers["rsnvac"] == 14
    assert definition.evaluate(renewal.answers, context=context).derived == renewal.derived
    relet = definition.evaluate({"renewal": 0, "rsnvac": 1, "hhmemb": 1, "persons": [{"age": 30}]}, context=context)
    assert {k: relet.derived[k] for k in ("before", "before_too", "after", "after_too", "from_derived")} == {
        "before": 1001, "before_too": 1, "after": 1001, "after_too": 2, "from_derived": 1003}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_derived_values_come_in_the_order_of_the_definition(name: str) -> None:
    # Record-level values first (the generated derive fills a copy of a dict with their keys), then those of
    # group items.
    definition = DEFINITIONS[name]()
    case = _cases(name)[0]
    evaluation = definition.evaluate(copy.deepcopy(case["answers"]), context=context_for(case))
    record_level = [d.id for d in definition.derived if d.group is None]
    assert list(evaluation.derived) == record_level + [d.id for d in definition.derived if d.group is not None]
    again = definition.evaluate(copy.deepcopy(case["answers"]), context=context_for(case))
    assert again.derived == evaluation.derived and again.derived is not evaluation.derived


def test_conditions_reading_a_cleared_answer_from_a_local_variable_see_it_cleared(
    build: Callable[..., Definition], base: Callable[[], dict[str, Any]],
) -> None:
    data = base()
    data["sections"][0]["pages"].append({"id": "extra_pages", "condition": "answered(extra)", "questions": [
        {"id": "extra_note", "type": "text", "label": "About the other charges", "required": False},
        {"id": "extra_high", "type": "yesno", "label": "Is it high?", "condition": "extra > 10"},
    ]})
    definition = build(data)
    # `extra` is read by two conditions, so the generated walk reads it once into a local variable.
    assert "v_extra = g('extra')" in definition._walk_pages.source  # type: ignore[attr-defined]
    answers = {"renewal": 0, "rsnvac": 1, "brent": "150.00", "hasextra": 0, "extra": "50.00", "extra_note": "x",
               "extra_high": 1, "hhmemb": 1, "persons": [{"age": 30, "working": 1}]}
    context = EvalContext(today=date(2026, 6, 1))
    evaluation = definition.evaluate(answers, context=context)
    assert not {"extra", "extra_note", "extra_high"} & set(evaluation.answers)
    assert "extra_pages" not in [instance.page.id for instance in evaluation.applicable_pages]
    answers["hasextra"] = 1
    evaluation = definition.evaluate(answers, context=context)
    assert {"extra", "extra_note", "extra_high"} <= set(evaluation.answers)
    answers["extra"] = "5.00"  # not high: only that question is cleared
    evaluation = definition.evaluate(answers, context=context)
    assert "extra_note" in evaluation.answers and "extra_high" not in evaluation.answers


SHAPES = [
    "a == 1 and b == 2", "a == 1 or b == 2", "(a == 1 or b == 2) and c == 3", "a == 1 or (b == 2 and c == 3)",
    "(a == 1 and b == 2) or c == 3", "a == 1 and (b == 2 or c == 3 or any(persons, age > 60))",
    "not (a == 1 or b == 2) and all(persons, age > 10)", "count(persons, age < 16) > 0 or a == 1 and b == 2",
    "a == 1 and b == 2 and c == 3 and (any(persons, age < 5) or all(persons, age > 16) or not any(persons, age > 90))",
    "(a == 1 or b == 2) or (c == 3 or a == 2)", "answered(a) and (a > 2 or b < 2) and c != 3",
]


def test_rules_written_as_nested_ifs_hold_as_their_conditions_do(
    build: Callable[..., Definition], base: Callable[[], dict[str, Any]],
) -> None:
    data = base()
    data["sections"][0]["pages"].append({"id": "abc", "questions": [
        {"id": name, "type": "integer", "label": name, "required": False} for name in "abc"]})
    data["validations"] = [{"id": f"shape{number}", "severity": "hard", "when": shape, "fields": ["a"], "message": "x"}
                           for number, shape in enumerate(SHAPES)]
    definition = build(data)
    rng = random.Random("shapes")
    held = set()
    for _ in range(400):
        answers: dict[str, Any] = {name: rng.choice([None, 1, 2, 3]) for name in "abc"}
        answers |= {"renewal": 0, "rsnvac": 1, "brent": "10.00", "hhmemb": rng.randint(1, 4)}
        answers["persons"] = [{"age": rng.choice([None, 3, 12, 30, 70, 95])} for _ in range(answers["hhmemb"])]
        evaluation = definition.evaluate(answers, context=EvalContext(today=date(2026, 6, 1)))
        expected = [index for index, rule in enumerate(definition.validations) if rule.when.fn(evaluation.scope)]
        assert definition._record_rules(evaluation.scope) == expected, answers
        held.update(expected)
    assert held == set(range(len(SHAPES)))


def test_core_rules_hold_as_their_conditions_do() -> None:
    definition = DEFINITIONS["core"]()
    for case in _cases("core"):
        evaluation = definition.evaluate(copy.deepcopy(case["answers"]), context=context_for(case))
        scope = evaluation.scope
        expected: list[Any] = []
        for index, rule in enumerate(definition.validations):
            if rule.group is None:
                expected += [index] if rule.when.fn(scope) else []
            else:
                expected += [(index, number) for number, item in enumerate(scope[rule.group], start=1)
                             if rule.when.fn(ItemScope(item, scope, number))]
        assert definition._record_rules(scope) == expected
