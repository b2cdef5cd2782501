"""CORE sales 2026/27 derived values (sales_2026/derived.yaml), the plugin functions and codecs they use, and
the answers the real form clears or fills in as the specification's derivations say."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_core import codecs, functions, reference_data
from dcp_platform.definitions import Definition, EvalContext, Evaluation

_spec = importlib.util.spec_from_file_location("core_sales_tests_sales_harness", Path(__file__).with_name("sales_harness.py"))
assert _spec is not None and _spec.loader is not None
harness = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = harness
    _spec.loader.exec_module(harness)
buyer, member = harness.buyer, harness.member

SALE = "2026-05-01"
SO = {"ownershipsch": 1, "shared_ownership_type": 30}
DO = {"ownershipsch": 2, "discounted_ownership_type": 9}
PROPERTY = {"saledate": SALE, "postcode_full": "LS6 1AA", "la": "E08000035"}


# --- plugin functions and codecs (no engine) ---------------------------------------------------------------------


def test_london_is_the_33_boroughs() -> None:
    assert functions.la_in_london("E09000001") and functions.la_in_london("E09000033")
    assert not functions.la_in_london("E09000034") and not functions.la_in_london("E08000035")
    assert not functions.la_in_london(None)


def test_sale_range_reads_the_2026_table_and_caps_bedrooms_at_four() -> None:
    assert functions.sale_range_bound(2026, "E07000223", 1, "soft_min") == Decimal("120822")
    four = functions.sale_range_bound(2026, "E07000223", 4, "soft_max")
    assert four == Decimal("895132") and functions.sale_range_bound(2026, "E07000223", 9, "soft_max") == four
    assert functions.sale_range_bound(2026, "E07000223", 0, "soft_min") is None
    assert functions.sale_range_bound(2019, "E07000223", 1, "soft_min") is None  # no table for that year
    assert functions.sale_range_bound(2026, "E07000223", 1, "hard_min") is None


def test_sale_range_table_is_complete() -> None:
    assert len(reference_data.sale_ranges(2026)) == 1184 and reference_data.sale_range_years() == [2026]


@pytest.mark.parametrize(("ecstat", "expected"), [(1, (13_400, 150_000)), (4, (520, 23_400)), ("0", (520, 150_000)),
                                                  (10, (None, None)), (None, (None, None))])
def test_sales_income_bound_by_working_situation(ecstat: Any, expected: tuple[Any, Any]) -> None:
    assert (functions.sales_income_bound(ecstat, "soft_min"), functions.sales_income_bound(ecstat, "soft_max")) == expected


@pytest.mark.parametrize(
    ("elders", "adults", "children", "expected"),
    [(1, 0, 0, 1), (2, 0, 0, 2), (0, 1, 0, 3), (0, 2, 0, 4), (0, 1, 2, 5), (0, 3, 1, 6), (1, 1, 0, 9), (0, 0, 1, 9),
     (None, 1, 0, None)],
)
def test_sales_household_type(elders: Any, adults: Any, children: Any, expected: Any) -> None:
    assert functions.sales_household_type(elders, adults, children) == expected


def test_postcode_part_and_item_answer() -> None:
    assert functions.postcode_part("SW1A 1AA", "outward") == "SW1A" and functions.postcode_part("SW1A 1AA", "inward") == "1AA"
    assert functions.postcode_part(None, "outward") is None and functions.postcode_part("SW1A1AA", "inward") is None
    people = [{"ecstat": 1}, {"ecstat": 9}]
    assert functions.item_answer(people, 2, "ecstat") == 9
    assert functions.item_answer(people, 3, "ecstat") is None and functions.item_answer(None, 1, "ecstat") is None


@pytest.mark.parametrize(
    ("codec", "cells", "decoded"),
    [
        ("income1_or_not_known", ["35000"], {"income1nk": 0, "income1": "35000"}),
        ("income1_or_not_known", ["r"], {"income1nk": 1}),
        ("monthly_charges_or_none", ["", "120.50", ""], {"has_mscharge": 1, "mscharge": "120.50"}),
        ("monthly_charges_or_none", [None, None, "R"], {"has_mscharge": 0}),
        ("new_service_charges_or_unchanged", ["R"], {"hasservicechargeschanged": 2}),
        ("mortgage_length_or_not_known", ["25", ""], {"mortlen": "25"}),
        ("mortgage_length_or_not_known", ["", "R"], {"mortlen_known": 1}),
        ("years_lived_there_or_none", ["0", ""], {"proplen_asked": 1}),
        ("years_lived_there_or_none", ["", "7"], {"proplen_asked": 0, "proplen": "7"}),
        ("management_fee_or_none", [""], {"has_management_fee": 0}),
        ("ethnicbuy2_or_prefers_not_to_say", ["17"], {"ethnic_group2": 17}),
        ("nationality_buyer2_or_prefers_not_to_say", ["4"], {"nationality_all_buyer2": "4"}),
        ("savings_or_not_known", [""], {}),
    ],
)
def test_sales_codecs_read_the_template_columns(codec: str, cells: list[str | None], decoded: dict[str, Any]) -> None:
    assert codecs.CODECS[codec].decode(cells) == decoded


def test_value_or_flag_writes_what_it_reads() -> None:
    codec = codecs.CODECS["monthly_charges_or_none"]
    assert codec.encode({"has_mscharge": 0}) == ["R"] and codec.encode({"has_mscharge": 1, "mscharge": "99.00"}) == ["99.00"]


# --- derived values, evaluated with the definition engine (routing-free form) ------------------------------------


@pytest.fixture(scope="module")
def definition(tmp_path_factory: pytest.TempPathFactory) -> Definition:
    return harness.load_rules_definition(tmp_path_factory.mktemp("sales_derived"))


def value_of(evaluation: Evaluation, name: str) -> Any:
    """A derived value, or an answer the derived values filled in; "persons.2.ecstat" reads a person."""
    if "." in name:
        group, item, key = name.split(".")
        if key in evaluation.derived:
            return evaluation.derived[key][int(item) - 1]
        items = evaluation.answers.get(group) or []
        return items[int(item) - 1].get(key) if len(items) >= int(item) else None
    return evaluation.derived[name] if name in evaluation.derived else evaluation.answers.get(name)


# (what, answers, expected values, other answers, what they give instead)
DERIVED_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    (
        "local authorities from postcodes (none found without a loaded postcode directory: asked)",
        {"postcode_full": "ZZ9 9ZZ", "la": "E08000035"},
        {"is_la_inferred": False, "la": "E08000035"},
        {"ppcodenk": 0, "ppostcode_full": "ZZ9 9ZZ", "previous_la_known": 1, "prevloc": "E08000036"},
        {"is_previous_la_inferred": False, "prevloc": "E08000036"},
    ),
    ("type of sale", SO, {"type": 30}, DO, {"type": 9}),
    ("buyers' details", {"privacynotice": ["privacynotice"], "noint": 2}, {"buyer_details_asked": 1},
     {"noint": 2}, {"buyer_details_asked": 0}),
    ("buyers' details, not interviewed", {"noint": 1}, {"buyer_details_asked": 1}, {}, {"buyer_details_asked": 0}),
    ("who is a buyer", {"jointpur": 1, "persons": [buyer(), buyer()]}, {"persons.1.is_buyer": 1, "persons.2.is_buyer": 1},
     {"jointpur": 2, "persons": [buyer(), member()]}, {"persons.2.is_buyer": 0}),
    ("property postcode", {"postcode_full": "LS6 1AA"}, {"pcodenk": 0, "pcode1": "LS6", "pcode2": "1AA"},
     {}, {"pcodenk": None, "pcode1": None, "pcode2": None}),
    ("UPRN", {"uprn": "10033558653"}, {"uprn_known": 1, "uprn_confirmed": 1},
     {"address_line1": "1 High Street", "town_or_city": "Leeds"}, {"uprn_known": 0, "uprn_confirmed": None}),
    ("bedsit", {"proptype": 2}, {"beds": 1}, {"proptype": 1}, {"beds": None}),
    ("household size", {"jointpur": 2, "hholdcount": 3}, {"hhmemb": 3}, {"hholdcount": 3}, {"hhmemb": None}),
    ("person's details given", {"persons": [buyer(), {"age_known": 0, "age": 30}]}, {"persons.2.details_known": 1},
     {"persons": [buyer(), {}]}, {"persons.2.details_known": None}),
    ("age given", {"persons": [{"age": 40}]}, {"persons.1.age_known": 0},
     {"persons": [{"age_known": 1}]}, {"persons.1.age_known": 1}),
    ("child's working situation", {"persons": [buyer(), member(age=10, ecstat=None)]}, {"persons.2.ecstat": 9},
     {"persons": [buyer(), member(age=16, ecstat=None)]}, {"persons.2.ecstat": None}),
    ("a young buyer 2 is not made a child", {"jointpur": 1, "persons": [buyer(), {"age_known": 0, "age": 15}]},
     {"persons.2.ecstat": None}, {"jointpur": 2, "persons": [buyer(), {"age_known": 0, "age": 15}]},
     {"persons.2.ecstat": 9}),
    ("children", {"persons": [buyer(), member(age=17), member(age=18)]}, {"totchild": 1},
     {"persons": [buyer(age=17)]}, {"totchild": 0}),
    ("elders and adults", {"persons": [buyer(age=60), member(age=70), member(age=30)]},
     {"total_elder": 2, "total_adult": 1, "totadult": 3},
     {"persons": [buyer(age=16), member(age=19), member(age=17)]}, {"total_elder": 0, "total_adult": 2, "totadult": 2}),
    ("household type", {"jointpur": 2, "persons": [buyer(age=61), member(age=62)]}, {"hhtype": 2},
     {"jointpur": 2, "persons": [buyer(age=30), member(age=5, ecstat=None)]}, {"hhtype": 5}),
    ("buyers' ages and working situations", {"jointpur": 1, "persons": [buyer(age=40), buyer(age=38, ecstat=2)]},
     {"buyer_1_age": 40, "buyer_2_age": 38, "buyer_1_working_situation": 1, "person_2_working_situation": 2},
     {"jointpur": 2, "persons": [buyer(age=40), member(age=12, ecstat=None)]},
     {"buyer_2_age": None, "person_2_working_situation": 9}),
    ("ethnic groups from backgrounds", {"ethnic": 10, "ethnicbuy2": 13}, {"ethnic_group": 2, "ethnic_group2": 3},
     {"ethnic_group": 0, "ethnic": 10}, {"ethnic_group": 0}),
    ("nationality groups from nationalities", {"nationality_all": 4, "nationality_all_buyer2": 826},
     {"nationality_all_group": 12, "nationality_all_buyer2_group": 826},
     {"nationality_all": 0}, {"nationality_all_group": 0, "nationality_all_buyer2_group": None}),
    ("ethnic background refused", {"ethnic_group": 17, "ethnic_group2": 17},
     {"ethnic": 17, "ethnicbuy2": 17}, {"ethnic_group": 0}, {"ethnic": None, "ethnicbuy2": None}),
    # 0 (prefers not to say) is not a country, so only the derived value holds it (as for lettings).
    ("nationality from the group", {"nationality_all_group": 826, "nationality_all_buyer2_group": 0},
     {"nationality_all": 826, "nationality_buyer2_from_group": 0, "nationality_all_buyer2": None},
     {"nationality_all_group": 12}, {"nationality_all": None, "nationality_from_group": None}),
    ("social tenant", SO | {"prevten": 1}, {"soctenant": 1}, SO | {"prevten": 3}, {"soctenant": 2}),
    ("social tenant: buyer 2", SO | {"prevten": 3, "prevtenbuy2": 2}, {"soctenant": 1},
     DO | {"prevten": 1}, {"soctenant": None}),
    ("discounted ownership: the last settled home is the property", DO | PROPERTY,
     {"ppcodenk": 0, "ppostcode_full": "LS6 1AA", "previous_la_known": 1, "prevloc": "E08000035",
      "ppostc1": "LS6", "ppostc2": "1AA"},
     SO | PROPERTY, {"ppcodenk": None, "ppostcode_full": None, "previous_la_known": None, "prevloc": None}),
    ("last settled home given", {"ppostcode_full": "LS6 2AB", "prevloc": "E08000035"},
     {"ppcodenk": 0, "previous_la_known": 1, "ppostc2": "2AB"}, {}, {"ppcodenk": None, "previous_la_known": None}),
    ("incomes and savings given", {"income1": 30000, "income2": 1000, "savings": 500},
     {"income1nk": 0, "income2nk": 0, "savingsnk": 0}, {"income1nk": 1}, {"income1nk": 1, "income2nk": None}),
    ("first staircasing", {"firststair": 1}, {"numstair": 1}, {"firststair": 2}, {"numstair": None}),
    ("years lived there given", {"proplen": 5}, {"proplen_asked": 0}, {}, {"proplen_asked": None}),
    ("handover date parts", {"hodate": "2026-03-01"}, {"hoday": 1, "homonth": 3, "hoyear": 2026},
     {}, {"hoday": None, "homonth": None, "hoyear": None}),
    ("no mortgage", {"mortgageused": 2}, {"mortgage": "0.00"}, {"mortgageused": 1}, {"mortgage": None}),
    ("mortgage length given for a buyer not interviewed", {"noint": 1, "mortlen": 20}, {"mortlen_known": 0},
     {"noint": 2, "mortlen": 20}, {"mortlen_known": None}),
    ("no rent once owned outright", {"stairowned": "100.0"}, {"mrent": "0.00"},
     {"stairowned": "75.0"}, {"mrent": None}),
    ("amounts given", {"mscharge": "100.00", "newservicecharges": "120.00", "management_fee": "20.00"},
     {"has_mscharge": 1, "hasservicechargeschanged": 1, "has_management_fee": 1},
     {"has_mscharge": 0}, {"has_mscharge": 0, "hasservicechargeschanged": None}),
    ("income cap", {"la": "E09000033"}, {"income_cap": 90000}, {"la": "E07000223"}, {"income_cap": 80000}),
    ("usual incomes", {"jointpur": 1, "persons": [buyer(ecstat=2), buyer(ecstat=4)]},
     {"buyer_1_income_soft_min": 2600, "buyer_1_income_soft_max": 80000, "buyer_2_income_soft_min": 520,
      "buyer_2_income_soft_max": 23400},
     {"persons": [buyer(ecstat=10)]}, {"buyer_1_income_soft_min": None, "buyer_1_income_soft_max": None}),
    ("incomes used for the mortgage", {"jointpur": 1, "inc1mort": 1, "income1": 30000, "inc2mort": 2},
     {"mortgage_incomes": 30000}, {"jointpur": 1, "inc1mort": 1, "income1": 30000}, {"mortgage_incomes": None}),
    ("usual prices", {"saledate": SALE, "la": "E08000035", "beds": 2},
     {"value_soft_min": Decimal("96657"), "value_soft_max": Decimal("308883")},
     {"saledate": SALE, "la": "E08000035"}, {"value_soft_min": None}),
    ("share limits", SO | {"shared_ownership_type": 2},
     {"equity_min": 25, "equity_max": 75, "stairbought_min": 10, "stairbought_max": 75},
     SO | {"shared_ownership_type": 18}, {"equity_min": 25, "equity_max": 90, "stairbought_max": 75}),
    ("share limits, other types", SO, {"equity_min": 10, "stairbought_min": 1, "stairbought_max": 90},
     {}, {"equity_min": None, "stairbought_min": None, "stairbought_max": None}),
    ("earlier staircasing", {"saledate": SALE, "equity": "25.0", "stairbought": "25.0", "stairowned": "75.0"},
     {"share_left_before": Decimal("25.0")}, {"equity": "25.0", "stairbought": "25.0", "stairowned": "75.0"},
     {"share_left_before": None}),
    ("what shared owners paid", {"mortgageused": 1, "mortgage": "40000.00", "deposit": "10000.00"},
     {"shared_ownership_paid": Decimal("50000.00")},
     SO | {"shared_ownership_type": 18, "mortgageused": 2, "deposit": "45000.00", "cashdis": "5000.00"},
     {"shared_ownership_paid": Decimal("50000.00")}),
    ("discounted price", {"value": "150000.00", "discount": "30.0", "mortgage": "95000.00", "deposit": "10000.00"},
     {"discounted_expected": Decimal("105000"), "discounted_paid": Decimal("105000")},
     {"value": "150000.00", "grant": "10000.00", "deposit": "140000.00"},
     {"discounted_expected": Decimal("150000"), "discounted_paid": Decimal("150000")}),
]


@pytest.mark.parametrize(("what", "answers", "expected", "other_answers", "other_expected"), DERIVED_CASES,
                         ids=[case[0] for case in DERIVED_CASES])
def test_derived_value(definition: Definition, what: str, answers: dict[str, Any], expected: dict[str, Any],
                       other_answers: dict[str, Any], other_expected: dict[str, Any]) -> None:
    evaluation = harness.evaluate(definition, answers)
    assert {name: value_of(evaluation, name) for name in expected} == expected
    evaluation = harness.evaluate(definition, other_answers)
    assert {name: value_of(evaluation, name) for name in other_expected} == other_expected


def test_every_derived_value_is_tested() -> None:
    derived = yaml.safe_load((harness.DEFINITION_DIR / "derived.yaml").read_text(encoding="utf-8"))["derived"]
    checked = {name.split(".")[-1] for case in DERIVED_CASES for name in (*case[2], *case[4])}
    missing = [d["id"] for d in derived if d["id"] not in checked and d.get("sets") not in checked]
    assert missing == []


# --- what the real form does: derivations that are routing (answers cleared or kept by the system) ---------------


@pytest.fixture(scope="module")
def real() -> Definition:
    from dcp_platform.registry import definition_for  # (the plugin's loading, as the platform does it)

    return definition_for("core", "sales", 2026)


def evaluate_real(real: Definition, changes: dict[str, Any]) -> Evaluation:
    answers = {**harness.SHARED_OWNERSHIP, **changes}
    return real.evaluate(answers, context=EvalContext(today=date(2026, 6, 1)))


def test_the_example_record_is_complete(real: Definition) -> None:
    evaluation = evaluate_real(real, {})
    assert (evaluation.status, evaluation.problems, evaluation.missing) == ("completed", [], [])


def test_a_bedsit_has_one_bedroom_and_is_not_asked(real: Definition) -> None:
    evaluation = evaluate_real(real, {"proptype": 2, "beds": 3})
    assert evaluation.answers["beds"] == 1
    assert not evaluation.is_applicable("beds") and "bedsit_one_bedroom" not in harness.rule_ids(evaluation)


def test_a_mortgage_not_known_to_be_used_has_no_amount(real: Definition) -> None:
    """D-1 rule 5: mortgageused 3 (don't know) clears the mortgage amount; rule 4: 2 (no) makes it 0."""
    assert "mortgage" not in evaluate_real(real, {"mortgageused": 3}).answers
    evaluation = evaluate_real(real, {"mortgageused": 2, "mortgage": "40000.00", "deposit": "50000.00"})
    assert evaluation.answers["mortgage"] == "0.00" and "mortlen" not in evaluation.answers


def test_no_monthly_charges_clears_the_amount(real: Definition) -> None:
    assert "mscharge" not in evaluate_real(real, {"has_mscharge": 0}).answers


def test_a_gender_description_only_stays_with_a_different_gender(real: Definition) -> None:
    person = {**harness.SHARED_OWNERSHIP["persons"][0], "gender_description": "Non-binary"}
    assert "gender_description" not in evaluate_real(real, {"persons": [person]}).answers["persons"][0]
    kept = evaluate_real(real, {"persons": [{**person, "gender_same_as_sex": 2}]})
    assert kept.answers["persons"][0]["gender_description"] == "Non-binary"


def test_staircasing_logs_skip_the_household_beyond_the_buyers(real: Definition) -> None:
    evaluation = evaluate_real(real, {"staircase": 1, "stairbought": "25.0", "stairowned": "50.0", "firststair": 1,
                                      "initialpurchase": "2020-01-01", "mrentprestaircasing": "300.00",
                                      "hasservicechargeschanged": 2})
    assert not evaluation.is_applicable("hholdcount") and not evaluation.is_applicable("prevten")
    assert "income1" not in evaluation.answers and evaluation.answers["numstair"] == 1
    assert evaluation.answers["persons"][0]["age"] == 34  # the buyers' age, sex and gender are still asked
