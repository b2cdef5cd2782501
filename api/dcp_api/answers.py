"""Reading answers sent as JSON and writing records back as JSON, for one collection-year definition.

The API speaks the definition's own vocabulary: question ids as keys, answer codes as values, ISO 8601 dates,
repeating groups as arrays of objects. Parsing uses the same coercion as the web form and bulk upload; the
only API-specific strictness is that dates must be ISO 8601.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from dcp_platform.definitions import Definition, Evaluation, FieldRef, Problem, Question
from dcp_platform.definitions.words import cleared_in_words
from dcp_platform.records.models import Record
from rest_framework.utils.encoders import JSONEncoder

_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ApiError:
    """One entry of an error response: what is wrong, where (a JSON pointer into the request), in plain English."""

    code: str
    message: str
    pointer: str | None = None
    question: str | None = None
    group: str | None = None
    item: int | None = None
    template_fields: list[int] = field(default_factory=list)
    rule: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        for name in ("pointer", "question", "group", "item", "rule"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.template_fields:
            data["template_fields"] = self.template_fields
        return data


_CODED_TYPES = frozenset({"radios", "select", "yesno"})


def _coerce(definition: Definition, question: Question, value: Any) -> tuple[Any, str | None]:
    # Most answers a system sends are option codes as JSON numbers: already the stored value (as coercion
    # would find; bools are not codes). Everything else goes through the definition's coercion.
    if type(value) is int and question.type in _CODED_TYPES and value in question.codes:
        return value, None
    if question.type == "date" and value is not None and not (isinstance(value, str) and _ISO_DATE_RE.match(value)):
        return None, f"Enter {question.error_name or 'the date'} as a date in the format YYYY-MM-DD"
    return definition.coerce(question, value)


def _question_error(question: Question, item: int | None, pointer: str, code: str, message: str) -> ApiError:
    return ApiError(
        code=code, message=message, pointer=pointer, question=question.id, group=question.group, item=item,
        template_fields=question.template_fields_for(item),
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """What reading a definition's answers looks up for every key, worked out once per definition."""

    questions: dict[str, Question]  # record-level questions (not derived values or groups)
    codes: dict[str, frozenset[Any]]  # record-level coded questions: their option codes (the fast path)
    derived: frozenset[str]
    groups: dict[str, dict[str, Question]]  # group id -> its questions by id
    # Record-level answers already read, by _seen_key: _coerce's result. Systems send the same dates, amounts
    # and choices over and over, and reading is pure.
    seen: dict[tuple[Any, ...], tuple[Any, str | None]] = field(default_factory=dict)


_SEEN_KEPT = 8192


def _seen_key(key: str, value: Any) -> tuple[Any, ...] | None:
    """What tells apart every two values that could read differently: text, or a list of texts and whole
    numbers (1 and True, or 1 and 1.0, are equal but may read differently, so they are not remembered)."""
    if type(value) is str:
        return key, value
    if type(value) is list and all(type(item) is str or type(item) is int for item in value):
        return key, list, *value
    return None


# Definitions are loaded once per process and never change: keyed by identity, the definition kept alongside
# so that a new definition with a recycled id() is not mistaken for the old one.
_readings: dict[int, tuple[Definition, _Reading]] = {}


def _reading(definition: Definition) -> _Reading:
    found = _readings.get(id(definition))
    if found is not None and found[0] is definition:
        return found[1]
    derived = frozenset(d.id for d in definition.derived)
    questions = {
        key: question for key, question in definition.questions.items()
        if question.group is None and key not in derived and key not in definition.groups
    }
    reading = _Reading(
        questions=questions,
        codes={key: q.codes for key, q in questions.items() if q.type in _CODED_TYPES},
        derived=derived,
        groups={
            group_id: {key: definition.questions[key] for key in group.question_ids}
            for group_id, group in definition.groups.items() if group_id not in derived
        },
    )
    if len(_readings) >= 64:
        _readings.clear()  # bounded, whatever reloads definitions
    _readings[id(definition)] = (definition, reading)
    return reading


