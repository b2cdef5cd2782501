"""CORE sales 2026/27 hard and soft rules (sales_2026/validations.yaml), evaluated with the definition engine.

Each rule has a record that breaks it and a close record that does not, so the test fails if the rule's
condition is wrong in either direction. The rules run on a routing-free form with every sales question
(sales_harness.py); `test_core_sales_spec_coverage.py` checks every numbered rule of the specification has
cases here, in the upload tests, or a stated reason why it does not apply.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_platform.definitions import Definition, EvalContext

_spec = importlib.util.spec_from_file_location("core_sales_tests_sales_harness", Path(__file__).with_name("sales_harness.py"))
assert _spec is not None and _spec.loader is not None
harness = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = harness
    _spec.loader.exec_module(harness)
buyer, member, evaluate, rule_ids = harness.buyer, harness.member, harness.evaluate, harness.rule_ids

SALE = "2026-05-01"
SO = {"ownershipsch": 1, "shared_ownership_type": 30}  # shared ownership, new model lease
DO = {"ownershipsch": 2}  # discounted ownership


@pytest.fixture(scope="module")
def definition(tmp_path_factory: pytest.TempPathFactory) -> Definition:
    return harness.load_rules_definition(tmp_path_factory.mktemp("sales_rules"))


# (rule id, answers that break the rule, answers that keep to it). Persons are lists of person answers.
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # --- setup
    ("saledate_too_far_ahead", {"saledate": "2026-06-16"}, {"saledate": "2026-06-15"}),
    # --- household
    ("discounted_ownership_previous_tenure", DO | {"prevten": 3}, DO | {"prevten": 1}),
    ("discounted_ownership_previous_tenure", DO | {"prevten": 0}, SO | {"prevten": 0}),
    ("child_working_situation_over_16", {"persons": [buyer(), member(age=17, ecstat=9)]},
     {"persons": [buyer(), member(age=16, ecstat=9)]}),
    ("buyer_not_a_child", {"persons": [buyer(ecstat=9)]}, {"persons": [buyer(ecstat=7)]}),
    # Person 2 is a buyer on a joint purchase only.
    ("buyer_not_a_child", {"jointpur": 1, "persons": [buyer(), buyer(age=17, ecstat=9)]},
     {"jointpur": 2, "persons": [buyer(), member(age=12, ecstat=9)]}),
    ("buyer_at_least_16", {"persons": [buyer(age=15)]}, {"persons": [buyer(age=16)]}),
    ("buyer_at_least_16", {"jointpur": 1, "persons": [buyer(), buyer(age=15)]},
     {"jointpur": 2, "persons": [buyer(), member(age=15, ecstat=None)]}),
    ("age_refused_only_for_buyer_1", {"persons": [buyer(), member(age_known=2)]},
     {"persons": [buyer(age_known=2), member()]}),
    ("ethnic_background_not_in_group", {"ethnic_group": 0, "ethnic": 10}, {"ethnic_group": 2, "ethnic": 10}),
    ("ethnic_background_not_in_group", {"ethnic_group": 3, "ethnic": 19}, {"ethnic": 19}),
    ("buyer_2_ethnic_background_not_in_group", {"ethnic_group2": 4, "ethnicbuy2": 13},
     {"ethnic_group2": 3, "ethnicbuy2": 13}),
    ("nationality_not_another_country", {"nationality_all_group": 12, "nationality_all": 826},
     {"nationality_all_group": 12, "nationality_all": 4}),
    ("buyer_2_nationality_not_another_country", {"nationality_all_buyer2_group": 12, "nationality_all_buyer2": 826},
     {"nationality_all_buyer2": 826}),
    # --- property
    ("bedsit_one_bedroom", {"proptype": 2, "beds": 2}, {"proptype": 2, "beds": 1}),
    ("uprn_format", {"uprn": "1234567890123"}, {"uprn": "123456789012"}),
    ("uprn_format", {"uprn": "12 34"}, {"uprn": "1234"}),
    ("address_or_uprn_needed", {"address_line1": "1 High Street", "postcode_full": "LS6 1AA"},
     {"address_line1": "1 High Street", "town_or_city": "Leeds", "postcode_full": "LS6 1AA"}),
    ("address_or_uprn_needed", {"town_or_city": "Leeds"}, {"uprn": "10033558653"}),
    ("la_in_england", {"la": "S12000033"}, {"la": "E07000223"}),
    ("la_active_on_sale_date", {"la": "E08000016", "saledate": SALE}, {"la": "E08000038", "saledate": SALE}),
    # --- financial: Adur (outside London) 80,000, Westminster 90,000
    ("buyer_1_income_over_shared_ownership_cap", SO | {"la": "E07000223", "income1": 80001},
     SO | {"la": "E07000223", "income1": 80000}),
    ("buyer_1_income_over_shared_ownership_cap", SO | {"la": "E09000033", "income1": 90001},
     SO | {"la": "E09000033", "income1": 90000}),
    ("buyer_1_income_over_shared_ownership_cap", SO | {"la": "E07000223", "income1": 80001},
     DO | {"la": "E07000223", "income1": 80001}),
    ("buyer_2_income_over_shared_ownership_cap", SO | {"la": "E07000223", "income2": 80001},
     SO | {"la": "E09000033", "income2": 80001}),
    ("combined_income_over_shared_ownership_cap", SO | {"la": "E07000223", "income1": 40000, "income2": 40001},
     SO | {"la": "E07000223", "income1": 40000, "income2": 40000}),
    ("mortgage_not_zero", {"mortgageused": 1, "mortgage": "0"}, {"mortgageused": 1, "mortgage": "1"}),
    ("monthly_charges_not_zero", {"mscharge": "0"}, {"mscharge": "0.01"}),
    ("stairbought_more_than_stairowned", {"stairbought": "30", "stairowned": "25"},
     {"stairbought": "25", "stairowned": "30"}),
    ("stairbought_equals_stairowned", {"saledate": SALE, "stairbought": "25", "stairowned": "25"},
     {"saledate": SALE, "stairbought": "25", "stairowned": "50"}),
    ("stairbought_minimum", SO | {"shared_ownership_type": 2, "stairbought": "9.9"},
     SO | {"shared_ownership_type": 2, "stairbought": "10"}),
    ("stairbought_minimum", SO | {"stairbought": "0.9"}, SO | {"stairbought": "1"}),
    ("buyer_2_child_with_income", {"jointpur": 1, "income2": 1000, "persons": [buyer(), buyer(age=17, ecstat=9)]},
     {"jointpur": 1, "income2": 0, "persons": [buyer(), buyer(age=17, ecstat=9)]}),
    ("equity_below_minimum", SO | {"shared_ownership_type": 2, "equity": "24.9"},
     SO | {"shared_ownership_type": 2, "equity": "25"}),
    ("equity_below_minimum", SO | {"equity": "9.9"}, SO | {"equity": "10"}),
    ("equity_above_maximum", SO | {"shared_ownership_type": 18, "equity": "90.1", "resale": 2},
     SO | {"shared_ownership_type": 18, "equity": "90", "resale": 2}),
    ("equity_above_maximum", SO | {"equity": "75.1", "resale": 2}, SO | {"equity": "75.1", "resale": 1}),
    ("staircasing_shares_do_not_add_up", {"saledate": SALE, "equity": "30", "stairbought": "50", "stairowned": "75"},
     {"saledate": SALE, "equity": "25", "stairbought": "50", "stairowned": "75"}),
    # 3 transactions: the one earlier than this one bought at least 1%.
    ("earlier_staircasing_too_small",
     {"saledate": SALE, "equity": "25", "stairbought": "25", "stairowned": "51", "numstair": 3},
     {"saledate": SALE, "equity": "25", "stairbought": "25", "stairowned": "52", "numstair": 3}),
    ("new_service_charges_unchanged",
     {"hasservicechargeschanged": 1, "newservicecharges": "100", "has_mscharge": 1, "mscharge": "100"},
     {"hasservicechargeschanged": 1, "newservicecharges": "120", "has_mscharge": 1, "mscharge": "100"}),
    # --- sale information
    ("handover_after_sale", {"saledate": SALE, "hodate": "2026-05-02"}, {"saledate": SALE, "hodate": SALE}),
    ("handover_too_early", {"saledate": SALE, "hodate": "2021-05-01"}, {"saledate": SALE, "hodate": "2021-05-02"}),
    ("initial_purchase_before_1980", {"initialpurchase": "1979-12-31"}, {"initialpurchase": "1980-01-01"}),
    ("initial_purchase_not_before_sale", {"saledate": SALE, "initialpurchase": SALE},
     {"saledate": SALE, "initialpurchase": "2026-04-30"}),
    ("last_staircasing_before_1980", {"lasttransaction": "1979-12-31"}, {"lasttransaction": "1980-01-01"}),
    ("last_staircasing_not_before_sale", {"saledate": SALE, "lasttransaction": "2026-05-02"},
     {"saledate": SALE, "lasttransaction": "2026-04-30"}),
    ("last_staircasing_not_after_first_purchase", {"initialpurchase": "2020-01-01", "lasttransaction": "2020-01-01"},
     {"initialpurchase": "2020-01-01", "lasttransaction": "2020-01-02"}),
    ("previous_bedsit_one_bedroom", {"fromprop": 2, "frombeds": 2}, {"fromprop": 2, "frombeds": 1}),
    # Right to Buy: £150,000 less 30% is £105,000; the discount given allows £150 either way.
    ("discounted_price_does_not_add_up",
     DO | {"discounted_ownership_type": 9, "saledate": SALE, "value": "150000", "discount": "30", "mortgageused": 1,
           "mortgage": "94849", "deposit": "10000"},
     DO | {"discounted_ownership_type": 9, "saledate": SALE, "value": "150000", "discount": "30", "mortgageused": 1,
           "mortgage": "94850", "deposit": "10000"}),
    # Right to Acquire with a grant and no discount: within £1.
    ("discounted_price_does_not_add_up",
     DO | {"discounted_ownership_type": 8, "saledate": SALE, "value": "150000", "grant": "10000", "mortgageused": 1,
           "mortgage": "130000", "deposit": "9999"},
     DO | {"discounted_ownership_type": 8, "saledate": SALE, "value": "150000", "grant": "10000", "mortgageused": 1,
           "mortgage": "130000", "deposit": "9999.50"}),
    # Rent to Buy, no mortgage: the deposit is the price.
    ("discounted_price_does_not_add_up",
     DO | {"discounted_ownership_type": 29, "saledate": SALE, "value": "150000", "mortgageused": 2, "deposit": "140000"},
     DO | {"discounted_ownership_type": 29, "saledate": SALE, "value": "150000", "mortgageused": 2, "deposit": "150000"}),
    ("monthly_rent_too_high", SO | {"mrent": "9999.01"}, SO | {"mrent": "9999"}),
    ("monthly_rent_too_high", SO | {"mrent": "10000"}, SO | {"shared_ownership_type": 24, "mrent": "10000"}),
    ("grant_outside_range_for_type", DO | {"discounted_ownership_type": 8, "grant": "8999"},
     DO | {"discounted_ownership_type": 8, "grant": "9000"}),
    ("grant_outside_range_for_type", DO | {"discounted_ownership_type": 21, "grant": "16001"},
     DO | {"discounted_ownership_type": 22, "grant": "16001"}),
    ("stairbought_above_maximum", SO | {"shared_ownership_type": 24, "stairbought": "50.1"},
     SO | {"shared_ownership_type": 24, "stairbought": "50"}),
    ("stairbought_above_maximum", SO | {"stairbought": "90.1"}, SO | {"stairbought": "90"}),
    # £400,000 at 25.9% is £103,600, over the £103,400 cap outside London; 25.85% is exactly the cap.
    ("discount_above_cap", {"la": "E07000223", "value": "400000", "discount": "25.9"},
     {"la": "E07000223", "value": "400000", "discount": "25.85"}),
    ("discount_above_cap", {"la": "E09000033", "value": "600000", "discount": "23"},
     {"la": "E09000033", "value": "600000", "discount": "22.9"}),
    # £200,000 at 25% is £50,000, allowing £200 (0.1% of the price) either way.
    ("shared_ownership_price_does_not_add_up",
     SO | {"staircase": 2, "value": "200000", "equity": "25", "mortgageused": 1, "mortgage": "40000",
           "deposit": "9799"},
     SO | {"staircase": 2, "value": "200000", "equity": "25", "mortgageused": 1, "mortgage": "40000",
           "deposit": "9800"}),
    # Social HomeBuy counts the cash discount.
    ("shared_ownership_price_does_not_add_up",
     SO | {"shared_ownership_type": 18, "staircase": 2, "value": "200000", "equity": "25", "mortgageused": 2,
           "deposit": "45000", "cashdis": "4000"},
     SO | {"shared_ownership_type": 18, "staircase": 2, "value": "200000", "equity": "25", "mortgageused": 2,
           "deposit": "45000", "cashdis": "5000"}),
    ("staircasing_price_does_not_add_up",
     SO | {"staircase": 1, "value": "200000", "stairbought": "25", "mortgageused": 2, "deposit": "49999"},
     SO | {"staircase": 1, "value": "200000", "stairbought": "25", "mortgageused": 2, "deposit": "49999.50"}),
    ("staircasing_count_not_first", {"firststair": 2, "numstair": 1}, {"firststair": 2, "numstair": 2}),
]

# Leeds (E08000035), 2 bedrooms: usual prices £96,657 to £308,883.
PRICE = {"saledate": SALE, "la": "E08000035", "beds": 2}

# Soft rules: (rule id, answers that need confirming, answers that do not).
SOFT_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("value_value_check", PRICE | {"value": "96656"}, PRICE | {"value": "96657"}),
    ("value_value_check", PRICE | {"value": "308884"}, PRICE | {"value": "308883"}),
    # 4 bedrooms or more: usual prices £172,302 to £838,398.
    ("value_value_check", PRICE | {"beds": 7, "value": "838399"}, PRICE | {"beds": 7, "value": "838398"}),
    # Full-time work: usual income £13,400 to £150,000.
    ("income1_value_check", {"income1": 13399, "persons": [buyer(ecstat=1)]},
     {"income1": 13400, "persons": [buyer(ecstat=1)]}),
    ("income1_value_check", {"income1": 150001, "persons": [buyer(ecstat=1)]},
     {"income1": 150000, "persons": [buyer(ecstat=1)]}),
    ("income1_discounted_max_value_check", DO | {"la": "E07000223", "income1": 80001},
     DO | {"la": "E07000223", "income1": 80000}),
    # Part-time work: usual income £2,600 to £80,000.
    ("income2_value_check", {"jointpur": 1, "income2": 2599, "persons": [buyer(), buyer(ecstat=2)]},
     {"jointpur": 1, "income2": 2600, "persons": [buyer(), buyer(ecstat=2)]}),
    ("income2_discounted_max_value_check", DO | {"la": "E09000033", "income2": 90001},
     DO | {"la": "E09000033", "income2": 90000}),
    ("combined_income_value_check", DO | {"la": "E07000223", "income1": 40000, "income2": 40001},
     DO | {"la": "E07000223", "income1": 40000, "income2": 40000}),
    ("mortgage_value_check", {"jointpur": 2, "inc1mort": 1, "income1": 35000, "mortgage": "175001"},
     {"jointpur": 2, "inc1mort": 1, "income1": 35000, "mortgage": "175000"}),
    ("mortgage_value_check",
     {"jointpur": 1, "inc1mort": 1, "income1": 35000, "inc2mort": 1, "income2": 5000, "mortgage": "200001"},
     {"jointpur": 1, "inc1mort": 1, "income1": 35000, "inc2mort": 1, "income2": 5000, "mortgage": "200000"}),
    # Buyer 2's income is used but not known: not worked out.
    ("mortgage_value_check", {"jointpur": 1, "inc1mort": 1, "income1": 35000, "inc2mort": 2, "mortgage": "200000"},
     {"jointpur": 1, "inc1mort": 1, "income1": 35000, "inc2mort": 1, "mortgage": "200000"}),
    ("savings_value_check", {"savings": 100010}, {"savings": 100000}),
    ("savings_value_check", SO | {"shared_ownership_type": 24, "savings": 200010},
     SO | {"shared_ownership_type": 24, "savings": 200000}),
    ("deposit_value_check", {"mortgageused": 1, "savings": 30000, "deposit": "40000.01"},
     {"mortgageused": 1, "savings": 30000, "deposit": "40000"}),
    ("staircase_bought_value_check", {"stairbought": "50.1"}, {"stairbought": "50"}),
    ("stairowned_value_check", SO | {"shared_ownership_type": 24, "stairowned": "75.1"},
     SO | {"shared_ownership_type": 24, "stairowned": "75"}),
    ("hodate_check", {"saledate": SALE, "hodate": "2021-05-01"}, {"saledate": SALE, "hodate": "2021-05-02"}),
    ("grant_value_check", DO | {"saledate": SALE, "discounted_ownership_type": 22, "grant": "8999"},
     DO | {"saledate": SALE, "discounted_ownership_type": 22, "grant": "9000"}),
    ("grant_value_check", DO | {"saledate": SALE, "discounted_ownership_type": 22, "grant": "16001"},
     DO | {"saledate": SALE, "discounted_ownership_type": 8, "grant": "16001"}),
    ("monthly_charges_value_check", SO | {"proptype": 1, "mscharge": "300.01"}, SO | {"proptype": 1, "mscharge": "300"}),
    ("monthly_charges_value_check", SO | {"shared_ownership_type": 24, "proptype": 3, "mscharge": "550.01"},
     SO | {"shared_ownership_type": 24, "proptype": 3, "mscharge": "550"}),
    ("percentage_discount_value_check", {"proptype": 1, "discount": "50.1"}, {"proptype": 1, "discount": "50"}),
    ("percentage_discount_value_check", {"proptype": 3, "discount": "35.1"}, {"proptype": 3, "discount": "35"}),
    ("old_persons_shared_ownership_value_check", SO | {"shared_ownership_type": 24, "jointpur": 2,
                                                        "persons": [buyer(age=63)]},
     SO | {"shared_ownership_type": 24, "jointpur": 2, "persons": [buyer(age=64)]}),
    ("old_persons_shared_ownership_value_check", SO | {"shared_ownership_type": 24, "jointpur": 1,
                                                        "persons": [buyer(age=60), buyer(age=63)]},
     SO | {"shared_ownership_type": 24, "jointpur": 1, "persons": [buyer(age=60), buyer(age=70)]}),
    ("wheel_value_check", {"wheel": 1, "disabled": 2}, {"wheel": 1, "disabled": 1}),
    ("buyer_1_livein_value_check", SO | {"buy1livein": 2}, SO | {"buy1livein": 1}),
    ("buyer_2_livein_value_check", DO | {"jointpur": 1, "buy2livein": 2}, DO | {"jointpur": 2, "buy2livein": 2}),
    ("retirement_value_check", {"persons": [buyer(age=65, ecstat=5)]}, {"persons": [buyer(age=66, ecstat=5)]}),
    ("not_retired_value_check", {"persons": [buyer(age=67, ecstat=1)]}, {"persons": [buyer(age=67, ecstat=10)]}),
    ("partner_under_16_value_check", {"persons": [buyer(), member(age=15, relat="P")]},
     {"persons": [buyer(), member(age=16, relat="P")]}),
    ("multiple_partners_value_check", {"persons": [buyer(), member(relat="P"), member(relat="P")]},
     {"persons": [buyer(), member(relat="P"), member(relat="X")]}),
]


@pytest.mark.parametrize(("rule_id", "broken", "kept"), CASES, ids=[f"{n}-{c[0]}" for n, c in enumerate(CASES)])
def test_hard_rule(definition: Definition, rule_id: str, broken: dict[str, Any], kept: dict[str, Any]) -> None:
    assert definition.rule(rule_id).severity == "hard"
    assert rule_id in rule_ids(evaluate(definition, broken))
    assert rule_id not in rule_ids(evaluate(definition, kept))


@pytest.mark.parametrize(("rule_id", "flagged", "kept"), SOFT_CASES,
                         ids=[f"{n}-{c[0]}" for n, c in enumerate(SOFT_CASES)])
def test_soft_rule(definition: Definition, rule_id: str, flagged: dict[str, Any], kept: dict[str, Any]) -> None:
    rule = definition.rule(rule_id)
    assert rule.severity == "soft" and rule.title and rule.confirm_label
    problems = [p for p in evaluate(definition, flagged).problems if p.rule_id == rule_id]
    assert problems and all(p.severity == "soft" for p in problems)
    assert rule_id not in rule_ids(evaluate(definition, kept))


def test_soft_rule_confirmed_until_the_values_change(definition: Definition) -> None:
    answers = PRICE | {"value": "400000.00"}
    first = evaluate(definition, answers)
    [problem] = [p for p in first.problems if p.rule_id == "value_value_check"]
    assert problem.title == "The purchase price of £400000.00 is unusual for this property"
    assert "between £96657 and £308883" in problem.message
    confirmations = {problem.confirmation_key: problem.confirmation_token}
    context = EvalContext(today=harness.TODAY)
    assert "value_value_check" not in harness.rule_ids(
        definition.evaluate(answers, confirmations=confirmations, context=context))
    changed = definition.evaluate(answers | {"value": "410000.00"}, confirmations=confirmations, context=context)
    assert "value_value_check" in rule_ids(changed)


def test_messages_name_the_limits(definition: Definition) -> None:
    evaluation = evaluate(definition, SO | {"la": "E09000033", "income1": 95000})
    [problem] = [p for p in evaluation.problems if p.rule_id == "buyer_1_income_over_shared_ownership_cap"]
    assert "£90000" in problem.message
    assert [ref.question_id for ref in problem.fields] == ["income1", "ownershipsch", "la", "postcode_full", "uprn"]


def test_every_rule_has_cases_a_spec_reference_and_soft_rules_a_confirmation() -> None:
    rules = yaml.safe_load((harness.DEFINITION_DIR / "validations.yaml").read_text(encoding="utf-8"))["validations"]
    tested = {case[0] for case in CASES} | {case[0] for case in SOFT_CASES}
    assert {rule["id"] for rule in rules} == tested
    for rule in rules:
        assert rule.get("ref"), rule["id"]
        if rule["severity"] == "soft":
            assert rule.get("title") and rule.get("confirm_label"), rule["id"]


def test_real_definition_has_these_rules() -> None:
    from dcp_platform.registry import definition_for  # (the plugin's loading, as the platform does it)

    real = definition_for("core", "sales", 2026)
    ours = yaml.safe_load((harness.DEFINITION_DIR / "validations.yaml").read_text(encoding="utf-8"))["validations"]
    assert [rule["id"] for rule in ours] == [rule.id for rule in real.validations]
