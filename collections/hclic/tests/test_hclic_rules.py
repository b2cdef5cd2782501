"""H-CLIC cases 2026/27: every rule and derived value, evaluated with the definition engine on the real file.

Each rule has a case that breaks it and a close case that keeps to it, both built from one valid case
(`BASE`), so a rule whose condition is wrong in either direction fails here. Unlike CORE's rule tests, the
real definition (with its routing) is used: H-CLIC's routing is short, and a rule that can never fire
because its question is hidden is a bug worth catching.

The example rules quoted by supplier systems (/work/shared/reference/hclic/README.md) are marked "reference".
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.definitions import Definition, EvalContext, Evaluation, load_definition
from dcp_platform.registry.registry import PLATFORM_OPTION_SOURCES

DEFINITION_DIR = Path(__file__).resolve().parents[1] / "dcp_hclic" / "definitions" / "cases_2026"
TODAY = date(2026, 6, 1)

# A family of two: applied 1 April, assessed 10 April, prevention failed (homeless) on 15 May, relief running,
# placed in bed and breakfast under the interim duty when the prevention duty ended.
BASE: dict[str, Any] = {
    "case_reference": "HC/2026/0001",
    "local_authority": "E09000001",
    "reporting_date": "2026-05-20",
    "application_date": "2026-04-01",
    "assessment_date": "2026-04-10",
    "current_accommodation": 3,
    "people": [
        {"age": 34, "sex": "F", "nationality": 1, "economic_status": 2},
        {"relationship": 2, "age": 5, "sex": "M"},
    ],
    "has_support_needs": 1,
    "support_needs": ["MH", "DA"],
    "prevention_duty": 1,
    "prevention_start": "2026-04-10",
    "prevention_end": "2026-05-15",
    "prevention_end_reason": 2,
    "prevention_accommodation": 3,
    "relief_duty": 1,
    "relief_start": "2026-05-15",
    "placed_in_temporary_accommodation": 1,
    "placements": [{"ta_type": 1, "ta_duty": 1, "ta_start": "2026-05-15"}],
}


@pytest.fixture(scope="module")
def definition() -> Definition:
    return load_definition(DEFINITION_DIR, option_sources=PLATFORM_OPTION_SOURCES)


def case(**changes: Any) -> dict[str, Any]:
    """BASE with some answers changed; `None` removes an answer. Group lists are replaced whole."""
    answers = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers


def evaluate(definition: Definition, answers: dict[str, Any]) -> Evaluation:
    return definition.evaluate(answers, context=EvalContext(today=TODAY))


def rule_ids(evaluation: Evaluation) -> set[str]:
    return {problem.rule_id for problem in evaluation.problems}


def person(**answers: Any) -> dict[str, Any]:
    return {"relationship": 4, "age": 40, "sex": "M", "nationality": 1, "economic_status": 1, **answers}


def placement(**answers: Any) -> dict[str, Any]:
    return {"ta_type": 1, "ta_duty": 2, "ta_start": "2026-05-15", **answers}


LEAD = BASE["people"][0]
SUCCEEDED = {"prevention_end_reason": 1, "prevention_accommodation": 3}  # prevention secured accommodation

# (rule id, severity, answers that break the rule, answers that keep to it)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    # reference 1.5: the assessment cannot be before the application
    ("assessment_before_application", "hard",
     case(assessment_date="2026-03-31"), case(assessment_date="2026-04-01")),
    # reference: duty award dates cannot precede the application date
    ("prevention_before_application", "hard",
     case(prevention_start="2026-03-31", assessment_date="2026-03-31", prevention_end="2026-04-20"),
     case(prevention_start="2026-04-01", assessment_date="2026-04-01", prevention_end="2026-04-20")),
    ("relief_before_application", "hard",
     case(relief_start="2026-03-31"), case(relief_start="2026-04-01")),
    ("prevention_ends_before_start", "hard",
     case(prevention_end="2026-04-09"), case(prevention_end="2026-04-10")),
    ("relief_ends_before_start", "hard",
     case(relief_end="2026-05-14", relief_end_reason=1, relief_accommodation=4),
     case(relief_end="2026-05-15", relief_end_reason=1, relief_accommodation=4)),
    # reference 4.6/4.8: homeless at the end of prevention: the outcome is where they lived, or not settled
    ("prevention_homeless_outcome", "hard",
     case(prevention_accommodation=4),  # a social tenancy: settled, and not where they applied from
     case(prevention_accommodation=3)),  # where they applied from (a private tenancy)
    ("prevention_homeless_outcome", "hard",
     case(current_accommodation=1, prevention_accommodation=5),  # owner-occupier: settled
     case(current_accommodation=1, prevention_accommodation=8)),  # rough sleeping: not settled
    # reference: interim only if not assessed, no prevention duty, or prevention unsuccessful
    ("interim_duty_needs_open_enquiries", "hard",
     case(**SUCCEEDED), case(**SUCCEEDED, assessment_date=None)),
    ("interim_duty_needs_open_enquiries", "hard",
     case(**SUCCEEDED), case(**SUCCEEDED, placements=[placement(ta_duty=2)])),
    ("interim_duty_needs_open_enquiries", "hard",
     case(prevention_end=None, prevention_end_reason=None, prevention_accommodation=None),  # still running
     case(prevention_duty=0, prevention_start=None, prevention_end=None, prevention_end_reason=None,
          prevention_accommodation=None)),
    ("placement_before_application", "hard",
     case(placements=[placement(ta_start="2026-03-31")]), case(placements=[placement(ta_start="2026-04-01")])),
    ("placement_ends_before_start", "hard",
     case(placements=[placement(ta_end="2026-05-14")]), case(placements=[placement(ta_end="2026-05-15")])),
    # reference: partner income needs a partner in the household
    ("partner_income_needs_a_partner", "hard",
     case(partner_weekly_income="120.00"),
     case(partner_weekly_income="120.00", people=[LEAD, person(relationship=1)])),
    ("partner_in_household_once", "hard",
     case(people=[LEAD, person(relationship=1), person(relationship=1)]),
     case(people=[LEAD, person(relationship=1), person(relationship=3)])),
    # reference: prevention and relief duties each run 56 days (soft: longer is possible, so confirm it)
    ("prevention_longer_than_56_days", "soft",
     case(prevention_end="2026-06-06", relief_start="2026-06-06"),  # 57 days
     case(prevention_end="2026-06-05", relief_start="2026-06-05")),  # 56 days
    ("relief_longer_than_56_days", "soft",
     case(relief_end="2026-07-11", relief_end_reason=2, relief_accommodation=11),  # 57 days
     case(relief_end="2026-07-10", relief_end_reason=2, relief_accommodation=11)),  # 56 days
]


def test_the_base_case_is_complete_and_breaks_no_rule(definition: Definition) -> None:
    evaluation = evaluate(definition, BASE)
    assert evaluation.problems == [] and evaluation.missing == []
    assert evaluation.status == "completed"


@pytest.mark.parametrize(("rule_id", "severity", "broken", "kept"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_on_a_case_that_breaks_it_and_not_on_one_that_keeps_it(
    definition: Definition, rule_id: str, severity: str, broken: dict[str, Any], kept: dict[str, Any]
) -> None:
    assert definition.rule(rule_id).severity == severity
    fired = evaluate(definition, broken)
    assert rule_id in rule_ids(fired), f"{rule_id} did not fire; problems: {fired.problems}"
    quiet = evaluate(definition, kept)
    assert rule_id not in rule_ids(quiet)
    # The kept case is valid as a whole, so the pair isolates this rule.
    assert quiet.hard_problems == [], quiet.hard_problems
    if severity == "hard":
        assert fired.status != "completed"


def test_every_rule_in_the_definition_has_a_case(definition: Definition) -> None:
    assert {rule.id for rule in definition.validations} == {rule_id for rule_id, *_ in CASES}


def test_group_rules_point_at_the_item_that_breaks_them(definition: Definition) -> None:
    answers = case(placements=[placement(), placement(ta_start="2026-06-01", ta_end="2026-05-31")])
    problems = [p for p in evaluate(definition, answers).problems if p.rule_id == "placement_ends_before_start"]
    assert [(p.item, p.fields[0].key) for p in problems] == [(2, "placements.2.ta_end")]
    partners = case(people=[LEAD, person(relationship=2), person(relationship=1), person(relationship=1)])
    flagged = [p.item for p in evaluate(definition, partners).problems if p.rule_id == "partner_in_household_once"]
    assert flagged == [3, 4]


def test_a_soft_rule_is_satisfied_by_its_confirmation(definition: Definition) -> None:
    long = case(prevention_end="2026-06-06", relief_start="2026-06-06")
    problem = next(p for p in evaluate(definition, long).problems if p.rule_id == "prevention_longer_than_56_days")
    assert problem.title == "You told us the prevention duty lasted 57 days"
    confirmed = definition.evaluate(long, confirmations={problem.confirmation_key: problem.confirmation_token},
                                    context=EvalContext(today=TODAY))
    assert confirmed.problems == [] and confirmed.status == "completed"


def test_type_checks_need_no_rule(definition: Definition) -> None:
    evaluation = evaluate(definition, case(people=[{**LEAD, "age": 121}], case_reference="has space"))
    assert {p.rule_id for p in evaluation.problems} == {"type.age", "type.case_reference"}


# ---------------------------------------------------------------------------------------------- derived


def test_household_size_and_children_count_every_member(definition: Definition) -> None:
    people = [LEAD, person(relationship=1, age=36), person(relationship=2, age=17, nationality=None,
                                                           economic_status=None),
              person(relationship=2, age=18), person(relationship=2, age=2, nationality=None, economic_status=None)]
    derived = evaluate(definition, case(people=people)).derived
    assert derived["household_size"] == 5
    assert derived["children"] == 2  # 17 and 2; 18 is an adult
    assert evaluate(definition, case(people=[LEAD])).derived["household_size"] == 1


def test_duty_lengths_are_days_from_start_to_end(definition: Definition) -> None:
    derived = evaluate(definition, BASE).derived
    assert derived["prevention_days"] == 35  # 10 April to 15 May
    assert derived["relief_days"] is None  # still running
    ended = case(relief_end="2026-05-29", relief_end_reason=1, relief_accommodation=4)
    assert evaluate(definition, ended).derived["relief_days"] == 14


def test_duty_lengths_are_null_when_no_duty_is_owed(definition: Definition) -> None:
    answers = case(prevention_duty=0, prevention_start="2026-04-10", prevention_end="2026-05-15")
    evaluation = evaluate(definition, answers)
    assert "prevention_start" not in evaluation.answers  # hidden answers are dropped ...
    assert evaluation.derived["prevention_days"] is None  # ... so no length is derived from them


def test_answers_to_hidden_pages_are_dropped(definition: Definition) -> None:
    evaluation = evaluate(definition, case(people=[{**LEAD, "relationship": 1}, {"relationship": 2, "age": 5,
                                                                                  "sex": "M", "nationality": 1}]))
    assert "relationship" not in evaluation.answers["people"][0]  # person 1 is the applicant
    assert "nationality" not in evaluation.answers["people"][1]  # asked from 16 only
