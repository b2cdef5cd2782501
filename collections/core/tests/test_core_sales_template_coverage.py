"""Every field of the official 2026/27 sales template has its question, with the template's names and codes, and
the questions' answer codes and ranges are the specification's."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.registry import definition_for

_spec = importlib.util.spec_from_file_location("core_sales_tests_sales_harness", Path(__file__).with_name("sales_harness.py"))
assert _spec is not None and _spec.loader is not None
harness = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = harness
    _spec.loader.exec_module(harness)

REFERENCE = harness.REFERENCE
REPO = Path(__file__).resolve().parents[3]
needs_reference = pytest.mark.skipif(not (REFERENCE / "spec").is_dir(), reason="the shared CORE reference files are not beside the repo")
# Template variables this form keeps under another name: the type of sale is one question per scheme (the web
# form then offers only the chosen scheme's types) and `type` is derived from them.
RENAMED = {"shared_ownership_type": "type", "discounted_ownership_type": "type"}


def template_fields() -> dict[int, set[str]]:
    """Field number -> every log variable the extended template field list names for it."""
    with open(REFERENCE / "template_fields" / "sales_2026_extended.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {int(row["field_number"]): {a.strip() for a in row["all_log_attributes"].split("|") if a.strip()}
            for row in rows if row["field_number"].strip().isdigit()}


def spec_variable(question_id: str, group: str | None, item: int | None = 2) -> str:
    """The specification's variable for a question (group questions are numbered per person: ecstat2)."""
    if question_id in RENAMED:
        return RENAMED[question_id]
    if group is None:
        return question_id
    if question_id == "age_known":
        return f"age{item}_known"
    return f"{question_id}_{item}" if question_id == "details_known" else f"{question_id}{item}"


@needs_reference
def test_every_template_field_is_mapped_exactly_once() -> None:
    definition = definition_for("core", "sales", 2026)
    numbers = Counter(n for q in definition.questions.values() for n in q.all_template_fields())
    expected = set(template_fields())
    assert len(expected) == 136
    assert set(numbers) == expected
    assert [n for n, count in numbers.items() if count > 1] == []


@needs_reference
def test_mapped_questions_use_the_template_variable_names() -> None:
    definition = definition_for("core", "sales", 2026)
    fields = template_fields()
    for number, spec in definition.template_field_map().items():
        question = definition.question(spec.question_id)
        names = {RENAMED.get(question.id, question.id), definition.flat_name(question, spec.item)}
        if spec.part is not None and question.type == "checkboxes":
            names.add(str(spec.part))
        assert names & fields[number] or any(n.startswith(tuple(fields[number])) for n in names), \
            (number, names, fields[number])
    assert any(d.id == "type" for d in definition.derived)


@needs_reference
def test_answer_codes_match_the_specification() -> None:
    definition = definition_for("core", "sales", 2026)
    with open(REFERENCE / "spec" / "sales_2026_answer_options.tsv", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if not row["code"].startswith("(dynamic)")]
    spec: dict[str, set[str]] = {}
    for row in rows:
        spec.setdefault(row["variable"], set()).add(row["code"])
    # The type of sale's codes per scheme (the specification's page of each).
    type_codes = {page: {row["code"] for row in rows if row["variable"] == "type" and row["variant_pages"] == page}
                  for page in ("shared_ownership_type", "discounted_ownership_type")}
    checked = 0
    for question in definition.questions.values():
        if not question.options or question.type == "select":
            continue  # (select lists: the countries, checked below)
        codes = {str(o.code) for o in question.options}
        if question.id in type_codes:
            assert codes == type_codes[question.id], question.id
        elif question.group is not None:
            for item in (1, 2, 3):
                variable = spec_variable(question.id, question.group, item)
                if variable in spec:
                    # Buyer 1's page leaves out "child" and person 2's age "prefers not to say": one question
                    # serves every person here, and rules refuse those answers where they do not apply.
                    assert spec[variable] <= codes and codes - spec[variable] <= {"9", "2"}, (question.id, item)
        else:
            # Beyond the specification's codes only answers the web form does not offer (17, a refused ethnic
            # background, stored when the ethnic group is refused: derived.yaml).
            hidden = {str(o.code) for o in question.options if not o.web_form}
            assert spec[question.id] <= codes and codes - spec[question.id] <= hidden, question.id
        checked += 1
    assert checked >= 55
    countries = {str(o.code) for o in definition.question("nationality_all").options}
    assert countries == spec["nationality_all"] - {"0"} == {str(o.code) for o in definition.question("nationality_all_buyer2").options}


# Where this form's bounds differ from the specification's, and why.
RANGE_DIFFERENCES = {
    # The system stores 0 for "no mortgage" and 1 for a first staircasing; rules refuse them where they are wrong.
    ("mortgage", "min"): "0", ("numstair", "min"): "1",
    # 0 is refused by monthly_charges_not_zero (SH4.5) with a message saying how to record no charges.
    ("mscharge", "min"): "0",
    # The leasehold charges page of discounted ownership has no maximum, the service charge pages 9999.99: one
    # question asks both here, with the maximum.
    ("mscharge", "max"): "9999.99",
    # One bound per question: a buyer's minimum age (16) is the rule buyer_at_least_16.
    ("age", "min"): "0",
}


@needs_reference
def test_numeric_ranges_match_the_specification() -> None:
    definition = definition_for("core", "sales", 2026)
    with open(REFERENCE / "spec" / "sales_2026_numeric_ranges.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    checked = 0
    for row in rows:
        variable = row["variable"].rstrip("0123456789") if row["variable"].startswith("age") else row["variable"]
        question = definition.questions.get(variable)
        assert question is not None, row["variable"]
        for bound in ("min", "max"):
            expected = RANGE_DIFFERENCES.get((variable, bound), row[bound])
            actual = getattr(question, bound)
            if row["variable"] in ("age2",) and row["page_id"] == "buyer_2_age":
                continue  # buyer 2's minimum, as buyer 1's: the rule buyer_at_least_16
            if variable == "age" and bound == "min":
                expected = "0"
            assert (str(actual) if actual is not None else "") == expected or \
                (actual is not None and expected and float(actual) == float(expected)), (row["variable"], bound)
            checked += 1
    assert checked >= 50


def test_show_definition_prints_the_sales_form() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "show_definition", "--collection", "core", "--form", "sales", "--year", "2026"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    exported: dict[str, Any] = json.loads(result.stdout)
    by_id = {q["id"]: q for q in exported["questions"]}
    assert by_id["saledate"]["template_fields"] == [1, 2, 3]
    assert by_id["value"]["template_fields"] == [99, 120, 128]
    assert by_id["age"]["template_fields"] == [29, 38, 48, 54, 60, 66]
    assert [s["id"] for s in exported["sections"]][-1] == "sale_information"
