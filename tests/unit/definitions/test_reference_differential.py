"""The fast engine (Definition.evaluate) against the reference evaluator on every definition in the repository.

Definitions are found through the collection registry, so a new collection or year is covered as soon as it is
installed. For each, records drawn at random (hypothesis): sparse ones, over-filled ones (every question
answered, as a bulk-upload row can be), and complete ones (answered by walking the form with the reference)
with answers changed to other, sometimes invalid, values; some with their soft problems confirmed. A mismatch
names the definition and the record and lists what differs, with the reference's value and the fast one.

The golden records are checked in test_evaluate_golden.py, and every record the collections' own tests
evaluate is compared in collections/conftest.py.
"""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from typing import Any

import pytest
from dcp_platform.definitions import Definition, EvalContext, Question, reference
from dcp_platform.definitions.compare import as_json, differences, report
from dcp_platform.registry import all_plugins, definitions_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 60  # per definition: about a second each; the golden corpus and the collections' own records add depth
INVALID = ["abc", 10**7, -3, True, 1.5, "", "2026-13-01", "99999999.99", 999, "1", ["x"], 0]


def registry_definitions() -> list[tuple[str, str, int]]:
    return sorted((slug, form, year) for slug in all_plugins() for form, year in definitions_for(slug))


def definition(key: tuple[str, str, int]) -> Definition:
    slug, form, year = key
    return definitions_for(slug)[(form, year)]


def valid_value(question: Question) -> st.SearchStrategy[Any]:
    kind = question.type
    if question.options:
        codes = [option.code for option in question.options]
        if kind == "checkboxes":
            return st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True).map(
                lambda chosen: [c for c in codes if c in chosen])
        return st.sampled_from(codes)
    if kind == "organisation":
        return st.sampled_from(["ORG1", "ORG2"])
    if kind == "integer":
        low = question.min if isinstance(question.min, int) else 0
        high = question.max if isinstance(question.max, int) else low + 120
        return st.integers(low, max(low, min(high, low + 120)))
    if kind in ("money", "decimal"):
        return st.decimals(0, 900, places=2).map(str)
    if kind == "date":
        return st.dates(date(2025, 1, 1), date(2027, 12, 31)).map(date.isoformat)
    if kind == "postcode":
        return st.sampled_from(["M1 1AE", "LS6 1AA", "SW1A 1AA"])
    if kind == "email":
        return st.just("someone@example.org")
    if question.id in ("la", "prevloc"):
        return st.sampled_from(["E08000003", "E09000033", "W06000015", "X1"])
    return st.sampled_from(["x", "abc", "T123", "123456", "homeless"])


def any_value(question: Question) -> st.SearchStrategy[Any]:
    return st.one_of(valid_value(question), valid_value(question), valid_value(question), st.sampled_from(INVALID))


def _questions(form: Definition, group: str | None) -> list[Question]:
    return sorted((q for q in form.questions.values() if q.group == group), key=lambda q: q.position)


