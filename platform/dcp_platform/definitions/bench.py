"""Micro-benchmark: evaluations per second of a synthetic ~150-question, ~80-rule definition.

Run with `python -m dcp_platform.definitions.bench [--seconds 3]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from . import EvalContext, load_definition
from .definition import Definition

QUESTIONS_PER_PAGE = 3
RECORD_QUESTIONS = 126  # + 8 persons x 3 group questions = 150 answers for a full household


def synthetic_definition() -> dict[str, Any]:
    """A form shaped like CORE lettings: mostly integers and radios, some conditions, a household group."""
    pages: list[dict[str, Any]] = []
    for index in range(RECORD_QUESTIONS):
        kind = ("integer", "radios", "yesno", "money", "date", "text")[index % 6]
        question: dict[str, Any] = {"id": f"q{index}", "type": kind, "label": f"Question {index}"}
        if kind == "integer":
            question |= {"min": 0, "max": 1000}
        if kind == "radios":
            question["options"] = [{"code": code, "label": f"Option {code}"} for code in range(1, 8)]
        if kind == "money":
            question |= {"min": 0, "max": 5000}
        if index > 6 and index % 7 == 0:
            question["condition"] = f"q{index - 3} != 99"
        if index % QUESTIONS_PER_PAGE == 0:
            pages.append({"id": f"page{index}", "questions": []})
        pages[-1]["questions"].append(question)
    group_pages = [
        {"id": "person_age", "group": "persons", "questions": [
            {"id": "age", "type": "integer", "label": "Age", "min": 0, "max": 120}]},
        {"id": "person_sex", "group": "persons", "questions": [
            {"id": "sex", "type": "radios", "label": "Sex", "options": [{"code": c, "label": c} for c in "FMX"]}]},
        {"id": "person_work", "group": "persons", "condition": "age >= 16", "questions": [
            {"id": "work", "type": "radios", "label": "Work", "options": [{"code": c, "label": str(c)} for c in range(10)]}]},
    ]
    validations = []
    for index in range(72):
        a, b = f"q{(index * 6) % RECORD_QUESTIONS}", f"q{(index * 6 + 1) % RECORD_QUESTIONS}"
        validations.append({
            "id": f"rule{index}", "severity": "soft" if index % 3 == 0 else "hard",
            "when": f"{a} > 900 and {b} in [5, 6] or {a} == 999", "fields": [a, b], "message": f"Check {a} {{{a}}}",
        })
    for index in range(8):
        validations.append({"id": f"person_rule{index}", "group": "persons", "severity": "hard",
                            "when": f"age < {index} and work == 1", "fields": ["age", "work"], "message": "Person {n}"})
    derived = [
        {"id": "totchild", "value": "count(persons, age < 16)"},
        {"id": "totadult", "value": "count(persons) - totchild"},
        {"id": "weekly", "value": "round(q3 * 12 / 52, 2)"},
        {"id": "band", "value": "map(q1, {1: 1, 2: 1, 3: 2}, 3)"},
        {"id": "is_adult", "group": "persons", "value": "age >= 18"},
    ]
    return {
        "collection": "bench", "form": "bench", "year": 2026, "title": "Benchmark",
        "groups": [{"id": "persons", "count": "q0", "min_items": 1, "max_items": 8}],
        "sections": [{"id": "main", "title": "Main", "pages": pages},
                     {"id": "household", "title": "Household", "pages": group_pages}],
        "derived": derived, "validations": validations,
    }


def complete_answers(definition: Definition) -> dict[str, Any]:
    values = {"integer": 8, "radios": 2, "yesno": 1, "money": "120.50", "date": "2026-05-01", "text": "abc"}
    answers: dict[str, Any] = {q.id: values[q.type] for q in definition.questions.values() if q.group is None}
    answers["persons"] = [{"age": 30 + i, "sex": "F", "work": 1} for i in range(8)]
    return answers


def run(seconds: float) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(yaml.safe_dump(synthetic_definition()), encoding="utf-8")
        definition = load_definition(path)
    answers = complete_answers(definition)
    context = EvalContext(today=date(2026, 5, 1))
    result = definition.evaluate(answers, context=context)
    assert result.status == "completed", (result.missing[:3], result.problems[:3])
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            definition.evaluate(answers, context=context)
        count += 100
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    answered = len(answers) - 1 + sum(len(p) for p in answers["persons"])
    print(f"{len(definition.questions)} questions ({answered} answers), {len(definition.validations)} rules, "
          f"{len(definition.derived)} derived: {rate:,.0f} evaluations/s ({1e6 / rate:.0f} µs each)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    run(parser.parse_args().seconds)


if __name__ == "__main__":
    main()
