"""Turning raw input into stored values, and checking stored values against their question's type.

One implementation shared by the web form, bulk upload and the API. Messages are plain English and name the
question (its `error_name`, or its label).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .expressions import Expression, Scope
from .model import Question

Coerced = tuple[Any, str | None]
Checker = Callable[[Any, Scope], str | None]

_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_SLASH_DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD_RE = re.compile(r"^[0-9][A-Z]{2}$")


def name_of(question: Question) -> str:
    return question.error_name or f"the answer to “{question.label}”"


def decimal_places(question: Question) -> int:
    if question.step is not None:
        exponent = Decimal(str(question.step)).normalize().as_tuple().exponent
        return max(0, -int(exponent))
    return 2


def _clean(raw: Any) -> Any:
    if isinstance(raw, str):
        raw = raw.strip()
        return None if raw == "" else raw
    if isinstance(raw, list | tuple) and len(raw) == 0:
        return None
    return raw


def coerce(question: Question, raw: Any) -> Coerced:
    """Parse raw input (form string, CSV cell, JSON value) into the stored value, or give an error message."""
    raw = _clean(raw)
    if raw is None:
        return None, None
    parser = _PARSERS.get(question.type, _parse_text)
    value, error = parser(question, raw)
    if error is not None:
        return None, error
    error = check_static(question, value)
    return (None, error) if error else (value, None)


def coerce_date_parts(question: Question, day: Any, month: Any, year: Any) -> Coerced:
    parts = [_clean(p) for p in (day, month, year)]
    if all(p is None for p in parts):
        return None, None
    example = "for example 27 3 2026"
    if any(p is None for p in parts):
        return None, f"Enter {name_of(question)} with a day, month and year, {example}"
    try:
        d, m, y = (int(str(p)) for p in parts)
    except ValueError:
        return None, f"Enter {name_of(question)} as a real date, {example}"
    if y < 100:
        y += 2000
    try:
        value = date(y, m, d).isoformat()
    except ValueError:
        return None, f"Enter {name_of(question)} as a real date, {example}"
    error = check_static(question, value)
    return (None, error) if error else (value, None)


# ---------------------------------------------------------------------------------------------- parsers


def _parse_text(question: Question, raw: Any) -> Coerced:
    if not isinstance(raw, str | int | float | Decimal) or isinstance(raw, bool):
        return None, f"Enter {name_of(question)} as text"
    return str(raw), None


def _parse_email(question: Question, raw: Any) -> Coerced:
    value, error = _parse_text(question, raw)
    return value, error


def _parse_integer(question: Question, raw: Any) -> Coerced:
    message = f"Enter {name_of(question)} as a whole number"
    if isinstance(raw, bool):
        return None, message
    if isinstance(raw, int):
        return raw, None
    if isinstance(raw, float | Decimal):
        return (int(raw), None) if raw == int(raw) else (None, message)
    text = str(raw).replace(",", "")
    if not _INTEGER_RE.match(text):
        return None, message
    return int(text), None


def _parse_decimal(question: Question, raw: Any) -> Coerced:
    message = f"Enter {name_of(question)} as a number" + (", for example 125.50" if question.type == "money" else "")
    if isinstance(raw, bool):
        return None, message
    text = str(raw).replace(",", "")
    if question.type == "money":
        text = text.removeprefix("£").strip()
    if not _DECIMAL_RE.match(text):
        return None, message
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, message
    places = decimal_places(question) if question.type == "decimal" else 2
    quantum = Decimal(1).scaleb(-places)
    return str(number.quantize(quantum, rounding=ROUND_HALF_UP)), None


def _parse_date(question: Question, raw: Any) -> Coerced:
    message = f"Enter {name_of(question)} as a real date, for example 27 3 2026"
    if isinstance(raw, date):
        return raw.isoformat(), None
    if isinstance(raw, dict):
        return coerce_date_parts(question, raw.get("day"), raw.get("month"), raw.get("year"))
    text = str(raw)
    slash = _SLASH_DATE_RE.match(text)
    if slash:
        return coerce_date_parts(question, *slash.groups())
    try:
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text).isoformat(), None
    except ValueError:
        return None, message


def _match_code(question: Question, raw: Any) -> tuple[bool, Any]:
    if not question.options:
        # A dynamic list (options_source): the platform checks membership; store the code as given.
        return True, raw.strip() if isinstance(raw, str) else raw
    if isinstance(raw, bool):
        return False, None
    for code in question.codes:
        if code == raw and type(code) is type(raw):
            return True, code
    text = str(raw).strip()
    for code in question.codes:
        if str(code) == text:
            return True, code
    lowered = text.lower()
    for code in question.codes:
        if isinstance(code, str) and code.lower() == lowered:
            return True, code
    return False, None


def _parse_option(question: Question, raw: Any) -> Coerced:
    ok, code = _match_code(question, raw)
    if not ok or code is None:
        if question.type == "select":
            return None, "Choose " + name_of(question) + " from the list"
        return None, "Choose one of the options for " + name_of(question)
    return code, None


def _parse_checkboxes(question: Question, raw: Any) -> Coerced:
    items = raw if isinstance(raw, list | tuple | set) else [p for p in str(raw).split(",") if p.strip()]
    chosen: set[Any] = set()
    for item in items:
        ok, code = _match_code(question, item)
        if not ok or code is None:
            return None, "Choose only the listed options for " + name_of(question)
        chosen.add(code)
    ordered = [option.code for option in question.options if option.code in chosen] if question.options \
        else sorted(chosen, key=str)
    return (ordered or None), None


def normalise_postcode(raw: Any) -> str | None:
    text = re.sub(r"\s+", "", str(raw)).upper()
    match = _POSTCODE_RE.match(text)
    return f"{match.group(1)} {match.group(2)}" if match else None


def _parse_postcode(question: Question, raw: Any) -> Coerced:
    value = normalise_postcode(raw)
    if value is None:
        return None, f"Enter {name_of(question)} as a real postcode, for example SW1A 1AA"
    return value, None


def coerce_postcode_parts(question: Question, outward: Any, inward: Any) -> Coerced:
    outward, inward = _clean(outward), _clean(inward)
    if outward is None and inward is None:
        return None, None
    return coerce(question, f"{outward or ''} {inward or ''}")


_PARSERS: dict[str, Callable[[Question, Any], Coerced]] = {
    "text": _parse_text,
    "email": _parse_email,
    "integer": _parse_integer,
    "decimal": _parse_decimal,
    "money": _parse_decimal,
    "date": _parse_date,
    "yesno": _parse_option,
    "radios": _parse_option,
    "select": _parse_option,
    "organisation": _parse_option,
    "checkboxes": _parse_checkboxes,
    "postcode": _parse_postcode,
}


# ---------------------------------------------------------------------------------------------- checks


def _bound_value(bound: Any, scope: Scope | None) -> Any:
    if isinstance(bound, Expression):
        if scope is None:
            return None  # expression bounds need the record; checked by Definition.evaluate
        value = bound(scope)
        return value
    return bound


def _range_message(question: Question, low: Any, high: Any, display: Callable[[Any], str]) -> str:
    name = name_of(question)
    if low is not None and high is not None:
        return f"Enter {name} between {display(low)} and {display(high)}"
    if low is not None:
        return f"Enter {name} of {display(low)} or more" if question.type != "date" else \
            f"Enter {name} on or after {display(low)}"
    return f"Enter {name} of {display(high)} or less" if question.type != "date" else \
        f"Enter {name} on or before {display(high)}"


def _show_number(value: Any) -> str:
    return str(value)


def _show_date(value: Any) -> str:
    return value.strftime("%-d %B %Y") if isinstance(value, date) else str(value)


def check_value(question: Question, value: Any, scope: Scope | None) -> str | None:
    """Check a stored (already coerced) value. `scope` lets expression bounds be evaluated."""
    if value is None:
        return None
    kind = question.type
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"Enter {name_of(question)} as a whole number"
        return _check_range(question, value, scope, _show_number)
    if kind in ("decimal", "money"):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return f"Enter {name_of(question)} as a number"
        return _check_range(question, number, scope, _show_number)
    if kind == "date":
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            return f"Enter {name_of(question)} as a real date, for example 27 3 2026"
        return _check_range(question, day, scope, _show_date)
    if kind in ("radios", "select", "yesno", "organisation"):
        if question.options and (not _is_code(question, value) or isinstance(value, bool)):
            return "Choose one of the options for " + name_of(question)
        return None
    if kind == "checkboxes":
        if not isinstance(value, list) or (question.options and not all(_is_code(question, v) for v in value)):
            return "Choose only the listed options for " + name_of(question)
        return None
    if kind == "postcode":
        return None if normalise_postcode(value) == value else \
            f"Enter {name_of(question)} as a real postcode, for example SW1A 1AA"
    if not isinstance(value, str):
        return f"Enter {name_of(question)} as text"
    if question.max_length is not None and len(value) > question.max_length:
        return f"{name_of(question)[0].upper()}{name_of(question)[1:]} must be {question.max_length} characters or fewer"
    if question.pattern and not re.fullmatch(question.pattern, value):
        return f"Enter {name_of(question)} in the right format"
    if kind == "email" and not _EMAIL_RE.match(value):
        return f"Enter {name_of(question)} as an email address, like name@example.com"
    return None


def _is_code(question: Question, value: Any) -> bool:
    """Whether the value is one of the question's option codes (a list, which cannot be one, is not)."""
    try:
        return value in question.codes
    except TypeError:
        return False


