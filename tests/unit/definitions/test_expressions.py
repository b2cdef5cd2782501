from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from dcp_platform.definitions import EvalContext, ExpressionError, parse_expression
from dcp_platform.definitions.expressions import CONTEXT_KEY


def ev(text: str, scope: dict[str, Any] | None = None, **functions: Any) -> Any:
    return parse_expression(text, functions=functions)(scope or {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("7 / 2", Decimal("3.5")),
        ("-3 + 1", -2),
        ("2.5 * 2", Decimal("5.0")),
        ('"a" + "b"', "ab"),
        ("1 == 1", True),
        ("1 != 1", False),
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 4", False),
        ("4 >= 5", False),
        ("2 in [1, 2]", True),
        ("3 not in [1, 2]", True),
        ("true and false", False),
        ("true or false", True),
        ("not true", False),
        ("not 1 == 2", True),
        ("1 == 1 and 2 == 2 or false", True),
        ("false or 1 == 1 and 1 == 2", False),
        ('{1: "a", 2: "b"}', {1: "a", 2: "b"}),
        ("[1, 2, 3]", [1, 2, 3]),
    ],
)
def test_operators(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x == 1", False),
        ("x == null", True),
        ("x != 1", True),
        ("x != null", False),
        ("x < 1", False),
        ("x <= 1", False),
        ("x > 1", False),
        ("x >= 1", False),
        ("1 < x", False),
        ("x in [1, 2]", False),
        ("x in [null]", False),
        ("x not in [1, 2]", True),
        ("x + 1", None),
        ("1 * x", None),
        ("x / 2", None),
        ("-x", None),
        ("x and true", False),
        ("x or true", True),
        ("not x", True),
    ],
)
def test_null_rules(text: str, expected: Any) -> None:
    assert ev(text, {"x": None}) is expected or ev(text, {"x": None}) == expected


def test_division_by_zero_is_null() -> None:
    assert ev("1 / 0") is None


def test_names_and_names_set() -> None:
    expression = parse_expression("a + b > c and d in [1, 2]")
    assert expression.names == {"a", "b", "c", "d"}
    assert expression({"a": 1, "b": 2, "c": 2, "d": 1}) is True
    assert expression({"a": 1, "b": 2, "c": 3, "d": 1}) is False


def test_yaml_scalars_are_literals() -> None:
    assert parse_expression(14)({}) == 14
    assert parse_expression(True)({}) is True
    assert parse_expression(None)({}) is None


def test_dates() -> None:
    assert ev('date("2026-04-01") + 14') == date(2026, 4, 15)
    assert ev('date("2026-04-15") - date("2026-04-01")') == 14
    assert ev('date("2026-04-15") - 15') == date(2026, 3, 31)
    assert ev('days_between(date("2026-04-01"), date("2026-04-11"))') == 10
    assert ev('year(date("2026-04-02"))') == 2026
    assert ev('month(date("2026-04-02"))') == 4
    assert ev('day(date("2026-04-02"))') == 2
    assert ev("year(d)", {"d": None}) is None
    assert ev('date("2026-02-31")') is None
    assert ev('d < date("2026-04-01")', {"d": date(2026, 3, 31)}) is True


def test_today_comes_from_the_context() -> None:
    scope = {CONTEXT_KEY: EvalContext(today=date(2030, 1, 2))}
    assert ev("today()", scope) == date(2030, 1, 2)
    assert ev("today() + 1", scope) == date(2030, 1, 3)


def test_builtins() -> None:
    assert ev("answered(x)", {"x": 0}) is True
    assert ev("answered(x)", {"x": ""}) is False
    assert ev("answered(x)", {"x": []}) is False
    assert ev("answered(x)", {}) is False
    assert ev("coalesce(a, b, 3)", {"b": 2}) == 2
    assert ev("coalesce(a, b)", {}) is None
    assert ev("map(x, {1: 10, 2: 20})", {"x": 2}) == 20
    assert ev("map(x, {1: 10}, 99)", {"x": 5}) == 99
    assert ev("map(x, {1: 10}, 99)", {"x": None}) == 99
    assert ev("map(x, {1: 10})", {"x": 5}) is None
    assert ev("if(x > 1, 'big', 'small')", {"x": 2}) == "big"
    assert ev("if(x > 1, 'big', 'small')", {"x": None}) == "small"
    assert ev("round(x, 2)", {"x": Decimal("2.345")}) == Decimal("2.35")
    assert ev("round(x, 0)", {"x": Decimal("2.5")}) == 3
    assert ev("round(x, 1)", {"x": None}) is None
    assert ev("min(3, 1)") == 1
    assert ev("max(3, 1)") == 3
    assert ev("min(3, x)", {}) is None
    assert ev("abs(-4)") == 4
    assert ev("len(x)", {"x": [1, 2]}) == 2
    assert ev("len(x)", {}) == 0
    assert ev("matches(x, '^[A-Z]{2}$')", {"x": "AB"}) is True
    assert ev("matches(x, '^[A-Z]{2}$')", {"x": "ABC"}) is False
    assert ev("matches(x, 'A')", {}) is False
    assert ev("contains(x, 2)", {"x": [1, 2]}) is True
    assert ev("contains(x, 3)", {"x": [1, 2]}) is False
    assert ev("contains(x, 3)", {}) is False


def test_if_is_lazy() -> None:
    calls: list[int] = []

    def boom(value: int) -> int:
        calls.append(value)
        return value

    assert ev("if(true, 1, boom(2))", boom=boom) == 1
    assert calls == []


def test_plugin_functions_and_decimal_float_mix() -> None:
    assert ev("weekly(rent, 2)", {"rent": Decimal("100")}, weekly=lambda r, p: r / 2) == 50
    assert ev("half(x) + 1.5", {"x": 3}, half=lambda x: x / 2) == Decimal("3.0")


def test_context_functions_receive_the_context() -> None:
    def provider(context: EvalContext) -> Any:
        return context.extra["provider_type"]

    provider.takes_context = True  # type: ignore[attr-defined]
    scope = {CONTEXT_KEY: EvalContext(extra={"provider_type": "LA"})}
    assert parse_expression("provider() == 'LA'", functions={"provider": provider})(scope) is True


def test_aggregates_over_groups() -> None:
    scope = {"hhmemb": 3, "persons": [{"age": 30}, {"age": 5}, {"age": None}]}
    assert ev("count(persons)", scope) == 3
    assert ev("count(persons, age < 16)", scope) == 1
    assert ev("sum(persons, age)", scope) == 35
    assert ev("any(persons, age > 20)", scope) is True
    assert ev("all(persons, age > 1)", scope) is False
    assert ev("count(persons, n > 1)", scope) == 2
    # item scope first, then the record
    assert ev("count(persons, age < hhmemb * 10)", scope) == 1
    assert ev("count(persons)", {}) == 0


def test_syntax_errors_show_expression_and_column() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression("a == == 1")
    assert info.value.column == 6
    assert "a == == 1" in str(info.value)
    assert "column 6" in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["", "a ==", "(a", "[1, 2", "a $ b", "1 < 2 < 3", "count(1 + 2, a)", "if(a, b)", "today(1)", "a b",
     "'unterminated", "{1: }"],
)
def test_bad_syntax(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_unknown_function() -> None:
    with pytest.raises(ExpressionError, match="unknown function 'nope'"):
        parse_expression("nope(1)")
