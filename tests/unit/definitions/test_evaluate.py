from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from dcp_platform.definitions import Definition, EvalContext, FieldRef

CTX = EvalContext(today=date(2026, 5, 1))
Build = Callable[..., Definition]


@pytest.fixture
def definition(build: Build) -> Definition:
    return build()


def complete() -> dict[str, Any]:
    return {"renewal": 0, "rsnvac": 1, "brent": "100.00", "hasextra": 0, "hhmemb": 2,
            "persons": [{"age": 40, "working": 1}, {"age": 5}]}


def test_complete_record(definition: Definition) -> None:
    result = definition.evaluate(complete(), context=CTX)
    assert result.problems == [] and result.missing == []
    assert result.status == "completed"
    assert result.section_status("setup") == "completed"
    assert result.section_status("household") == "completed"
    assert result.answers == complete()


def test_not_started(definition: Definition) -> None:
    result = definition.evaluate({}, context=CTX)
    assert result.status == "not_started"
    assert result.section_status("setup") == "not_started"
    # the household section's condition is answered(renewal)
    assert result.section_status("household") == "cannot_start_yet"
    assert FieldRef("renewal") in result.missing


def test_derived_in_order_including_group_derived(definition: Definition) -> None:
    answers = complete()
    answers["persons"] = [{"age": 40, "working": 1}, {"age": 17, "working": 0}]
    result = definition.evaluate(answers, context=CTX)
    assert result.derived["totchild"] == 0
    assert result.derived["adult"] == [True, False]
    assert result.derived["totadult"] == 1  # reads the per-item derived value computed before it


def test_changing_an_answer_clears_answers_it_invalidates(definition: Definition) -> None:
    answers = complete()
    answers["hasextra"] = 1
    answers["extra"] = "5.00"
    assert definition.evaluate(answers, context=CTX).answers["extra"] == "5.00"
    answers["hasextra"] = 0
    result = definition.evaluate(answers, context=CTX)
    assert "extra" not in result.answers
    assert FieldRef("extra") not in result.applicable_questions


def test_clearing_cascades_through_group_pages(definition: Definition) -> None:
    answers = complete()
    answers["persons"][0]["age"] = 12  # no longer 16+, so the work question for person 1 goes
    result = definition.evaluate(answers, context=CTX)
    assert result.answers["persons"][0] == {"age": 12}
    assert [p.key for p in result.applicable_pages if p.page.group] == ["person_age.1", "person_age.2"]


def test_group_repeats_by_count_and_is_clamped(definition: Definition) -> None:
    answers = complete()
    answers["hhmemb"] = 3
    result = definition.evaluate(answers, context=CTX)
    assert FieldRef("age", "persons", 3) in result.missing
    assert len(result.answers["persons"]) == 3
    answers["hhmemb"] = 1
    result = definition.evaluate(answers, context=CTX)
    assert result.answers["persons"] == [{"age": 40, "working": 1}]
    answers["hhmemb"] = 9  # over max_items 4: clamped, and a type-level problem for hhmemb
    result = definition.evaluate(answers, context=CTX)
    assert len(result.answers["persons"]) == 4
    assert [p.rule_id for p in result.problems] == ["type.hhmemb"]


def test_add_another_group_uses_list_length(build: Build, base: Callable[[], dict[str, Any]]) -> None:
    data = base()
    del data["groups"][0]["count"]
    data["groups"][0]["min_items"] = 0
    definition = build(data)
    answers = complete()
    answers["persons"] = [{"age": 1}, {"age": 2}, {"age": 3}]
    assert len(definition.evaluate(answers, context=CTX).answers["persons"]) == 3


def test_system_set_answer(definition: Definition) -> None:
    answers = complete()
    answers["renewal"] = 1
    result = definition.evaluate(answers, context=CTX)
    assert result.answers["rsnvac"] == 14  # set by the derived value, kept although its page is hidden
    assert FieldRef("rsnvac") not in result.applicable_questions
    assert result.status == "completed"


