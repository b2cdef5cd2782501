"""CORE lettings 2026/27 hard and soft rules (validations.yaml), evaluated with the definition engine.

Each rule has a record that breaks it and a close record that does not, so the test fails if the rule's
condition is wrong in either direction.

The rules are loaded with a small routing-free question set (`RULES_TEST_FORM`) that declares every answer
the rules read, so each rule is tested on its own logic: in the real form, routing may hide questions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_core.functions import EXPRESSION_FUNCTIONS, OPTION_SOURCES
from dcp_platform.definitions import Definition, EvalContext, Evaluation, load_definition

DEFINITION_DIR = Path(__file__).resolve().parents[1] / "dcp_core" / "definitions" / "lettings_2026"
TODAY = date(2026, 6, 1)

_INTEGERS = [
    "renewal",
    "referral_register",
    "referral_noms",
    "waityear",
    "rsnvac",
    "first_time_property_let_as_social_housing",
    "majorrepairs",
    "net_income_known",
    "rent_type",
    "needstype",
    "hhmemb",
    "ethnic_group",
    "ethnic",
    "nationality_all_group",
    "nationality_all",
    "period",
    "hb",
    "benefits",
    "tshortfall_known",
    "household_charge",
    "hbrentshortfall",
    "unittype_gn",
    "beds",
    "unitletas",
    "prevten",
    "ppcodenk",
    "previous_la_known",
    "housingneeds",
    "housingneeds_type",
    "housingneeds_other",
    "incfreq",
    "tenancy",
    "tenancylength",
    "startertenancy",
    "joint",
    "reasonpref",
    "reason",
    "armedforces",
    "reservist",
    "leftreg",
    "illness",
    "layear",
    "preg_occ",
]
_MONEY = ["brent", "scharge", "pscharge", "supcharg", "tshortfall", "earnings"]
_DATES = ["startdate", "voiddate", "mrcdate"]
_TEXTS = ["irproduct_other", "tenancyother", "reasonother", "uprn", "la", "prevloc"]
_POSTCODES = ["postcode_full", "ppostcode_full"]
_CHECKBOXES = {
    "reasonable_preference_reason": [
        "rp_homeless",
        "rp_insan_unsat",
        "rp_medwel",
        "rp_hardship",
        "rp_dontknow",
    ],
    "condition_effects": [f"illness_type_{n}" for n in range(1, 11)],
}
_PERSON_INTEGERS = ["age_known", "age", "gender_same_as_sex", "ecstat", "details_known"]
_PERSON_TEXTS = ["sexrab", "relat", "gender_description"]


def _question(question_id: str, question_type: str, **extra: Any) -> dict[str, Any]:
    return {"id": question_id, "type": question_type, "label": question_id, "required": False, **extra}


def rules_test_form() -> dict[str, Any]:
    """Top-level keys and every question the CORE derived values and rules read, with no routing."""
    record = [_question("hhmemb", "integer", min=1, max=8)]
    record += [_question(q, "integer") for q in _INTEGERS if q != "hhmemb"]
    record += [_question(q, "money", min=0) for q in _MONEY]
    record += [_question(q, "date") for q in _DATES]
    record += [_question(q, "text") for q in _TEXTS]
    record += [_question(q, "postcode") for q in _POSTCODES]
    record += [
        _question(q, "checkboxes", options=[{"code": c, "label": c} for c in codes])
        for q, codes in _CHECKBOXES.items()
    ]
    person = [_question(q, "integer") for q in _PERSON_INTEGERS] + [
        _question(q, "text") for q in _PERSON_TEXTS
    ]
    return {
        "collection": "core",
        "form": "lettings",
        "year": 2026,
        "title": "Rules test form",
        "groups": [{"id": "persons", "title": "People", "count": "hhmemb", "min_items": 0, "max_items": 8}],
        "sections": [
            {
                "id": "all",
                "title": "All",
                "pages": [
                    {"id": "household_size", "questions": record[:1]},
                    {"id": "record", "questions": record[1:]},
                    {"id": "person", "group": "persons", "questions": person},
                ],
            }
        ],
    }


def load_rules_definition(tmp_dir: Path) -> Definition:
    form = tmp_dir / "form.yaml"
    form.write_text(yaml.safe_dump(rules_test_form()), encoding="utf-8")
    return load_definition(
        [form, DEFINITION_DIR / "derived.yaml", DEFINITION_DIR / "validations.yaml"],
        functions=EXPRESSION_FUNCTIONS,
        option_sources=OPTION_SOURCES,
    )


def evaluate(
    definition: Definition, answers: dict[str, Any], provider: str | None = "PRP", today: date = TODAY
) -> Evaluation:
    """Evaluate answers; `persons` may be given and hhmemb defaults to its length."""
    answers = dict(answers)
    provider = answers.pop("_provider", provider)
    if "persons" in answers:
        answers.setdefault("hhmemb", len(answers["persons"]))
    extra = {"owning_organisation_provider_type": provider} if provider else {}
    return definition.evaluate(answers, context=EvalContext(today=today, extra=extra))


def rule_ids(evaluation: Evaluation) -> set[str]:
    return {problem.rule_id for problem in evaluation.problems}


@pytest.fixture(scope="module")
def definition(tmp_path_factory: pytest.TempPathFactory) -> Definition:
    return load_rules_definition(tmp_path_factory.mktemp("rules"))


def lead(age: int = 30, ecstat: int = 1, **more: Any) -> dict[str, Any]:
    return {"age_known": 0, "age": age, "sexrab": "F", "gender_same_as_sex": 1, "ecstat": ecstat, **more}


def other(age: int = 30, ecstat: int | None = 1, relat: str = "X", **more: Any) -> dict[str, Any]:
    person = {
        "details_known": 0,
        "age_known": 0,
        "age": age,
        "sexrab": "M",
        "gender_same_as_sex": 1,
        "relat": relat,
    }
    if ecstat is not None:
        person["ecstat"] = ecstat
    return {**person, **more}


# A general needs social rent letting by a housing association in Adur, 2 bedrooms, £100 a week.
RENT_BASE: dict[str, Any] = {
    "startdate": "2026-05-01",
    "needstype": 1,
    "rent_type": 0,
    "la": "E07000223",
    "beds": 2,
    "period": 1,
    "brent": "100.00",
    "scharge": "5.00",
    "pscharge": "0.00",
    "supcharg": "0.00",
}

# (rule id, answers that break the rule, answers that keep to it). Persons are lists of person answers.
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # --- setup
    ("startdate_too_far_ahead", {"startdate": "2026-06-16"}, {"startdate": "2026-06-15"}),
    (
        "irproduct_other_not_needed",
        {"rent_type": 3, "irproduct_other": "Shared"},
        {"rent_type": 5, "irproduct_other": "Shared"},
    ),
    # --- property
    (
        "temporary_relet_needs_temporary_previous_tenure",
        {"rsnvac": 9, "prevten": 30},
        {"rsnvac": 9, "prevten": 4},
    ),
    ("renewal_reason_needs_renewal", {"renewal": 0, "rsnvac": 14}, {"renewal": 0, "rsnvac": 13}),
    (
        "first_let_matches_vacancy_reason",
        {"renewal": 0, "first_time_property_let_as_social_housing": 1, "rsnvac": 13},
        {"renewal": 0, "first_time_property_let_as_social_housing": 1, "rsnvac": 15},
    ),
    (
        "first_let_matches_vacancy_reason",
        {"renewal": 0, "first_time_property_let_as_social_housing": 0, "rsnvac": 16},
        {"renewal": 0, "first_time_property_let_as_social_housing": 0, "rsnvac": 13},
    ),
    # Only the vacancy reason given (template field 16): the first-let answer follows from it, no conflict.
    ("first_let_matches_vacancy_reason", {"renewal": 0, "first_time_property_let_as_social_housing": 0,
                                          "rsnvac": 17}, {"renewal": 0, "rsnvac": 17}),
    (
        "ethnic_background_not_in_group",
        {"ethnic_group": 0, "ethnic": 10},  # White, Bangladeshi
        {"ethnic_group": 2, "ethnic": 10},  # Asian, Bangladeshi
    ),
    # Only the background given (template field 45): the group follows from it, no conflict.
    ("ethnic_background_not_in_group", {"ethnic_group": 3, "ethnic": 19}, {"ethnic": 19}),
    (
        "nationality_not_another_country",
        {"nationality_all_group": 12, "nationality_all": 826},
        {"nationality_all_group": 12, "nationality_all": 4},
    ),
    ("nationality_not_another_country", {"nationality_all_group": 12, "nationality_all": 826},
     {"nationality_all": 826}),
    (
        "shared_housing_bedrooms_single_person",
        {"unittype_gn": 4, "hhmemb": 1, "beds": 4},
        {"unittype_gn": 4, "hhmemb": 1, "beds": 3},
    ),
    (
        "shared_housing_bedrooms",
        {"unittype_gn": 9, "hhmemb": 2, "beds": 8},
        {"unittype_gn": 9, "hhmemb": 2, "beds": 7},
    ),
    ("uprn_format", {"uprn": "1234567890123"}, {"uprn": "123456789012"}),
    ("la_in_england", {"la": "S12000033"}, {"la": "E07000223"}),
    (
        "la_active_on_start_date",
        {"la": "E08000016", "startdate": "2026-05-01"},
        {"la": "E08000038", "startdate": "2026-05-01"},
    ),
    # --- tenancy
    (
        "supported_housing_fixed_term_length",
        {"tenancy": 4, "needstype": 2, "tenancylength": 100},
        {"tenancy": 4, "needstype": 2, "tenancylength": 99},
    ),
    (
        "general_needs_social_fixed_term_length",
        {"tenancy": 6, "needstype": 1, "rent_type": 1, "tenancylength": 1},
        {"tenancy": 6, "needstype": 1, "rent_type": 1, "tenancylength": 2},
    ),
    (
        "general_needs_intermediate_fixed_term_length",
        {"tenancy": 4, "needstype": 1, "rent_type": 3, "tenancylength": 0},
        {"tenancy": 4, "needstype": 1, "rent_type": 3, "tenancylength": 1},
    ),
    ("periodic_tenancy_length", {"tenancy": 8, "tenancylength": 0}, {"tenancy": 8, "tenancylength": 5}),
    ("tenancy_length_not_needed", {"tenancy": 2, "tenancylength": 5}, {"tenancy": 8, "tenancylength": 5}),
    (
        "tenancyother_not_needed",
        {"tenancy": 2, "tenancyother": "Licence"},
        {"tenancy": 3, "tenancyother": "Licence"},
    ),
    ("joint_tenancy_needs_two_people", {"hhmemb": 1, "joint": 1}, {"hhmemb": 2, "joint": 1}),
    # --- property dates
    (
        "major_repairs_on_first_let",
        {"rsnvac": 15, "mrcdate": "2026-01-01"},
        {"rsnvac": 13, "mrcdate": "2026-01-01"},
    ),
    (
        "major_repairs_after_start",
        {"startdate": "2026-05-01", "mrcdate": "2026-05-02"},
        {"startdate": "2026-05-01", "mrcdate": "2026-05-01"},
    ),
    (
        "major_repairs_too_early",
        {"startdate": "2026-05-01", "mrcdate": "2006-04-30"},
        {"startdate": "2026-05-01", "mrcdate": "2006-05-01"},
    ),
    (
        "void_after_major_repairs",
        {"voiddate": "2026-03-02", "mrcdate": "2026-03-01"},
        {"voiddate": "2026-03-01", "mrcdate": "2026-03-01"},
    ),
    (
        "void_after_start",
        {"startdate": "2026-05-01", "voiddate": "2026-05-02"},
        {"startdate": "2026-05-01", "voiddate": "2026-05-01"},
    ),
    (
        "void_too_early",
        {"startdate": "2026-05-01", "voiddate": "2006-04-30"},
        {"startdate": "2026-05-01", "voiddate": "2006-05-01"},
    ),
    # --- household
    (
        "preference_reasons_without_preference",
        {"reasonpref": 2, "reasonable_preference_reason": ["rp_medwel"]},
        {"reasonpref": 1, "reasonable_preference_reason": ["rp_medwel"]},
    ),
    ("reasonother_not_needed", {"reason": 40, "reasonother": "Work"}, {"reason": 20, "reasonother": "Work"}),
    (
        "reasonother_is_homelessness",
        {"reason": 20, "reasonother": "Homeless"},
        {"reason": 20, "reasonother": "Homeless after eviction"},
    ),
    (
        "reservist_without_armed_forces",
        {"armedforces": 2, "reservist": 1},
        {"armedforces": 4, "reservist": 1},
    ),
    ("leftreg_without_regular", {"armedforces": 4, "leftreg": 1}, {"armedforces": 1, "leftreg": 1}),
    (
        "child_working_situation_over_16",
        {"persons": [lead(), other(age=17, ecstat=9)]},
        {"persons": [lead(), other(age=16, ecstat=9)]},
    ),
    (
        "condition_effects_without_condition",
        {"illness": 2, "condition_effects": ["illness_type_1"]},
        {"illness": 1, "condition_effects": ["illness_type_1"]},
    ),
    (
        "care_leaver_over_25",
        {"prevten": 13, "persons": [lead(age=26)]},
        {"prevten": 13, "persons": [lead(age=25)]},
    ),
    (
        "internal_transfer_needs_social_previous_tenure",
        {"referral_register": 6, "referral_noms": 3, "prevten": 3},
        {"referral_register": 6, "referral_noms": 3, "prevten": 32},
    ),
    ("renewal_just_moved_to_area", {"renewal": 1, "layear": 1}, {"renewal": 1, "layear": 2}),
    (
        "same_area_just_moved",
        {"la": "E07000223", "prevloc": "E07000223", "layear": 1},
        {"la": "E07000223", "prevloc": "E09000033", "layear": 1},
    ),
    (
        "access_needs_combination",
        {"housingneeds": 1, "housingneeds_type": 3, "housingneeds_other": 0},
        {"housingneeds": 1, "housingneeds_type": 3, "housingneeds_other": 1},
    ),
    # --- financial
    (
        "shortfall_amount_without_shortfall",
        {"hbrentshortfall": 2, "tshortfall": "10.00"},
        {"hbrentshortfall": 1, "tshortfall": "10.00"},
    ),
    (
        "working_tenant_all_income_from_benefits",
        {"benefits": 1, "persons": [lead(ecstat=5), other(ecstat=2, relat="P")]},
        {"benefits": 1, "persons": [lead(ecstat=5), other(ecstat=2, relat="X")]},
    ),
    (
        "working_person_all_income_from_benefits",
        {"benefits": 1, "persons": [lead(ecstat=1)]},
        {"benefits": 2, "persons": [lead(ecstat=1)]},
    ),
    # One full-time lead tenant: hard range £90 to £1,230 a week.
    (
        "income_above_maximum",
        {"earnings": "1231", "incfreq": 1, "persons": [lead(ecstat=1)]},
        {"earnings": "1230", "incfreq": 1, "persons": [lead(ecstat=1)]},
    ),
    # £4,600 a year is £88 a week; £4,680 a year is exactly £90.
    (
        "income_below_minimum",
        {"earnings": "4600", "incfreq": 3, "persons": [lead(ecstat=1)]},
        {"earnings": "4680", "incfreq": 3, "persons": [lead(ecstat=1)]},
    ),
    ("shortfall_without_housing_benefit", {"hbrentshortfall": 1, "hb": 9}, {"hbrentshortfall": 1, "hb": 6}),
    (
        "shortfall_more_than_charges",
        RENT_BASE | {"hb": 1, "tshortfall": "105.01"},
        RENT_BASE | {"hb": 1, "tshortfall": "105.00"},
    ),
    (
        "shortfall_must_be_positive",
        RENT_BASE | {"hb": 1, "tshortfall": "0.00"},
        RENT_BASE | {"hb": 1, "tshortfall": "0.01"},
    ),
    ("total_charge_at_least_10", {"period": 1, "brent": "9.99"}, {"period": 1, "brent": "10.00"}),
    (
        "charges_when_no_charge",
        {"household_charge": 1, "brent": "50.00"},
        {"household_charge": 0, "brent": "50.00"},
    ),
    (
        "service_charge_maximum",
        {"needstype": 1, "period": 1, "scharge": "800.01"},
        {"needstype": 1, "period": 1, "scharge": "800.00"},
    ),
    (
        "personal_service_charge_maximum",
        {"needstype": 1, "period": 2, "pscharge": "1400.02"},
        {"needstype": 1, "period": 2, "pscharge": "1400.00"},
    ),
    (
        "support_charge_maximum",
        {"needstype": 2, "period": 1, "supcharg": "800.01"},
        {"needstype": 2, "period": 1, "supcharg": "800.00"},
    ),
    ("housing_benefit_without_benefit_income", {"hb": 1, "benefits": 3}, {"hb": 1, "benefits": 2}),
    # Adur, social rent, general needs, housing association, 2 bedrooms: hard range £25.84 to £1,000 a week.
    ("rent_below_minimum", RENT_BASE | {"brent": "25.83"}, RENT_BASE | {"brent": "25.84"}),
    ("rent_above_maximum", RENT_BASE | {"brent": "1000.01"}, RENT_BASE | {"brent": "1000.00"}),
    # Monthly: £4,333.37 a month is £1,000.01 a week.
    (
        "rent_above_maximum",
        RENT_BASE | {"period": 4, "brent": "4333.37"},
        RENT_BASE | {"period": 4, "brent": "4333.33"},
    ),
]

# Soft rules: (rule id, answers that need confirming, answers that do not). "_provider" sets the owner's type.
SOFT_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # Usual range £74.68 to £165.75 a week.
    ("rent_value_check", RENT_BASE | {"brent": "74.68"}, RENT_BASE | {"brent": "74.69"}),
    ("rent_value_check", RENT_BASE | {"brent": "165.75"}, RENT_BASE | {"brent": "165.74"}),
    (
        "rent_value_check",
        RENT_BASE | {"beds": 6, "brent": "201.81"},
        RENT_BASE | {"beds": 6, "brent": "201.80"},
    ),
    # One full-time lead tenant: usual range £143 to £730 a week.
    (
        "net_income_value_check",
        {"earnings": "142", "incfreq": 1, "persons": [lead(ecstat=1)]},
        {"earnings": "144", "incfreq": 1, "persons": [lead(ecstat=1)]},
    ),
    (
        "net_income_value_check",
        {"earnings": "730", "incfreq": 1, "persons": [lead(ecstat=1)]},
        {"earnings": "729", "incfreq": 1, "persons": [lead(ecstat=1)]},
    ),
    (
        "void_date_value_check",
        {"startdate": "2026-05-01", "voiddate": "2024-05-01"},
        {"startdate": "2026-05-01", "voiddate": "2024-05-02"},
    ),
    (
        "major_repairs_date_value_check",
        {"startdate": "2026-05-01", "mrcdate": "2006-05-06"},
        {"startdate": "2026-05-01", "mrcdate": "2024-05-02"},
    ),
    (
        "pregnancy_value_check",
        {"preg_occ": 1, "persons": [lead(sexrab="M")]},
        {"preg_occ": 1, "persons": [lead()]},
    ),
    (
        "pregnancy_value_check",
        {"preg_occ": 1, "persons": [lead(age=56), other(age=60)]},
        {"preg_occ": 1, "persons": [lead(age=55), other(age=60)]},
    ),
    (
        "pregnancy_value_check",
        {"preg_occ": 1, "persons": [lead(sexrab="M"), other(age=40)]},
        {"preg_occ": 1, "persons": [lead(sexrab="M"), other(age=40, gender_same_as_sex=2)]},
    ),
    ("retirement_value_check", {"persons": [lead(age=65, ecstat=5)]}, {"persons": [lead(age=66, ecstat=5)]}),
    (
        "not_retired_value_check",
        {"persons": [lead(age=67, ecstat=1)]},
        {"persons": [lead(age=67, ecstat=10)]},
    ),
    (
        "working_situation_illness_check",
        {"illness": 2, "persons": [lead(ecstat=8)]},
        {"illness": 1, "persons": [lead(ecstat=8)]},
    ),
    (
        "reasonother_value_check",
        {"reason": 20, "reasonother": "Flat had damp"},
        {"reason": 20, "reasonother": "Moved for work"},
    ),
    (
        "tenancyother_value_check",
        {"tenancy": 3, "tenancyother": "Introductory"},
        {"tenancy": 3, "tenancyother": "Licence"},
    ),
    (
        "scharge_value_check",
        {"needstype": 1, "period": 1, "scharge": "35.01"},
        {"needstype": 1, "period": 1, "scharge": "35.00"},
    ),
    (
        "pscharge_value_check",
        {"_provider": "LA", "needstype": 2, "period": 1, "pscharge": "75.01"},
        {"_provider": "LA", "needstype": 2, "period": 1, "pscharge": "75.00"},
    ),
    (
        "supcharg_value_check",
        {"needstype": 2, "period": 1, "supcharg": "85.01"},
        {"needstype": 2, "period": 1, "supcharg": "85.00"},
    ),
    # Above the hard maximum it is a hard problem, not a question to confirm.
    (
        "supcharg_value_check",
        {"_provider": "LA", "needstype": 2, "period": 1, "supcharg": "80.00"},
        {"_provider": "LA", "needstype": 2, "period": 1, "supcharg": "200.01"},
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "broken", "kept"), CASES, ids=[f"{n}-{c[0]}" for n, c in enumerate(CASES)]
)
def test_hard_rule(
    definition: Definition, rule_id: str, broken: dict[str, Any], kept: dict[str, Any]
) -> None:
    assert definition.rule(rule_id).severity == "hard"
    assert rule_id in rule_ids(evaluate(definition, broken))
    assert rule_id not in rule_ids(evaluate(definition, kept))


@pytest.mark.parametrize(
    ("rule_id", "flagged", "kept"), SOFT_CASES, ids=[f"{n}-{c[0]}" for n, c in enumerate(SOFT_CASES)]
)
def test_soft_rule(
    definition: Definition, rule_id: str, flagged: dict[str, Any], kept: dict[str, Any]
) -> None:
    rule = definition.rule(rule_id)
    assert rule.severity == "soft" and rule.title and rule.confirm_label
    problems = [p for p in evaluate(definition, flagged).problems if p.rule_id == rule_id]
    assert problems and all(p.severity == "soft" for p in problems)
    assert rule_id not in rule_ids(evaluate(definition, kept))


def test_soft_rule_confirmed_until_the_values_change(definition: Definition) -> None:
    answers = RENT_BASE | {"brent": "170.00"}
    first = evaluate(definition, answers)
    [problem] = [p for p in first.problems if p.rule_id == "rent_value_check"]
    assert problem.title == "The basic rent of £170.00 a week is unusual for this property"
    confirmations = {problem.confirmation_key: problem.confirmation_token}
    context = EvalContext(today=TODAY, extra={"owning_organisation_provider_type": "PRP"})
    confirmed = definition.evaluate(answers, confirmations=confirmations, context=context)
    assert "rent_value_check" not in rule_ids(confirmed)
    changed = definition.evaluate(answers | {"brent": "171.00"}, confirmations=confirmations, context=context)
    assert "rent_value_check" in rule_ids(changed)


def test_rent_checks_need_the_owner_provider_type(definition: Definition) -> None:
    # Without the provider type there is no letting type, so no rent range applies.
    answers = RENT_BASE | {"brent": "20.00"}
    assert "rent_below_minimum" in rule_ids(evaluate(definition, answers, provider="PRP"))
    assert "rent_below_minimum" not in rule_ids(evaluate(definition, answers, provider=None))


def test_hard_messages_fill_placeholders(definition: Definition) -> None:
    evaluation = evaluate(definition, RENT_BASE | {"brent": "20.00"})
    [problem] = [p for p in evaluation.problems if p.rule_id == "rent_below_minimum"]
    assert "£20.00 a week" in problem.message and "£25.84 a week" in problem.message
    assert [ref.question_id for ref in problem.fields] == ["brent", "period", "beds", "la"]


def test_every_rule_has_a_spec_reference_and_soft_rules_a_confirmation() -> None:
    rules = yaml.safe_load((DEFINITION_DIR / "validations.yaml").read_text(encoding="utf-8"))["validations"]
    tested = {case[0] for case in CASES} | {case[0] for case in SOFT_CASES}
    assert {rule["id"] for rule in rules} == tested
    for rule in rules:
        assert rule.get("ref"), rule["id"]
        if rule["severity"] == "soft":
            assert rule.get("title") and rule.get("confirm_label"), rule["id"]


def test_real_definition_loads_with_these_rules() -> None:
    # The loader checks every name, `sets:` target and rule field against the real questions.
    from dcp_platform.registry import definition_for

    real = definition_for("core", "lettings", 2026)  # loaded through the plugin, as the platform does
    ours = yaml.safe_load((DEFINITION_DIR / "validations.yaml").read_text(encoding="utf-8"))["validations"]
    assert {rule["id"] for rule in ours} <= {rule.id for rule in real.validations}