def parse_answers(
    definition: Definition, payload: Any, *, pointer: str = "/answers"
) -> tuple[dict[str, Any], list[ApiError]]:
    """Answers as stored values; None means "remove this answer". Errors point into the request body."""
    if payload is None:
        return {}, []
    if not isinstance(payload, dict):
        return {}, [ApiError("invalid_type", "Answers must be a JSON object of question ids and values", pointer)]
    reading = _reading(definition)
    questions, codes, seen_values = reading.questions, reading.codes, reading.seen
    answers: dict[str, Any] = {}
    errors: list[ApiError] = []
    for key, value in payload.items():
        question = questions.get(key)
        if question is not None:
            # Most answers a system sends are option codes as JSON numbers: already the stored value (as
            # coercion would find; bools are not codes). None removes the answer.
            if value is None or (type(value) is int and value in codes.get(key, ())):
                answers[key] = value
                continue
            seen = _seen_key(key, value)
            if seen is None:
                stored, message = _coerce(definition, question, value)
            else:
                found = seen_values.get(seen)
                if found is None:
                    found = _coerce(definition, question, value)
                    if not isinstance(found[0], dict):  # none are, but a dict would be shared
                        if len(seen_values) >= _SEEN_KEPT:
                            seen_values.clear()  # bounded: a worker's memory stays flat
                        seen_values[seen] = found
                stored, message = found
                if type(stored) is list:
                    stored = list(stored)  # a record's own list (of codes), never shared
            if message:
                errors.append(_question_error(question, None, f"{pointer}/{key}", "invalid_answer", message))
            else:
                answers[key] = stored
        elif key in reading.derived:
            errors.append(ApiError("derived_value", f"{key} is worked out from other answers and cannot be sent",
                                   f"{pointer}/{key}", question=key))
        elif key in reading.groups:
            answers[key], group_errors = _parse_group(definition, reading, key, value, f"{pointer}/{key}")
            errors.extend(group_errors)
        else:
            errors.append(ApiError("unknown_question",
                                   f"{key} is not a question of {definition.form} {definition.year}", f"{pointer}/{key}"))
    return answers, errors


def _parse_group(
    definition: Definition, reading: _Reading, group_id: str, value: Any, pointer: str
) -> tuple[list[dict[str, Any]] | None, list[ApiError]]:
    group = definition.groups[group_id]
    if value is None:
        return None, []
    if not isinstance(value, list):
        return None, [ApiError("invalid_type", f"{group_id} must be a list of objects, one per {group.title.lower()}",
                               pointer, group=group_id)]
    errors: list[ApiError] = []
    if group.max_items is not None and len(value) > group.max_items:
        errors.append(ApiError("too_many_items", f"{group_id} can have at most {group.max_items} items", pointer,
                               group=group_id))
    questions = reading.groups[group_id]
    items: list[dict[str, Any]] = []
    for index, raw_item in enumerate(value):
        number = index + 1
        if not isinstance(raw_item, dict):
            errors.append(ApiError("invalid_type", "Each item must be a JSON object", f"{pointer}/{index}",
                                   group=group_id, item=number))
            continue
        item: dict[str, Any] = {}
        for key, raw in raw_item.items():
            question = questions.get(key)
            if question is None:
                errors.append(ApiError("unknown_question", f"{key} is not a question of {group_id}",
                                       f"{pointer}/{index}/{key}", group=group_id, item=number))
                continue
            if raw is None:
                continue
            stored, message = _coerce(definition, question, raw)
            if message:
                errors.append(_question_error(question, number, f"{pointer}/{index}/{key}", "invalid_answer", message))
            else:
                item[key] = stored
        items.append(item)
    return items, errors


def _pointer(ref: FieldRef) -> str:
    if ref.group is None or ref.item is None:
        return f"/answers/{ref.question_id}"
    return f"/answers/{ref.group}/{ref.item - 1}/{ref.question_id}"


