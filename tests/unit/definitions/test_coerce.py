from __future__ import annotations

from typing import Any

import pytest
from dcp_platform.definitions import Question
from dcp_platform.definitions.coerce import coerce, coerce_date_parts, coerce_postcode_parts


def q(type_: str, **kwargs: Any) -> Question:
    options = kwargs.pop("options", None)
    question = Question(id="x", type=type_, label="Test question", **kwargs)
    if options is not None:
        from dcp_platform.definitions import Option

        question.options = [Option(code=c, label=str(c)) for c in options]
        question.codes = frozenset(options)
    return question


@pytest.mark.parametrize("raw", ["", "   ", None, []])
def test_empty_is_none(raw: Any) -> None:
    assert coerce(q("text"), raw) == (None, None)
    assert coerce(q("integer"), raw) == (None, None)


def test_text() -> None:
    assert coerce(q("text"), "  abc ") == ("abc", None)
    assert coerce(q("text", max_length=3), "abcd")[1] == "The answer to “Test question” must be 3 characters or fewer"
    assert coerce(q("text", pattern="[A-Z]+"), "abc")[1] is not None
    assert coerce(q("text", pattern="[A-Z]+"), "ABC") == ("ABC", None)


@pytest.mark.parametrize(
    ("raw", "expected"), [("12", 12), (" -3 ", -3), (7, 7), (7.0, 7), ("1,000", 1000)]
)
def test_integer_good(raw: Any, expected: int) -> None:
    assert coerce(q("integer"), raw) == (expected, None)


@pytest.mark.parametrize("raw", ["12.5", "abc", 12.5, True, "1e3"])
def test_integer_bad(raw: Any) -> None:
    value, error = coerce(q("integer"), raw)
    assert value is None
    assert error == "Enter the answer to “Test question” as a whole number"


def test_integer_range_and_error_name() -> None:
    question = q("integer", min=16, max=120, error_name="the lead tenant’s age")
    assert coerce(question, "15") == (None, "Enter the lead tenant’s age between 16 and 120")
    assert coerce(question, "121")[1] is not None
    assert coerce(question, "16") == (16, None)
    assert coerce(q("integer", min=0, step=5), "7")[1] is not None


def test_money_and_decimal() -> None:
    assert coerce(q("money"), "£1,234.5") == ("1234.50", None)
    assert coerce(q("money"), 12) == ("12.00", None)
    assert coerce(q("money"), "12.345") == ("12.35", None)
    assert coerce(q("money"), "ten")[0] is None
    assert coerce(q("decimal", step="0.1"), "2.25") == ("2.3", None)
    assert coerce(q("decimal", step=0.001), "2") == ("2.000", None)
    assert coerce(q("money", min=0, max=100), "100.01")[1] is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-05-01", "2026-05-01"), ("1/5/2026", "2026-05-01"), ("01/05/26", "2026-05-01"),
     ({"day": "1", "month": "5", "year": "2026"}, "2026-05-01"), ("2026-05-01T00:00:00", "2026-05-01")],
)
def test_date_good(raw: Any, expected: str) -> None:
    assert coerce(q("date"), raw) == (expected, None)


@pytest.mark.parametrize("raw", ["31/02/2026", "2026-02-31", "tomorrow", "1/13/2026"])
def test_date_bad(raw: Any) -> None:
    question = q("date", error_name="the tenancy start date")
    assert coerce(question, raw) == (None, "Enter the tenancy start date as a real date, for example 27 3 2026")


def test_date_parts() -> None:
    question = q("date", error_name="the tenancy start date")
    assert coerce_date_parts(question, "27", "3", "2026") == ("2026-03-27", None)
    assert coerce_date_parts(question, "", "", "") == (None, None)
    assert coerce_date_parts(question, "31", "2", "2026")[1] == \
        "Enter the tenancy start date as a real date, for example 27 3 2026"
    assert "day, month and year" in (coerce_date_parts(question, "1", "", "2026")[1] or "")


def test_date_static_bounds() -> None:
    from datetime import date

    question = q("date", min=date(2026, 4, 1))
    assert coerce(question, "2026-03-31")[1] == "Enter the answer to “Test question” on or after 1 April 2026"
    assert coerce(question, "2026-04-01") == ("2026-04-01", None)


def test_options_int_codes() -> None:
    question = q("radios", options=[1, 2, 14])
    assert coerce(question, "1") == (1, None)
    assert coerce(question, 14) == (14, None)
    assert coerce(question, " 2 ") == (2, None)
    assert coerce(question, "3")[0] is None
    assert coerce(question, True)[0] is None


def test_options_string_codes() -> None:
    question = q("select", options=["F", "M", "X"])
    assert coerce(question, "f") == ("F", None)
    assert coerce(question, "M") == ("M", None)
    assert coerce(question, "Q") == (None, "Choose the answer to “Test question” from the list")


def test_yesno() -> None:
    question = q("yesno", options=[1, 0])
    assert coerce(question, "0") == (0, None)
    assert coerce(question, "2")[0] is None


def test_options_source_without_options_keeps_the_code() -> None:
    assert coerce(q("organisation", options_source="owning_organisations"), " ORG1 ") == ("ORG1", None)


def test_checkboxes() -> None:
    question = q("checkboxes", options=["hb", "uc", "none"])
    assert coerce(question, ["uc", "hb", "uc"]) == (["hb", "uc"], None)
    assert coerce(question, "uc, hb") == (["hb", "uc"], None)
    assert coerce(question, ["xx"])[0] is None
    assert coerce(question, []) == (None, None)


@pytest.mark.parametrize(
    ("raw", "expected"), [("sw1a1aa", "SW1A 1AA"), (" SW1A   1AA ", "SW1A 1AA"), ("m11ae", "M1 1AE"), ("b338th", "B33 8TH")]
)
def test_postcode_good(raw: str, expected: str) -> None:
    assert coerce(q("postcode"), raw) == (expected, None)


@pytest.mark.parametrize("raw", ["SW1A", "12345", "AA 1AA", "SW1A 1A"])
def test_postcode_bad(raw: str) -> None:
    value, error = coerce(q("postcode"), raw)
    assert value is None and error and "real postcode" in error


def test_postcode_parts() -> None:
    assert coerce_postcode_parts(q("postcode"), "sw1a", "1aa") == ("SW1A 1AA", None)
    assert coerce_postcode_parts(q("postcode"), "", "") == (None, None)


def test_email() -> None:
    assert coerce(q("email"), " a@b.com ") == ("a@b.com", None)
    assert coerce(q("email"), "not-an-email")[0] is None
