"""check_definition: each check finds what it is for in a tiny definition, and says nothing of the base one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dcp_platform.definitions import Definition
from dcp_platform.definitions.checks import check_definition

Build = Callable[..., Definition]
Base = Callable[[], dict[str, Any]]


def page(data: dict[str, Any], page_id: str) -> dict[str, Any]:
    return next(p for s in data["sections"] for p in s["pages"] if p["id"] == page_id)


def question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(q for s in data["sections"] for p in s["pages"] for q in p["questions"] if q["id"] == question_id)


def findings(definition: Definition) -> set[tuple[str, str]]:
    return {(f.check, f.id) for f in check_definition(definition).findings}


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """The base definition with its findings dealt with: template fields 1 to 6 with no gap, and the renewal's
    vacancy reason (set by the system, refused by a rule when asked) allowed."""
    question(data, "age")["template_fields"] = {1: [3], 2: [4], 3: [5], 4: [6]}
    data["check_allowances"] = [{"check": "unreachable_option", "id": "rsnvac = 14", "reason": "Set for renewals"}]
    return data


def with_tenure(data: dict[str, Any]) -> dict[str, Any]:
    """A tenure question (codes 1, 2, 3) and a length asked only for tenure 2."""
    clean(data)
    page(data, "renewal_page")["questions"].append(
        {"id": "tenure", "type": "radios", "label": "Tenure", "options": [
            {"code": 1, "label": "Lifetime"}, {"code": 2, "label": "Fixed term"}, {"code": 3, "label": "Periodic"}]})
    data["sections"][0]["pages"].insert(1, {"id": "length_page", "condition": "tenure == 2", "questions": [
        {"id": "length", "type": "integer", "label": "Length in years", "min": 1, "max": 99}]})
    return data


def test_the_base_definition_passes_once_its_findings_are_dealt_with(build: Build, base: Base) -> None:
    assert findings(build(base())) == {("unreachable_option", "rsnvac = 14"), *(
        ("template_field_unmapped", f"field {n}") for n in range(3, 10))}
    report = check_definition(build(clean(base())))
    assert report.ok, report.to_text()
    assert report.to_text().startswith("test lettings 2026: passes")
    assert [f.id for f, _ in report.allowed] == ["rsnvac = 14"]


def test_a_question_whose_conditions_are_never_true_together(build: Build, base: Base) -> None:
    data = with_tenure(base())
    question(data, "length")["condition"] = "tenure == 3"  # the page asks it only for tenure 2
    assert ("never_asked", "length") in findings(build(data))


def test_a_question_after_a_question_never_asked_is_never_asked(build: Build, base: Base) -> None:
    data = with_tenure(base())
    question(data, "length")["condition"] = "tenure == 3"
    data["sections"][0]["pages"].insert(2, {"id": "long_page", "condition": "length > 10", "questions": [
        {"id": "why_long", "type": "text", "label": "Why so long?"}]})
    assert {("never_asked", "length"), ("never_asked", "why_long")} <= findings(build(data))


def test_a_rule_reading_questions_never_asked_together(build: Build, base: Base) -> None:
    data = with_tenure(base())
    data["validations"].append({"id": "periodic_length", "severity": "hard", "when": "tenure == 3 and length > 50",
                                "fields": ["length"], "message": "Too long"})
    data["validations"].append({"id": "fixed_length", "severity": "hard", "when": "tenure == 2 and length > 50",
                                "fields": ["length"], "message": "Too long"})
    found = findings(build(data))
    assert ("rule_never_together", "rule periodic_length") in found
    assert ("rule_never_together", "rule fixed_length") not in found


def test_conditions_always_true_or_false_and_codes_a_question_does_not_have(build: Build, base: Base) -> None:
    data = with_tenure(base())
    page(data, "length_page")["condition"] = "tenure == 2 or tenure != 2"
    question(data, "hasextra")["condition"] = "brent > 10 and brent < 5"
    data["validations"].append({"id": "odd", "severity": "soft", "when": "tenure == 7 or renewal == 1",
                                "fields": ["tenure"], "message": "Odd"})
    found = findings(build(data))
    assert ("always_true", "page length_page") in found
    assert ("always_false", "question hasextra") in found
    assert ("unknown_code", "rule odd") in found
    assert ("always_false", "rule odd") not in found and ("always_true", "rule odd") not in found


def test_an_option_a_hard_rule_always_refuses(build: Build, base: Base) -> None:
    data = with_tenure(base())
    data["validations"].append({"id": "no_periodic", "severity": "hard", "when": "tenure == 3 and renewal != 5",
                                "fields": ["tenure"], "message": "Periodic tenancies are not recorded"})
    data["validations"].append({"id": "no_lifetime_renewals", "severity": "hard", "when": "tenure == 1 and renewal == 1",
                                "fields": ["tenure"], "message": "A renewal cannot be lifetime"})
    found = findings(build(data))
    assert ("unreachable_option", "tenure = 3") in found
    assert ("unreachable_option", "tenure = 1") not in found  # given when it is not a renewal


def test_template_fields_mapped_twice_or_not_at_all(build: Build, base: Base) -> None:
    data = clean(base())
    question(data, "brent")["template_fields"] = [8]  # field 7 is now mapped by nothing
    definition = build(data)
    assert findings(definition) == {("template_field_unmapped", "field 7")}
    definition.questions["hasextra"].template_fields = [8]  # the loader refuses this; the check finds it anyway
    assert ("template_field_twice", "field 8") in findings(definition)
    data["template_field_count"] = 16
    assert ("template_field_unmapped", "field 16") in findings(build(data))


def test_what_cannot_be_enumerated_is_not_judged(build: Build, base: Base) -> None:
    data = clean(base())
    judged = check_definition(build(data)).not_judged
    data["validations"].append({"id": "too_old", "severity": "hard", "when": "count(persons, age > 200) > 0",
                                "fields": ["hhmemb"], "message": "Nobody is over 200"})
    report = check_definition(build(data))
    assert report.ok and report.not_judged > judged


def test_allowances_need_a_reason_and_something_to_allow(build: Build, base: Base) -> None:
    data = with_tenure(base())
    question(data, "length")["condition"] = "tenure == 3"
    renewal = data["check_allowances"][0]
    data["check_allowances"] = [renewal, {"check": "never_asked", "id": "length", "reason": "Kept for next year"}]
    report = check_definition(build(data))
    assert report.ok and ("length", "Kept for next year") in [(f.id, reason) for f, reason in report.allowed]

    data["check_allowances"] = [renewal, {"check": "never_asked", "id": "length"}]
    assert ("allowance", "2") in findings(build(data)) and ("never_asked", "length") in findings(build(data))

    data["check_allowances"] = [renewal, {"check": "never_asked", "id": "length", "reason": "Kept"},
                                {"check": "never_asked", "id": "brent", "reason": "Stale"}]
    assert findings(build(data)) == {("allowance", "never_asked brent")}