def test_hard_rule(definition: Definition) -> None:
    answers = complete()
    answers["rsnvac"] = 14
    result = definition.evaluate(answers, context=CTX)
    assert [p.rule_id for p in result.problems] == ["not_renewal"]
    problem = result.problems[0]
    assert problem.fields == [FieldRef("rsnvac")] and problem.template_fields == [2]
    assert result.status == "in_progress"
    assert result.section_status("setup") == "in_progress"
    assert result.section_status("household") == "completed"


def test_soft_confirmation_and_invalidation(definition: Definition) -> None:
    answers = complete()
    answers["brent"] = "1500.00"
    result = definition.evaluate(answers, context=CTX)
    (problem,) = result.problems
    assert problem.severity == "soft" and problem.message == "The rent of £1500.00 is high"
    assert problem.title == "Rent is £1500.00"
    assert result.status == "in_progress"
    token = result.confirmation_token("high_rent")
    assert token == problem.confirmation_token
    confirmed = definition.evaluate(answers, confirmations={"high_rent": token}, context=CTX)
    assert confirmed.problems == [] and confirmed.status == "completed"
    assert [p.rule_id for p in confirmed.confirmed] == ["high_rent"]
    answers["brent"] = "1600.00"  # a different value: ask again
    again = definition.evaluate(answers, confirmations={"high_rent": token}, context=CTX)
    assert [p.rule_id for p in again.problems] == ["high_rent"]


def test_group_rule_per_item(definition: Definition) -> None:
    answers = complete()
    answers["persons"][1]["age"] = 105
    answers["persons"][1]["working"] = 0
    result = definition.evaluate(answers, context=CTX)
    (problem,) = result.problems
    assert problem.fields == [FieldRef("age", "persons", 2)]
    assert problem.fields[0].key == "persons.2.age"
    assert problem.message == "Person 2 is 105"
    assert problem.template_fields == [11]
    assert problem.confirmation_key == "old_person.2"
    token = result.confirmation_token("old_person", 2)
    assert definition.evaluate(answers, confirmations={"old_person.2": token}, context=CTX).problems == []


def test_type_level_problems(definition: Definition) -> None:
    answers = complete()
    answers["rsnvac"] = 99
    answers["brent"] = "-1.00"
    result = definition.evaluate(answers, context=CTX)
    assert {p.rule_id for p in result.problems} == {"type.rsnvac", "type.brent"}


def test_rule_skipped_when_its_fields_are_not_asked(definition: Definition) -> None:
    answers = complete()
    answers["renewal"] = 1
    answers["rsnvac"] = 14
    # renewal == 1: the not_renewal rule does not fire (and rsnvac is not asked)
    assert definition.evaluate(answers, context=CTX).problems == []


def test_required_false_not_missing(definition: Definition) -> None:
    answers = complete()
    del answers["hasextra"]
    assert definition.evaluate(answers, context=CTX).status == "completed"


def test_derived_values_are_not_accepted_as_input(definition: Definition) -> None:
    answers = complete()
    answers["totchild"] = 5
    result = definition.evaluate(answers, context=CTX)
    assert "totchild" not in result.answers and result.derived["totchild"] == 1


def test_page_problems(definition: Definition) -> None:
    answers = complete()
    answers["persons"][1]["age"] = 130
    result = definition.evaluate(answers, context=CTX)
    page = definition.page("person_age")
    instance_2 = next(p for p in result.applicable_pages if p.page is page and p.item == 2)
    instance_1 = next(p for p in result.applicable_pages if p.page is page and p.item == 1)
    problems, missing = definition.page_problems(result, instance_2)
    assert [p.rule_id for p in problems] == ["type.age", "old_person"]
    assert definition.page_problems(result, instance_1) == ([], [])


def test_date_bounds_from_expressions(build: Build, base: Callable[[], dict[str, Any]]) -> None:
    data = base()
    data["sections"][0]["pages"][0]["questions"].append(
        {"id": "startdate", "type": "date", "label": "Start", "max": "today() + 14"})
    definition = build(data)
    answers = complete() | {"startdate": "2026-05-15"}
    assert definition.evaluate(answers, context=CTX).problems == []
    answers["startdate"] = "2026-05-16"
    assert [p.rule_id for p in definition.evaluate(answers, context=CTX).problems] == ["type.startdate"]
