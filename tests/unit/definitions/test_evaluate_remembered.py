"""What `Definition.evaluate` remembers between records (for bulk upload's speed) never changes a result.

The golden results are checked again with one definition evaluating every case three times over, so the
second and third rounds run with everything remembered from the others.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from dcp_platform.definitions import Definition, coerce
from dcp_platform.definitions.compare import differences

from .test_evaluate_golden import DEFINITIONS, _cases, context_for, recorded


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_golden_results_hold_when_evaluated_again_and_again(name: str) -> None:
    definition = DEFINITIONS[name]()
    cases = _cases(name)
    for _round in range(3):
        for number, case in enumerate(cases):
            evaluation = definition.evaluate(copy.deepcopy(case["answers"]), confirmations=case["confirmations"],
                                             context=context_for(case))
            lines = differences(case["expected"], recorded(evaluation))
            assert not lines, f"round {_round}, case {number}: " + "; ".join(lines)


VALUES: list[Any] = [
    1, True, 0, False, 1.0, Decimal("1"), Decimal("1.0"), Decimal("1.00"), Decimal("-0"), "1", " 1 ", "1.0",
    "", None, 2, 17, -3, 10**7, "abc", "yes", Decimal("95.5"), "95.50", date(2026, 6, 1), "2026-06-01",
    "2026-13-01", [1], ["1"], [],
]


@pytest.fixture(scope="module")
def core() -> Definition:
    return DEFINITIONS["core"]()


def test_remembered_coercion_of_derived_values_gives_what_coercion_gives(core: Definition) -> None:
    questions = [core.question(d.sets) for d in core.derived if d.sets is not None]
    questions += list(core.questions.values())
    assert any(q.type == "checkboxes" for q in questions)
    for _round in range(2):  # the second round answers from memory
        for question in questions:
            for value in VALUES:
                expected = coerce.coerce(question, value.isoformat() if isinstance(value, date) else value)
                found = core._coerce_set_value(question, value)
                assert found == expected and repr(found) == repr(expected), (question.id, value)
                if isinstance(found[0], list) and not isinstance(value, list):
                    assert found[0] is not core._coerce_set_value(question, value)[0]  # never shared


def test_remembered_coercion_of_input_gives_what_coercion_gives(core: Definition) -> None:
    """Definition.coerce (forms, API, uploads) remembers results per question and text or whole number, in the
    memory derived values use too: mixed calls, in both orders, give exactly coercion's results."""
    values: list[Any] = [v for v in VALUES if type(v) in (str, int, bool)]
    values += ["2026-06-01", "01/06/2026", "2026-02-31", " 12 ", "12.50", "-1", "1e3", "LS6 1AA", "ls61aa", "=1+1", "0"]
    for _round in range(2):  # the second round answers from memory
        for question in core.questions.values():
            for value in values:
                expected = coerce.coerce(question, value)
                for found in (core.coerce(question, value), core._coerce_set_value(question, value) if
                              type(value) in (str, int) else expected, core.coerce(question, value)):
                    assert found == expected and repr(found) == repr(expected), (question.id, value)
                if isinstance(expected[0], list):
                    assert core.coerce(question, value)[0] is not core.coerce(question, value)[0]  # never shared


def test_problem_texts_are_remembered_only_under_keys_that_tell_values_apart() -> None:
    from dcp_platform.definitions.evaluation import _values_key

    alike = [1, True, 1.0, Decimal("1"), Decimal("1.0"), Decimal("1.00"), "1"]
    keys = [_values_key("rule", [value]) for value in alike]
    assert len(set(keys)) == len(alike)
    assert _values_key("rule", [date(2026, 6, 1), None, "x"]) == _values_key("rule", [date(2026, 6, 1), None, "x"])
    assert _values_key("rule", [[1, 2]]) is None  # lists are not remembered
    assert _values_key("a", [1]) != _values_key("b", [1])
