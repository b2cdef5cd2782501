"""Every field of the official 2026/27 lettings template has its question, with the template's names and codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from dcp_platform.registry import definition_for

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "core"
REPO = Path(__file__).resolve().parents[3]
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason="the shared CORE reference files are not beside the repo")


def template_fields() -> dict[int, list[str]]:
    with open(REFERENCE / "template_fields" / "lettings_2026.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {int(row["field"]): [a.strip() for a in row["log_attributes(error mapping)"].split(",") if a.strip()] for row in rows}


@needs_reference
def test_every_template_field_is_mapped_exactly_once() -> None:
    definition = definition_for("core", "lettings", 2026)
    numbers = Counter(n for q in definition.questions.values() for n in q.all_template_fields())
    expected = set(template_fields())
    assert len(expected) == 147
    assert set(numbers) == expected
    assert [n for n, count in numbers.items() if count > 1] == []


@needs_reference
def test_mapped_questions_use_the_template_variable_names() -> None:
    definition = definition_for("core", "lettings", 2026)
    fields = template_fields()
    for number, spec in definition.template_field_map().items():
        question = definition.question(spec.question_id)
        names = {question.id, definition.flat_name(question, spec.item)}
        if spec.part is not None and question.type == "checkboxes":
            names.add(str(spec.part))
        if question.template_codec or not fields[number]:
            continue  # codec columns (age with R, access-need ticks) and unnamed tick columns
        assert names & set(fields[number]) or any(n.startswith(tuple(fields[number])) for n in names), (number, names, fields[number])


@needs_reference
def test_answer_codes_match_the_specification() -> None:
    definition = definition_for("core", "lettings", 2026)
    spec: dict[str, set[str]] = {}
    with open(REFERENCE / "spec" / "lettings_2026_answer_options.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["code"].startswith(("(dynamic)", "divider")):
                spec.setdefault(row["variable"], set()).add(row["code"])
    checked = 0
    for question in definition.questions.values():
        key = question.id if question.id in spec else f"{question.id}2" if f"{question.id}2" in spec else None
        if key is None or not question.options or question.id == "nationality_all_group":
            continue
        assert {str(o.code) for o in question.options} <= spec[key], question.id
        checked += 1
    assert checked >= 50


@needs_reference
def test_numeric_ranges_match_the_specification() -> None:
    definition = definition_for("core", "lettings", 2026)
    with open(REFERENCE / "spec" / "lettings_2026_numeric_ranges.tsv", encoding="utf-8") as handle:
        rows = {row["variable"]: row for row in csv.DictReader(handle, delimiter="\t")}
    for variable in ("beds", "tenancylength"):
        question = definition.question(variable)
        assert str(question.min) == rows[variable]["min"] and str(question.max) == rows[variable]["max"]
    assert definition.question("age").max == int(rows["age2"]["max"])


def test_show_definition_prints_questions_with_integer_template_fields() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "show_definition", "--collection", "core", "--form", "lettings", "--year", "2026"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    exported = json.loads(result.stdout)
    by_id = {q["id"]: q for q in exported["questions"]}
    assert by_id["startdate"]["template_fields"] == [8, 9, 10]
    assert by_id["needstype"]["type"] == "radios" and [o["code"] for o in by_id["needstype"]["options"]] == [1, 2]
    assert by_id["age"]["template_fields"][:2] == [41, 48]
    assert by_id["irproduct_other"]["condition"] == "rent_type == 5"


def test_show_definition_explains_an_unknown_form() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "show_definition", "--collection", "core", "--form", "lettings", "--year", "1999"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "Available: lettings 2025, lettings 2026" in result.stderr
