"""Every numbered rule and every derived variable of the CORE 2026/27 sales specification is tested both ways
(a record that breaks the rule and one that keeps to it), or is listed here with the reason it is not.

The cases are in test_core_sales_rules.py (hard and soft rules), test_core_sales_upload.py (bulk-upload rules
and files) and test_core_sales_api.py (the collection window); derived values in test_core_sales_derived.py. A
rule added to the specification without a case fails this test.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

_spec = importlib.util.spec_from_file_location("core_sales_tests_sales_harness", Path(__file__).with_name("sales_harness.py"))
assert _spec is not None and _spec.loader is not None
harness = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = harness
    _spec.loader.exec_module(harness)

HERE = Path(__file__).resolve().parent
needs_reference = pytest.mark.skipif(not (harness.SPEC / "sales_2026_validations.md").is_file(),
                                     reason="the shared CORE reference files are not beside the repo")

# Rules tested by a named test rather than a case table: (test file, test function).
TESTED_BY: dict[str, tuple[str, str]] = {
    "SH1.1": ("test_core_sales_api.py", "test_a_sale_outside_every_open_window_is_refused"),
    "SH3.3": ("test_core_sales_api.py", "test_answers_of_the_wrong_type_are_refused_with_the_question_named"),
    "SBR7": ("test_core_sales_upload.py", "test_sbr7_sbr8_rows_outside_the_window_or_for_another_organisation_are_refused"),
    "SBR8": ("test_core_sales_upload.py", "test_sbr7_sbr8_rows_outside_the_window_or_for_another_organisation_are_refused"),
    "SBR18": ("test_core_sales_upload.py", "test_sbr18_sbr19_duplicates_within_the_file_and_of_existing_logs_are_flagged"),
    "SBR19": ("test_core_sales_upload.py", "test_sbr18_sbr19_duplicates_within_the_file_and_of_existing_logs_are_flagged"),
    "BF1": ("test_core_sales_upload.py", "test_bf1_an_empty_file_is_refused"),
    "BF3": ("test_core_sales_upload.py", "test_bf3_the_template_has_the_sales_field_numbers"),
    "BF5": ("test_core_sales_upload.py", "test_bf5_a_template_of_another_year_is_refused"),
}

# Rules that do not apply, and why (each reason is checked against the specification's own words where it says so).
NOT_APPLICABLE: dict[str, str] = {
    "SH1.3": "no data: the platform holds no organisation merges (merge dates, absorbing organisations)",
    "SH1.4": "no data: no organisation merges or 'available from' dates; inactive organisations cannot be chosen",
    "SH1.5": "no data: the data sharing agreement is an organisation setting checked when organisations join",
    "SH2.1": "not asked in 2026/27: buylivein, the outright sale question the rule compares with",
    "SH5.2": "not asked in 2026/27: the exchange of contracts date (exdate) has no page or template field",
    "SH5.7": "legacy: outright sales (ownershipsch 3) are not collected in 2026/27",
    "SH5.14": "not applied from 2026",
    "SS8": "Disabled from 2026",
    "BF2": "by design: a file without the template's header block is read as a provider's own file (one header "
           "row), whose columns are matched automatically, instead of being refused",
    "BF4": "by design: as BF2; a row longer than the header is refused whatever the file (uploads/table.py)",
}
# The words of the specification each "not applied" reason rests on.
SPEC_WORDS = {"SH5.7": "legacy", "SH5.14": "not applied from 2026", "SS8": "Disabled from 2026"}


def _load(name: str) -> object:
    return harness.load_module(name)


def covered() -> dict[str, str]:
    """Spec rule id -> where it is tested."""
    rules = yaml.safe_load((harness.DEFINITION_DIR / "validations.yaml").read_text(encoding="utf-8"))["validations"]
    refs = {rule["id"]: re.findall(r"\b(?:S[HS]\d+(?:\.\d+)?|SBR\d+)\b", str(rule.get("ref", ""))) for rule in rules}
    rules_tests = _load("test_core_sales_rules")
    tested_rules = {case[0] for case in [*rules_tests.CASES, *rules_tests.SOFT_CASES]}  # type: ignore[attr-defined]
    found = {ref: f"rule {rule_id}" for rule_id, ids in refs.items() if rule_id in tested_rules for ref in ids}
    upload_tests = _load("test_core_sales_upload")
    found |= {case[0]: "upload case" for case in upload_tests.UPLOAD_CASES}  # type: ignore[attr-defined]
    for rule, (file, test) in TESTED_BY.items():
        assert f"def {test}(" in (HERE / file).read_text(encoding="utf-8"), (rule, file, test)
        found[rule] = f"{file}::{test}"
    return found


@needs_reference
def test_every_numbered_rule_of_the_specification_is_tested_or_explained() -> None:
    spec_ids = harness.spec_rule_ids()
    assert len([r for r in spec_ids if r.startswith("SH")]) == 41 and len([r for r in spec_ids if r.startswith("SS")]) == 20
    assert len([r for r in spec_ids if r.startswith("SBR")]) == 19
    tested = covered()
    missing = [rule for rule in spec_ids if rule not in tested and rule not in NOT_APPLICABLE]
    assert missing == []
    assert sorted(set(tested) & set(NOT_APPLICABLE)) == []  # a rule is either tested or explained, not both
    assert set(NOT_APPLICABLE) <= set(spec_ids)


@needs_reference
def test_rules_said_not_to_apply_are_said_so_by_the_specification() -> None:
    text = (harness.SPEC / "sales_2026_validations.md").read_text(encoding="utf-8")
    for rule, words in SPEC_WORDS.items():
        line = next(line for line in text.splitlines() if f"**{rule} " in line or f"**{rule}**" in line)
        assert words in line, (rule, line)


# Derived variables of the specification (D-1 and D-2) not derived here, and why; the others must be tested.
NOT_DERIVED: dict[str, str] = {
    "pregblank": "not asked in 2026/27: the buyers' organisations (pregyrha, pregother, pregla, pregghb)",
    "exday": "not asked in 2026/27: the exchange date", "exmonth": "as exday", "exyear": "as exday",
    "deposit": "legacy: the whole price as deposit for outright sales (not collected since 2025/26)",
    "is_previous_la_inferred": "postcode lookup is a platform service", "is_la_inferred": "as above",
    "la": "cleared on a sale date change in CORE: the rule la_active_on_sale_date asks instead",
    "buy1livein": "D-1 rules 1 to 3: buylivein is not asked in 2026/27", "buy2livein": "as buy1livein",
    "uprn_selection": "address lookup is a platform service",
    "ecstatN": "tested as ecstat (child_ecstat)", "gender_descriptionN": "tested as gender_description",
    "mscharge": "cleared by routing: test_no_monthly_charges_clears_the_amount",
}
ROUTING_TESTS = {"mscharge": "test_no_monthly_charges_clears_the_amount",
                 "gender_descriptionN": "test_a_gender_description_only_stays_with_a_different_gender"}


@needs_reference
def test_every_derived_variable_of_the_specification_is_tested_or_explained() -> None:
    text = (harness.SPEC / "sales_2026_derived.md").read_text(encoding="utf-8")
    section = text[text.index("## D-1"):text.index("## D-REF")]
    names = {name for row in section.splitlines() if row.startswith("|") and not row.startswith("|---")
             for name in re.findall(r"`([a-z_][a-z0-9_]*N?)`", row.split("|")[1])}
    names |= set(re.findall(r"`(buy[12]livein|mortgage) = ", section))
    derived_tests = _load("test_core_sales_derived")
    checked = {name.split(".")[-1] for case in derived_tests.DERIVED_CASES  # type: ignore[attr-defined]
               for name in (*case[2], *case[4])}
    source = (HERE / "test_core_sales_derived.py").read_text(encoding="utf-8")
    assert all(f"def {test}(" in source for test in ROUTING_TESTS.values())
    missing = sorted(name for name in names if name not in checked and name not in NOT_DERIVED)
    assert missing == []
    assert len(names) >= 30
