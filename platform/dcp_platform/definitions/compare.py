"""Everything an evaluation says, as plain JSON, and a readable list of what differs between two of them.

Used by the differential tests (the fast engine against the reference evaluator) and by the golden files,
which hold `as_json(reference.evaluate(...))`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .evaluation import Evaluation
from .model import Problem


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "rule_id": problem.rule_id, "severity": problem.severity, "message": problem.message,
        "fields": [ref.key for ref in problem.fields],
        "field_groups": [ref.group for ref in problem.fields],
        "template_fields": list(problem.template_fields), "title": problem.title,
        "confirm_label": problem.confirm_label, "item": problem.item,
        "confirmation_key": problem.confirmation_key, "confirmation_token": problem.confirmation_token,
    }


def as_json(evaluation: Evaluation) -> dict[str, Any]:
    """Every part of the evaluation, JSON-friendly (a value's Python type is kept beside it: 1 and True, or
    "2.50" and Decimal("2.50"), must not pass for each other)."""
    return {
        "status": evaluation.status,
        "sections": dict(evaluation.section_statuses),
        "answers": _plain(evaluation.answers),
        "answer_types": {k: type(v).__name__ for k, v in evaluation.answers.items()},
        "derived": _plain(evaluation.derived),
        "derived_types": {k: type(v).__name__ for k, v in evaluation.derived.items()},
        "pages": [p.key for p in evaluation.applicable_pages],
        "applicable": [ref.key for ref in evaluation.applicable_questions],
        "missing": [ref.key for ref in evaluation.missing],
        "problems": [_problem(p) for p in evaluation.problems],
        "confirmed": [_problem(p) for p in evaluation.confirmed],
        "cleared": [
            {"key": c.ref.key, "value": _plain(c.value), "value_type": type(c.value).__name__,
             "condition": c.condition.source if c.condition is not None else None,
             "problems": [_problem(p) for p in c.problems]}
            for c in evaluation.cleared
        ],
    }


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


def differences(reference: dict[str, Any], fast: dict[str, Any]) -> list[str]:
    """What differs between two `as_json` results, one line each: the part (answer, derived value, list of
    problems ...), the reference's value and the fast engine's."""
    lines: list[str] = []
    for part in reference.keys() | fast.keys():
        expected, found = reference.get(part), fast.get(part)
        if expected == found:
            continue
        if isinstance(expected, dict) and isinstance(found, dict):
            for key in sorted(expected.keys() | found.keys(), key=str):
                if expected.get(key, "<absent>") != found.get(key, "<absent>"):
                    lines.append(f"{part} {key!r}: reference {_show(expected.get(key, '<absent>'))}, "
                                 f"fast {_show(found.get(key, '<absent>'))}")
        elif part in ("problems", "confirmed") and isinstance(expected, list) and isinstance(found, list):
            for number in range(max(len(expected), len(found))):
                one = expected[number] if number < len(expected) else None
                other = found[number] if number < len(found) else None
                if one != other:
                    if one is not None and other is not None:
                        detail = {k: (one.get(k), other.get(k)) for k in one if one.get(k) != other.get(k)}
                        lines.append(f"{part}[{number}] {one['confirmation_key']}: (reference, fast) {detail}")
                    else:
                        lines.append(f"{part}[{number}]: reference {_show(one)}, fast {_show(other)}")
        else:
            lines.append(f"{part}: reference {_show(expected)}, fast {_show(found)}")
    return sorted(lines)


def report(record: Any, lines: list[str], label: str = "") -> str:
    """A failure message: which record, then what differs."""
    head = f"The fast engine and the reference disagree{f' ({label})' if label else ''} on the record {_show(record)}"
    return "\n  ".join([head, *lines])
