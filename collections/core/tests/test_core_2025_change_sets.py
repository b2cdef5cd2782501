"""CORE 2025/26 lettings and sales: each is a change set on 2026/27 (`extends`), with the 2025/26 template's
fields, answer options and rules, and nothing else written for the year."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from dcp_platform.definitions import EvalContext
from dcp_platform.registry import definition_for
from dcp_platform.uploads.reading import FileRejected
from dcp_platform.uploads.table import read_layout
from dcp_platform.uploads.template import match_template

# The shared reference files sit beside the repository (or beside the folder of work trees it is checked out in).
REFERENCE = next((p / "shared" / "reference" / "core" for p in Path(__file__).resolve().parents[4:6]
                  if (p / "shared" / "reference" / "core").is_dir()), Path("/nonexistent"))
DEFINITIONS = Path(__file__).resolve().parents[1] / "dcp_core" / "definitions"
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="the shared CORE reference files are not beside the repo")
FIELD_COUNTS = {"lettings": 129, "sales": 121}
CONTEXT = EvalContext(extra={"owning_organisation_provider_type": "PRP", "managing_organisation_provider_type": "PRP"})


def template_rows(form: str) -> list[dict[str, str]]:
    with open(REFERENCE / "template_fields" / f"{form}_2025.tsv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def template_fields(form: str) -> dict[int, list[str]]:
    return {int(row["field"]): [a.strip() for a in row["log_attributes(error mapping)"].split(",") if a.strip()]
            for row in template_rows(form)}


@pytest.mark.parametrize("form", ["lettings", "sales"])
def test_the_year_is_only_a_change_set(form: str) -> None:
    path = DEFINITIONS / f"{form}_2025.yaml"
    assert path.is_file(), "one file: the change set is all the year adds"
    text = path.read_text(encoding="utf-8")
    assert "extends: " + f"{form}_2026" in text
    assert len(text.splitlines()) <= 300


@needs_reference
@pytest.mark.parametrize("form", ["lettings", "sales"])
def test_every_2025_template_field_is_mapped_exactly_once(form: str) -> None:
    definition = definition_for("core", form, 2025)
    numbers = Counter(n for q in definition.questions.values() for n in q.all_template_fields())
    expected = set(template_fields(form))
    assert len(expected) == FIELD_COUNTS[form]
    assert set(numbers) == expected
    assert [n for n, count in numbers.items() if count > 1] == []


@needs_reference
@pytest.mark.parametrize("form", ["lettings", "sales"])
def test_2025_fields_hold_the_template_variables(form: str) -> None:
    definition = definition_for("core", form, 2025)
    fields = template_fields(form)
    checked = 0
    for number, spec in definition.template_field_map().items():
        question = definition.question(spec.question_id)
        names = {question.id, definition.flat_name(question, spec.item)}
        if spec.part is not None and question.type == "checkboxes":
            names.add(str(spec.part))
        if not fields[number]:
            continue  # unnamed columns (access-need ticks, the sale-type columns of sales)
        assert names & set(fields[number]) or any(n.startswith(tuple(fields[number])) for n in names), \
            (number, names, fields[number])
        checked += 1
    assert checked >= FIELD_COUNTS[form] * 0.7


@needs_reference
@pytest.mark.parametrize("form", ["lettings", "sales"])
def test_2025_answer_codes_are_the_2025_specification_codes(form: str) -> None:
    definition = definition_for("core", form, 2025)
    spec: dict[str, set[str]] = {}
    with open(REFERENCE / "spec" / f"{form}_2025_answer_options.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["code"].startswith(("(dynamic)", "divider")):
                spec.setdefault(row["variable"], set()).add(row["code"])
    checked = 0
    for question in definition.questions.values():
        codes = set().union(*(spec.get(k, set()) for k in (question.id, *(f"{question.id}{n}" for n in range(1, 9)))))
        if not codes or not question.options or question.id.endswith("_group") or question.type == "checkboxes":
            continue
        offered = {str(o.code) for o in question.options if o.web_form}
        assert offered <= codes, (question.id, offered - codes)
        checked += 1
    assert checked >= 40


def test_lettings_2025_asks_gender_identity_and_the_referral_type() -> None:
    lettings = definition_for("core", "lettings", 2025)
    assert "sex" in lettings.questions and "sexrab" not in lettings.questions
    assert "gender_same_as_sex" not in lettings.questions and "referral_register" not in lettings.questions
    assert lettings.question("sex").codes == frozenset({"F", "M", "X", "R"})
    assert "builtype" in lettings.questions
    assert 40 not in lettings.question("prevten").codes and 40 in definition_for("core", "lettings", 2026).question("prevten").codes
    assert {56, 57}.isdisjoint(lettings.question("reason").codes)
    # The template gives only the referral (field 116); its type follows, as CORE's 2025 parser derives it.
    result = lettings.evaluate({"renewal": 0, "referral": 15}, context=CONTEXT)
    assert result.answers["referral_type"] == 4
    # The web form asks the type; "voluntary agency" needs no referral page and sets it.
    result = lettings.evaluate({"renewal": 0, "referral_type": 6}, context=CONTEXT)
    assert result.answers["referral"] == 7
    result = lettings.evaluate({"renewal": 0, "referral_type": 1, "referral": 15}, context=CONTEXT)
    assert "referral_matches_type" in {p.rule_id for p in result.problems}


def test_lettings_2025_pregnancy_check_reads_gender_identity() -> None:
    lettings = definition_for("core", "lettings", 2025)
    answers = {"hhmemb": 1, "preg_occ": 1, "persons": [{"age": 30, "sex": "M"}]}
    assert "pregnancy_value_check" in {p.rule_id for p in lettings.evaluate(answers, context=CONTEXT).problems}
    answers["persons"] = [{"age": 30, "sex": "F"}]
    assert "pregnancy_value_check" not in {p.rule_id for p in lettings.evaluate(answers, context=CONTEXT).problems}


def test_sales_2025_counts_the_buyers_on_top_of_the_household() -> None:
    sales = definition_for("core", "sales", 2025)
    result = sales.evaluate({"ownershipsch": 1, "staircase": 2, "noint": 1, "jointpur": 1, "hholdcount": 1},
                           context=CONTEXT)
    assert result.derived["hhmemb"] == 3
    assert len(result.answers["persons"]) == 3
    assert 27 in sales.question("discounted_ownership_type").codes
    assert "buildheightclass" not in sales.questions and "mortlen_known" not in sales.questions
    assert sales.question("value").min == 0 and definition_for("core", "sales", 2026).question("value").min != 0


def _template_file(tmp_path: Path, form: str, year_cell: str) -> Path:
    rows = template_rows(form)
    numbers = [row["field"] for row in rows]
    path = tmp_path / f"{form}_2025_template.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Question", *(row["question"] for row in rows)])
        writer.writerow(["Values", *(year_cell if row["field"] in ("3", "10") else "" for row in rows)])
        writer.writerow(["Field number", *numbers])
    return path


@needs_reference
@pytest.mark.parametrize("form", ["lettings", "sales"])
def test_the_official_2025_template_maps_every_field_without_asking(tmp_path: Path, form: str) -> None:
    path = _template_file(tmp_path, form, "25 - 26")
    layout = read_layout(path)
    match = match_template(layout, definition_for("core", form, 2025))
    assert sorted(match.columns.values()) == sorted(template_fields(form))
    with pytest.raises(FileRejected, match="template for 2025 to 2026, not 2026 to 2027"):
        match_template(layout, definition_for("core", form, 2026))