def check_static(question: Question, value: Any) -> str | None:
    return check_value(question, value, None)


def _check_range(question: Question, value: Any, scope: Scope | None, display: Callable[[Any], str]) -> str | None:
    low = _bound_value(question.min, scope)
    high = _bound_value(question.max, scope)
    if isinstance(value, date):
        low = _as_date(low)
        high = _as_date(high)
    try:
        too_low = low is not None and value < low
        too_high = high is not None and value > high
    except TypeError:
        return None
    if too_low or too_high:
        return _range_message(question, low, high, display)
    stepped = question.type == "integer" and question.step not in (None, 1) and low is not None
    if stepped and (value - low) % int(question.step):
        return f"Enter {name_of(question)} in steps of {question.step}"
    return None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- precompiled checks

_OPTION_KINDS = frozenset({"radios", "select", "yesno", "organisation"})


def _constant_number(bound: Any) -> bool:
    return bound is None or (type(bound) in (int, Decimal))


def make_checker(question: Question) -> Checker:
    """`check_value` for one question, built once: values that are plainly valid are accepted without the
    generic checks, and everything else (problems, unusual types, expression bounds) goes to `check_value`,
    so the result is always exactly that of `check_value(question, value, scope)`."""

    def slow(value: Any, scope: Scope) -> str | None:
        return check_value(question, value, scope)

    kind = question.type
    low, high = question.min, question.max
    if kind in _OPTION_KINDS:
        if not question.options:
            return _accept  # a dynamic list: any stored code is accepted
        codes = question.codes

        def check_option(value: Any, scope: Scope) -> str | None:
            if (type(value) is int or type(value) is str) and value in codes:
                return None
            return check_value(question, value, scope)

        return check_option
    if kind == "integer" and _constant_number(low) and _constant_number(high) and question.step in (None, 1):

        def check_integer(value: Any, scope: Scope) -> str | None:
            if type(value) is int and (low is None or value >= low) and (high is None or value <= high):
                return None
            return check_value(question, value, scope)

        return check_integer
    if kind in ("decimal", "money") and _constant_number(low) and _constant_number(high):

        def check_number(value: Any, scope: Scope) -> str | None:
            if type(value) is str:
                try:
                    number = Decimal(value)
                except InvalidOperation:
                    return check_value(question, value, scope)
                if number.is_finite() and (low is None or number >= low) and (high is None or number <= high):
                    return None
            return check_value(question, value, scope)

        return check_number
    if kind == "text" and not question.pattern:
        longest = question.max_length

        def check_text(value: Any, scope: Scope) -> str | None:
            if type(value) is str and (longest is None or len(value) <= longest):
                return None
            return check_value(question, value, scope)

        return check_text
    if kind == "date" and not isinstance(low, Expression) and not isinstance(high, Expression):
        earliest, latest = _as_date(low), _as_date(high)

        def check_date(value: Any, scope: Scope) -> str | None:
            if type(value) is str:
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    return check_value(question, value, scope)
                if (earliest is None or day >= earliest) and (latest is None or day <= latest):
                    return None
            return check_value(question, value, scope)

        return check_date
    if kind == "checkboxes":
        codes = question.codes
        listed = bool(question.options)

        def check_checkboxes(value: Any, scope: Scope) -> str | None:
            if type(value) is list:
                try:
                    if not listed or codes.issuperset(value):
                        return None
                except TypeError:  # an unhashable choice: check_value says what it says of it
                    pass
            return check_value(question, value, scope)

        return check_checkboxes
    plainly_valid = _plainly_valid_text(question)
    if plainly_valid is not None:

        def check_plain_text(value: Any, scope: Scope) -> str | None:
            if type(value) is str and plainly_valid(value):
                return None
            return check_value(question, value, scope)

        return check_plain_text
    return slow