def random_record(form: Definition) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the questions answered (each answer valid or not), groups with 0 to 6 items."""
    parts: dict[str, st.SearchStrategy[Any]] = {q.id: any_value(q) for q in _questions(form, None)}
    for group_id, group in form.groups.items():
        item = st.fixed_dictionaries({}, optional={q.id: any_value(q) for q in _questions(form, group_id)})
        parts[group_id] = st.lists(item, max_size=min(group.max_items or 6, 6))
    return st.fixed_dictionaries({}, optional=parts)


def full_record(form: Definition) -> st.SearchStrategy[dict[str, Any]]:
    """Every question answered."""
    parts: dict[str, st.SearchStrategy[Any]] = {q.id: any_value(q) for q in _questions(form, None)}
    for group_id, group in form.groups.items():
        item = st.fixed_dictionaries({q.id: any_value(q) for q in _questions(form, group_id)})
        parts[group_id] = st.lists(item, max_size=min(group.max_items or 6, 6))
    return st.fixed_dictionaries(parts)


CONTEXT = EvalContext(today=date(2026, 6, 1))


@cache
def complete_records(key: tuple[str, str, int]) -> tuple[dict[str, Any], ...]:
    """Records answered by walking the form (with the reference): whatever is asked and missing is answered,
    until nothing is, with answers drawn from a few fixed choices."""
    form = definition(key)
    records = []
    for seed in range(3):
        answers: dict[str, Any] = {}
        for _ in range(30):
            evaluation = reference.evaluate(form, answers, context=CONTEXT)
            answers = evaluation.answers
            if not evaluation.missing:
                break
            for ref in evaluation.missing:
                example = _fixed_choice(form.question(ref.question_id), seed)
                if ref.item is None:
                    answers[ref.question_id] = example
                else:
                    assert ref.group is not None
                    items = answers.setdefault(ref.group, [])
                    while len(items) < ref.item:
                        items.append({})
                    items[ref.item - 1][ref.question_id] = example
        records.append(answers)
    return tuple(records)


def _fixed_choice(question: Question, seed: int) -> Any:
    kind = question.type
    if question.options:
        codes = [option.code for option in question.options]
        chosen = codes[seed % len(codes)]
        return [chosen] if kind == "checkboxes" else chosen
    low = question.min if isinstance(question.min, int) else 0
    return {"integer": low + seed, "money": f"{100 + seed * 40}.00", "decimal": f"{1 + seed}.5",
            "date": ["2026-05-01", "2026-11-20", "2027-02-01"][seed], "postcode": "M1 1AE",
            "email": "someone@example.org", "organisation": "ORG1"}.get(kind, ["T123", "abc", "E08000003"][seed])


def changed_complete_record(form: Definition, key: tuple[str, str, int]) -> st.SearchStrategy[dict[str, Any]]:
    """A complete record with a few record-level answers changed (to valid or invalid values) or removed."""
    questions = _questions(form, None)

    @st.composite
    def changed(draw: st.DrawFn) -> dict[str, Any]:
        record = copy.deepcopy(draw(st.sampled_from(complete_records(key))))
        for question in draw(st.lists(st.sampled_from(questions), max_size=6, unique_by=lambda q: q.id)):
            record[question.id] = draw(st.one_of(any_value(question), st.none()))
        return record

    return changed()


def contexts(form: Definition) -> st.SearchStrategy[EvalContext]:
    names = sorted(form.context_names | {"owning_organisation_provider_type"})
    extra = st.fixed_dictionaries({name: st.sampled_from(["PRP", "LA", None]) for name in names})
    today = st.sampled_from([date(2026, 5, 1), date(2026, 11, 20), date(2027, 2, 1)])
    return st.builds(EvalContext, today=today, extra=extra)


def assert_agree(form: Definition, answers: dict[str, Any], context: EvalContext, confirm: bool, label: str) -> None:
    confirmations: dict[str, Any] = {}
    if confirm:
        first = reference.evaluate(form, copy.deepcopy(answers), context=context)
        confirmations = {p.confirmation_key: p.confirmation_token for p in first.soft_problems}
    plain = as_json(reference.evaluate(form, copy.deepcopy(answers), confirmations=confirmations, context=context))
    given_answers = copy.deepcopy(answers)
    fast = as_json(form.evaluate(given_answers, confirmations=confirmations, context=context))
    assert given_answers == answers, f"{label}: evaluate changed its input"
    lines = differences(plain, fast)
    assert not lines, report({"answers": answers, "confirmations": confirmations, "today": str(context.today),
                              "context": context.extra}, lines, label)
    # What evaluate keeps is settled: evaluating it again gives the same (docs: "until nothing changes").
    kept = reference.evaluate(form, copy.deepcopy(answers), confirmations=confirmations, context=context).answers
    again = as_json(reference.evaluate(form, kept, confirmations=confirmations, context=context))
    # (What was given and not kept is about the input, so only the first evaluation reports it.)
    assert again["cleared"] == [], f"{label}: evaluating what was kept clears nothing"
    lines = differences({**plain, "cleared": []}, again)
    assert not lines, report({"answers": answers, "kept": kept}, lines, f"{label}, evaluated again")


KEYS = registry_definitions()


def test_every_collection_definition_is_compared() -> None:
    assert {slug for slug, _form, _year in KEYS} == set(all_plugins())
    assert ("core", "lettings", 2026) in KEYS and ("core", "sales", 2026) in KEYS


@pytest.mark.parametrize("key", KEYS, ids=lambda key: f"{key[0]}-{key[1]}-{key[2]}")
def test_complete_records_agree(key: tuple[str, str, int]) -> None:
    form = definition(key)
    for record in complete_records(key):
        for confirm in (False, True):
            assert_agree(form, record, CONTEXT, confirm, f"{key} complete")


@pytest.mark.parametrize("key", KEYS, ids=lambda key: f"{key[0]}-{key[1]}-{key[2]}")
def test_random_records_agree(key: tuple[str, str, int]) -> None:
    form = definition(key)
    records = st.one_of(random_record(form), full_record(form), changed_complete_record(form, key))

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(answers=records, context=contexts(form), confirm=st.booleans())
    def check(answers: dict[str, Any], context: EvalContext, confirm: bool) -> None:
        assert_agree(form, answers, context, confirm, str(key))

    check()


def test_a_difference_is_reported_readably() -> None:
    form = definition(KEYS[0])
    plain = as_json(reference.evaluate(form, {}, context=CONTEXT))
    fast = copy.deepcopy(plain)
    fast["status"] = "completed" if plain["status"] != "completed" else "in_progress"
    fast["derived"]["some_value"] = 3
    lines = differences(plain, fast)
    assert f"status: reference {plain['status']!r}, fast {fast['status']!r}" in lines
    assert "derived 'some_value': reference '<absent>', fast 3" in lines
    assert "the record {}" in report({}, lines)
