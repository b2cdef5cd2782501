"""Helpers for definition tests: small definitions written as YAML into tmp_path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_platform.definitions import Definition, load_definition

BASE: dict[str, Any] = {
    "collection": "test",
    "form": "lettings",
    "year": 2026,
    "title": "Test log",
    "groups": [{"id": "persons", "count": "hhmemb", "min_items": 1, "max_items": 4}],
    "sections": [
        {
            "id": "setup",
            "title": "Set up",
            "pages": [
                {"id": "renewal_page", "questions": [
                    {"id": "renewal", "type": "yesno", "label": "Is this a renewal?", "template_fields": [1]},
                ]},
                {"id": "reason_page", "condition": "renewal == 0", "questions": [
                    {"id": "rsnvac", "type": "radios", "label": "Why was the property vacant?",
                     "options": [{"code": 14, "label": "Renewal"}, {"code": 1, "label": "Previous tenant died"}],
                     "template_fields": [2]},
                ]},
                {"id": "rent_page", "questions": [
                    {"id": "brent", "type": "money", "label": "Basic rent", "min": 0, "max": 5000},
                    {"id": "hasextra", "type": "yesno", "label": "Any other charges?", "required": False},
                    {"id": "extra", "type": "money", "label": "Other charges", "condition": "hasextra == 1"},
                ]},
            ],
        },
        {
            "id": "household",
            "title": "Household",
            "condition": "answered(renewal)",
            "pages": [
                {"id": "size", "questions": [
                    {"id": "hhmemb", "type": "integer", "label": "How many people live here?", "min": 1, "max": 4},
                ]},
                {"id": "person_age", "group": "persons", "questions": [
                    {"id": "age", "type": "integer", "label": "Age", "min": 0, "max": 120,
                     "template_fields": {1: [10], 2: [11], 3: [12], 4: [13]}},
                ]},
                {"id": "person_work", "group": "persons", "condition": "age >= 16", "questions": [
                    {"id": "working", "type": "yesno", "label": "Working?"},
                ]},
            ],
        },
    ],
    "derived": [
        {"id": "totchild", "value": "count(persons, age < 16)"},
        {"id": "adult", "group": "persons", "value": "age >= 18"},
        {"id": "totadult", "value": "count(persons, adult)"},
        {"id": "renewal_reason", "sets": "rsnvac", "condition": "renewal == 1", "value": 14},
    ],
    "validations": [
        {"id": "not_renewal", "severity": "hard", "when": "renewal == 0 and rsnvac == 14", "fields": ["rsnvac"],
         "message": "The reason cannot be a renewal when this letting is not a renewal"},
        {"id": "high_rent", "severity": "soft", "when": "brent > 1000", "fields": ["brent"],
         "message": "The rent of £{brent} is high", "title": "Rent is £{brent}"},
        {"id": "old_person", "severity": "soft", "group": "persons", "when": "age > 100", "fields": ["age"],
         "message": "Person {n} is {age}"},
    ],
}


@pytest.fixture(name="base")
def base_fixture() -> Callable[[], dict[str, Any]]:
    """Call it to get a fresh copy of the base definition as a dict."""
    return lambda: copy.deepcopy(BASE)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    counter = {"n": 0}

    def _write(data: dict[str, Any], name: str | None = None) -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"def{counter['n']}.yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def build(write: Callable[..., Path]) -> Callable[..., Definition]:
    def _build(data: dict[str, Any] | None = None, **kwargs: Any) -> Definition:
        return load_definition(write(data if data is not None else copy.deepcopy(BASE)), **kwargs)

    return _build