def _accept(value: Any, scope: Scope) -> str | None:
    return None


# A postcode as normalise_postcode writes it: one that it leaves as it is (the outward part is all but the last
# three characters, as _POSTCODE_RE finds it).
_NORMAL_POSTCODE_RE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")


def _plainly_valid_text(question: Question) -> Callable[[str], bool] | None:
    """For postcodes, emails and texts with a pattern: a test of a string answer that is true only when
    check_value accepts it (the same tests, compiled once)."""
    kind = question.type
    if kind == "postcode":
        normal = _NORMAL_POSTCODE_RE.fullmatch
        return lambda value: normal(value) is not None
    if kind not in ("email", "text"):
        return None
    longest = question.max_length
    pattern = re.compile(question.pattern).fullmatch if question.pattern else None
    email = _EMAIL_RE.match if kind == "email" else None
    if pattern is None and email is None:
        return None  # (plain texts have their own check: check_text)
    return lambda value: (longest is None or len(value) <= longest) and (pattern is None or pattern(value) is not None) \
        and (email is None or email(value) is not None)


def plainly_valid_source(question: Question, value: str, constant: Callable[[Any], str]) -> str | None:
    """For code generated to check many answers at once (Definition's walk): a Python expression over the
    variable `value` that is true only for values `check_value(question, value, scope)` accepts, the fast paths
    of `make_checker` written out with their constants (named by `constant(value) -> name`). False means "ask the
    checker", not "invalid". None when the question has no such expression."""
    kind = question.type
    low, high = question.min, question.max
    if kind in _OPTION_KINDS and not question.options:
        return "True"  # a dynamic list: any stored code is accepted
    if kind in _OPTION_KINDS:
        kinds = {type(code) for code in question.codes}
        test = f"type({value}) is int" if kinds == {int} else f"type({value}) is str" if kinds == {str} else \
            f"(type({value}) is int or type({value}) is str)"
        return f"{test} and {value} in {constant(question.codes)}"
    if kind == "integer" and _constant_number(low) and _constant_number(high) and question.step in (None, 1):
        bounds = "".join(f" and {value} {op} {bound if type(bound) is int else constant(bound)}"
                         for op, bound in ((">=", low), ("<=", high)) if bound is not None)
        return f"type({value}) is int{bounds}"
    if kind == "text" and not question.pattern:
        longest = question.max_length
        return f"type({value}) is str" + (f" and len({value}) <= {longest!r}" if longest is not None else "")
    if kind == "postcode":
        return f"type({value}) is str and {constant(_NORMAL_POSTCODE_RE.fullmatch)}({value}) is not None"
    plainly_valid = _plainly_valid_text(question)
    if plainly_valid is not None:
        return f"type({value}) is str and {constant(plainly_valid)}({value})"
    return None


