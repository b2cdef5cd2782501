"""definition_diff: two versions of a tiny definition that differ in every way the diff reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dcp_platform.definitions import Definition
from dcp_platform.definitions.diff import ADDED, CHANGED, KINDS, REMOVED, definition_diff

Build = Callable[..., Definition]
Base = Callable[[], dict[str, Any]]


def page(data: dict[str, Any], page_id: str) -> dict[str, Any]:
    return next(p for s in data["sections"] for p in s["pages"] if p["id"] == page_id)


def question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(q for s in data["sections"] for p in s["pages"] for q in p["questions"] if q["id"] == question_id)


def next_year(base: Base) -> dict[str, Any]:
    data = base()
    data["year"] = 2027
    # questions: one added (with options and template field 3), one removed, one changed
    page(data, "rent_page")["questions"].insert(1, {
        "id": "period", "type": "radios", "label": "How often is rent paid?", "template_fields": [3],
        "options": [{"code": 1, "label": "Weekly"}, {"code": 2, "label": "Monthly"}]})
    page(data, "rent_page")["questions"] = [q for q in page(data, "rent_page")["questions"] if q["id"] != "extra"]
    question(data, "brent")["label"] = "Basic rent every week"
    question(data, "brent")["max"] = 6000
    # options: one added, one removed, one relabelled
    question(data, "rsnvac")["options"] = [{"code": 14, "label": "Renewal of a tenancy"},
                                           {"code": 2, "label": "Previous tenant moved"}]
    # conditions: a page's changed, a section's removed, a question's added
    page(data, "reason_page")["condition"] = "renewal != 1"
    data["sections"][1].pop("condition")
    question(data, "hasextra")["condition"] = "brent > 0"
    # template fields: 1 moves to rsnvac's old number, 2 removed, 3 added (period), group field 13 -> 14
    question(data, "renewal")["template_fields"] = [2]
    question(data, "rsnvac").pop("template_fields")
    question(data, "age")["template_fields"] = {1: [10], 2: [11], 3: [12], 4: [14]}
    # rules: one added, one removed, one changed
    data["validations"] = [v for v in data["validations"] if v["id"] != "old_person"]
    next(v for v in data["validations"] if v["id"] == "high_rent")["when"] = "brent > 1200"
    data["validations"].append({"id": "monthly_rent", "severity": "hard", "when": "period == 2 and brent < 1",
                                "fields": ["brent"], "message": "Enter the rent"})
    # derived values: one added, one removed, one changed
    data["derived"] = [d for d in data["derived"] if d["id"] != "totadult"]
    next(d for d in data["derived"] if d["id"] == "totchild")["value"] = "count(persons, age < 18)"
    data["derived"].append({"id": "monthly", "value": "period == 2"})
    return data


def by_id(diff: Any, kind: str, action: str) -> dict[str, Any]:
    return {change.id: change for change in diff.of_kind(kind, action)}


def test_every_kind_of_change_is_found(build: Build, base: Base) -> None:
    before, after = build(base()), build(next_year(base))
    diff = definition_diff(before, after)
    assert (diff.before_year, diff.after_year) == (2026, 2027)

    assert set(by_id(diff, "questions", ADDED)) == {"period"}
    assert set(by_id(diff, "questions", REMOVED)) == {"extra"}
    brent = by_id(diff, "questions", CHANGED)["brent"]
    assert {(d.key, d.before, d.after) for d in brent.differences} == {
        ("label", "Basic rent", "Basic rent every week"), ("max", 5000, 6000)}
    assert set(by_id(diff, "questions", CHANGED)) == {"brent"}

    assert set(by_id(diff, "options", ADDED)) == {"rsnvac = 2"}
    assert set(by_id(diff, "options", REMOVED)) == {"rsnvac = 1"}
    relabelled = by_id(diff, "options", CHANGED)["rsnvac = 14"]
    assert [(d.key, d.after) for d in relabelled.differences] == [("label", "Renewal of a tenancy")]

    assert by_id(diff, "conditions", CHANGED)["page reason_page"].differences[0].after == "renewal != 1"
    # the removed question's condition goes with it
    assert set(by_id(diff, "conditions", REMOVED)) == {"section household", "question extra"}
    assert set(by_id(diff, "conditions", ADDED)) == {"question hasextra"}

    assert set(by_id(diff, "rules", ADDED)) == {"monthly_rent"}
    assert set(by_id(diff, "rules", REMOVED)) == {"old_person"}
    assert [(d.key, d.after) for d in by_id(diff, "rules", CHANGED)["high_rent"].differences] == [("when", "brent > 1200")]

    assert set(by_id(diff, "derived", ADDED)) == {"monthly"}
    assert set(by_id(diff, "derived", REMOVED)) == {"totadult"}
    assert set(by_id(diff, "derived", CHANGED)) == {"totchild"}

    assert set(by_id(diff, "template_fields", ADDED)) == {"field 3", "field 14"}
    assert set(by_id(diff, "template_fields", REMOVED)) == {"field 1", "field 13"}
    moved = by_id(diff, "template_fields", CHANGED)["field 2"]
    assert [(d.key, d.before, d.after) for d in moved.differences] == [("question", "rsnvac", "renewal")]


def test_the_same_definition_has_no_changes_and_spacing_is_not_a_change(build: Build, base: Base) -> None:
    data = base()
    question(data, "extra")["condition"] = "hasextra  ==   1"
    diff = definition_diff(build(base()), build(data))
    assert diff.is_empty
    assert "No changes." in diff.to_text()


def test_reversed_diff_swaps_added_and_removed(build: Build, base: Base) -> None:
    before, after = build(base()), build(next_year(base))
    forward, backward = definition_diff(before, after), definition_diff(after, before)
    for kind in KINDS:
        assert {c.id for c in forward.of_kind(kind, ADDED)} == {c.id for c in backward.of_kind(kind, REMOVED)}


def test_text_and_json_say_the_same(build: Build, base: Base) -> None:
    diff = definition_diff(build(base()), build(next_year(base)))
    text = diff.to_text()
    assert text.startswith("test lettings: what changed from 2026 to 2027")
    assert "Questions: 1 added, 1 removed, 1 changed" in text
    assert '  + added period: How often is rent paid?' in text
    assert '      label: "Basic rent" -> "Basic rent every week"' in text
    data = json.loads(json.dumps(diff.to_json()))
    assert data["from"] == 2026 and data["to"] == 2027
    assert data["counts"]["rules"] == {"added": 1, "removed": 1, "changed": 1}
    assert [c["id"] for c in data["questions"]["added"]] == ["period"]
    assert data["questions"]["added"][0]["details"]["options"] == ["1 = Weekly", "2 = Monthly"]
    assert data["rules"]["changed"][0]["changes"] == [{"key": "when", "from": "brent > 1000", "to": "brent > 1200"}]
