"""Reading API answers: the fast path for option codes gives exactly what the definition's coercion gives."""

from __future__ import annotations

from typing import Any

import pytest
from dcp_api.answers import _coerce, parse_answers
from dcp_platform.definitions import Definition
from dcp_platform.registry import all_plugins, definitions_for


def _installed() -> list[Definition]:
    return [definition for slug in sorted(all_plugins()) for definition in definitions_for(slug).values()]


@pytest.mark.parametrize("definition", _installed(), ids=lambda d: f"{d.form}-{d.year}")
def test_option_codes_read_as_the_definition_coerces_them(definition: Definition) -> None:
    checked = 0
    for question in definition.questions.values():
        if question.type == "date":
            continue  # the API's own strictness: ISO 8601 dates only (tested in test_api_records)
        for value in [option.code for option in question.options] + [-1, 10**6, True, False, "1", 1.0]:
            assert _coerce(definition, question, value) == definition.coerce(question, value), (question.id, value)
            checked += 1
    assert checked


@pytest.mark.parametrize("definition", _installed(), ids=lambda d: f"{d.form}-{d.year}")
def test_every_kind_of_key_is_read_as_the_definition_says(definition: Definition) -> None:
    """parse_answers looks keys up in tables made once per definition: each key still reads as its kind says."""
    derived = {d.id for d in definition.derived}
    payload: dict[str, Any] = {}
    expected_errors: list[tuple[str, str]] = []
    expected_answers: dict[str, Any] = {}
    record_level = [q for q in definition.questions.values() if q.group is None and q.id not in derived]
    for number, question in enumerate(record_level):
        if question.options:  # codes as numbers, as text, and True (equal to 1, but not a code)
            value = (question.options[0].code, str(question.options[0].code), True)[number % 3]
        else:
            value = "2026-06-01" if question.type == "date" else "1"
        payload[question.id] = value
        stored, message = _coerce(definition, question, value)
        if message:
            expected_errors.append(("invalid_answer", f"/answers/{question.id}"))
        else:
            expected_answers[question.id] = stored
    for derived_id in sorted(derived)[:3]:
        payload[derived_id] = 1
        expected_errors.append(("derived_value", f"/answers/{derived_id}"))
    payload["no_such_question"] = 1
    expected_errors.append(("unknown_question", "/answers/no_such_question"))
    removed = record_level[0].id
    payload[removed] = None
    expected_answers[removed] = None
    for group_id, group in definition.groups.items():
        first = group.question_ids[0]
        payload[group_id] = [{first: None, "no_such_question": 1}, "not an item"]
        expected_answers[group_id] = [{}]
        expected_errors += [("unknown_question", f"/answers/{group_id}/0/no_such_question"),
                            ("invalid_type", f"/answers/{group_id}/1")]
        if group.question_ids[1:]:
            second = definition.questions[group.question_ids[1]]
            payload[group_id][0][second.id] = "2026-06-01" if second.type == "date" else "1"
            stored, message = _coerce(definition, second, payload[group_id][0][second.id])
            if message:
                expected_errors.insert(-1, ("invalid_answer", f"/answers/{group_id}/0/{second.id}"))
            else:
                expected_answers[group_id][0][second.id] = stored
    answers, errors = parse_answers(definition, payload)
    assert answers == expected_answers
    assert sorted((e.code, e.pointer) for e in errors) == sorted(expected_errors)
    assert [e.pointer for e in errors] == sorted((e.pointer for e in errors), key=lambda p: list(payload).index(
        str(p).split("/")[2]))  # in the order the keys were sent
    assert parse_answers(definition, parse_answers(definition, {removed: None})[0]) == ({removed: None}, [])


def test_json_with_writes_what_the_encoder_writes_with_parts_given_as_text() -> None:
    from dcp_api.answers import encode_json, json_with

    data = {"id": "a\u2028b", "n": 1, "answers": {"t": "ü \" \\ \n", "l": [1, None, 2.5]}, "derived": {},
            'k"ey': [{"x": True}], "empty": {}, "last": None}
    for given in ([], ["answers"], ["answers", "derived"], ["id", "last"], list(data)):
        encoded = {key: encode_json(data[key]) for key in given}
        assert json_with(data, encoded) == encode_json(data), given
    assert json_with({}, {}) == encode_json({}) == "{}"


def test_responses_with_their_text_written_render_as_drf_renders_them() -> None:
    from dcp_api.answers import encode_json
    from dcp_api.views import ApiJSONRenderer, EncodedJSON
    from rest_framework.renderers import JSONRenderer

    data = {"results": [{"text": "line\u2028separator\u2029 ü"}], "n": 2}
    written = EncodedJSON(data, encode_json(data))
    assert written == data
    assert ApiJSONRenderer().render(written) == JSONRenderer().render(data)
    assert b"\\u2028" in ApiJSONRenderer().render(written)
    indented = "application/json; indent=2"
    assert ApiJSONRenderer().render(written, indented, {}) == JSONRenderer().render(data, indented, {})
    assert b"\n" in ApiJSONRenderer().render(written, indented, {})
    # Only the text it was given is written as it is (so a stale text would show).
    assert ApiJSONRenderer().render(EncodedJSON(data, '{"other":1}')) == b'{"other":1}'


@pytest.mark.parametrize("definition", _installed(), ids=lambda d: f"{d.form}-{d.year}")
def test_remembered_answers_read_as_the_definition_reads_them_and_lists_are_never_shared(
    definition: Definition,
) -> None:
    from dcp_api.answers import _reading, _seen_key

    questions = [q for q in definition.questions.values() if q.group is None and q.id not in
                 {d.id for d in definition.derived}]
    payloads: list[dict[str, Any]] = []
    for question in questions:
        codes = [option.code for option in question.options]
        for value in ["1", " 1 ", "x", "2026-06-01", "01/06/2026", "", [], codes[:2], [str(c) for c in codes[:2]],
                      [True], [1, "1"], [1.0], codes[:1], ["1"], ["x"]]:
            payloads.append({question.id: value})
    _reading(definition).seen.clear()
    for _ in range(2):  # read, then remembered
        for payload in payloads:
            [(key, value)] = payload.items()
            answers, errors = parse_answers(definition, payload)
            stored, message = _coerce(definition, definition.questions[key], value)
            assert ([e.message for e in errors] or [None]) == [message], payload
            assert answers.get(key) == stored, payload
    assert _reading(definition).seen
    lists = [p for p in payloads if _seen_key(*next(iter(p.items()))) is not None
             and isinstance(parse_answers(definition, p)[0].get(next(iter(p))), list)]
    assert lists
    for payload in lists:
        first = parse_answers(definition, payload)[0]
        next(iter(first.values())).append("changed by the caller")
        assert parse_answers(definition, payload)[0] != first