def plainly_valid_lines(
    question: Question, value: str, result: str, constant: Callable[[Any], str]
) -> list[tuple[int, str]] | None:
    """Like plainly_valid_source, for the fast paths of `make_checker` that need statements (a parse, or a test
    that may raise): lines (indent relative to the first, text) that set the variable `result` to True only for
    values the checker accepts (False: ask the checker). Written out, a money, date or checkboxes answer is
    accepted without a call to its checker. The lines may also set the variable `parsed`. None when the
    question has no such lines."""
    kind = question.type
    low, high = question.min, question.max

    def bound(bound_value: Any) -> str:
        return repr(bound_value) if type(bound_value) is int else constant(bound_value)

    if kind in ("decimal", "money") and _constant_number(low) and _constant_number(high):
        parse, error = constant(Decimal), constant(InvalidOperation)
        test = "parsed.is_finite()" + "".join(f" and parsed {op} {bound(b)}"
                                              for op, b in ((">=", low), ("<=", high)) if b is not None)
    elif kind == "date" and not isinstance(low, Expression) and not isinstance(high, Expression):
        parse, error = constant(date.fromisoformat), constant(ValueError)
        tests = [f"parsed {op} {constant(b)}" for op, b in ((">=", _as_date(low)), ("<=", _as_date(high)))
                 if b is not None]
        test = " and ".join(tests) or "True"
    elif kind == "checkboxes":
        if not question.options:
            return [(0, f"{result} = type({value}) is {constant(list)}")]
        return [
            (0, f"{result} = False"),
            (0, f"if type({value}) is {constant(list)}:"),
            (1, "try:"),
            (2, f"{result} = {constant(question.codes.issuperset)}({value})"),
            (1, f"except {constant(TypeError)}:  # an unhashable choice: the checker says what it says of it"),
            (2, "pass"),
        ]
    else:
        return None
    return [
        (0, f"{result} = False"),
        (0, f"if type({value}) is str:"),
        (1, "try:"),
        (2, f"parsed = {parse}({value})"),
        (1, f"except {error}:"),
        (2, "pass"),
        (1, "else:"),
        (2, f"{result} = {test}"),
    ]