def problem_error(problem: Problem) -> ApiError:
    ref = problem.fields[0] if problem.fields else None
    code = "invalid_answer" if problem.rule_id.startswith("type.") else f"{problem.severity}_rule"
    return ApiError(
        code=code, message=problem.message, pointer=_pointer(ref) if ref else None,
        question=ref.question_id if ref else None, group=ref.group if ref else None,
        item=ref.item if ref else None, template_fields=list(problem.template_fields),
        rule=None if problem.rule_id.startswith("type.") else problem.rule_id,
    )


def warning_json(problem: Problem) -> dict[str, Any]:
    """A soft problem: the client confirms it by sending `confirmations: {key: token}` back."""
    data = problem_error(problem).as_json()
    data["questions"] = [ref.key for ref in problem.fields]
    data["confirmation"] = {"key": problem.confirmation_key, "token": problem.confirmation_token}
    return data


def not_kept_json(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The answers sent that were not kept and that no rule refuses (those are errors): each with why."""
    definition = evaluation.definition
    if definition is None or not evaluation.cleared:
        return []
    return [
        {"code": "answer_not_kept", "question": c.ref.question_id, "group": c.ref.group, "item": c.ref.item,
         "pointer": _pointer(c.ref), "value": c.value, "message": cleared_in_words(definition, c)}
        for c in evaluation.cleared_without_problems
    ]


def refused_problems(evaluation: Evaluation) -> list[Problem]:
    """What refuses a record sent through the API: its hard problems and the hard rules that refuse answers it
    sent that its other answers make not apply."""
    return [*evaluation.hard_problems, *evaluation.cleared_problems]


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "status": evaluation.status,
        "derived": evaluation.derived_json(),
        "errors": [problem_error(p).as_json() for p in refused_problems(evaluation)],
        "warnings": [warning_json(p) for p in evaluation.soft_problems],
        "not_kept": not_kept_json(evaluation),
        "missing": [ref.key for ref in evaluation.missing],
    }


def record_json(record: Record, evaluation: Evaluation, *, base_url: str,
                open_queries: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A record as the API returns it. Problems and missing answers come from a fresh evaluation; `open_queries`
    are the analysts' queries about it that are not resolved yet (none for a record just created)."""
    return {
        "id": str(record.public_id),
        "form": record.form,
        "year": record.year,
        "version": record.version,
        "status": record.status,
        "owning_organisation": record.owning_organisation.code if record.owning_organisation else None,
        "managing_organisation": record.managing_organisation.code if record.managing_organisation else None,
        "answers": record.answers,
        "derived": record.derived,
        "confirmations": record.confirmations,
        "warnings": [warning_json(p) for p in evaluation.soft_problems],
        "not_kept": not_kept_json(evaluation),
        "errors": [problem_error(p).as_json() for p in evaluation.hard_problems],
        "missing": [ref.key for ref in evaluation.missing],
        "open_queries": open_queries or [],
        "source": record.source_channel,
        "created_at": record.created_at.isoformat() if record.created_at else None,
        "updated_at": record.updated_at.isoformat() if record.updated_at else None,
        "links": {"self": f"{base_url}{record.public_id}"},
    }


# How DRF's JSONRenderer writes a response with its default settings (compact, characters as they are, no NaN);
# views.ApiJSONRenderer uses text written with it only under those settings.
encode_json = JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def json_with(data: dict[str, Any], encoded: dict[str, str]) -> str:
    """encode_json(data), with the values of the keys in `encoded` given as JSON text already (not encoded again).

    The keys in between are encoded together, a run at a time, so the text is exactly encode_json's.
    """
    pieces: list[str] = []
    run: dict[str, Any] = {}
    for key, value in data.items():
        text = encoded.get(key)
        if text is None:
            run[key] = value
            continue
        if run:
            pieces.append(encode_json(run)[1:-1])
            run = {}
        pieces.append(_key_json(key) + text)
    if run:
        pieces.append(encode_json(run)[1:-1])
    return "{" + ",".join(pieces) + "}"


@functools.lru_cache(maxsize=64)
def _key_json(key: str) -> str:
    return encode_json(key) + ":"
