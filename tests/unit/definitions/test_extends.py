from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.definitions import Definition, DefinitionError, load_definition

Base = Callable[[], dict[str, Any]]


def load_child(write: Callable[..., Path], base: Base, changes: list[dict[str, Any]]) -> Definition:
    base_path = write(base(), name="lettings_2026.yaml")
    child = write({"collection": "test", "form": "lettings", "year": 2027, "extends": "lettings_2026",
                   "changes": changes}, name="lettings_2027.yaml")
    return load_definition(child, base_resolver=lambda name: base_path.parent / f"{name}.yaml")


def test_extends_keeps_base_and_overrides_year(write: Callable[..., Path], base: Base) -> None:
    definition = load_child(write, base, [{"change_meta": {"title": "Lettings 2027"}}])
    assert definition.year == 2027 and definition.title == "Lettings 2027"
    assert "rsnvac" in definition.questions


def test_question_changes(write: Callable[..., Path], base: Base) -> None:
    definition = load_child(write, base, [
        {"remove_question": "extra"},
        {"change_question": {"id": "rsnvac", "options": [{"code": 14, "label": "Renewal"}, {"code": 2, "label": "New"}]}},
        {"add_question": {"page": "rent_page", "after": "brent", "question":
                          {"id": "period", "type": "integer", "label": "Rent period"}}},
    ])
    assert "extra" not in definition.questions
    assert definition.question("rsnvac").codes == frozenset({14, 2})
    assert [q.id for q in definition.page("rent_page").questions] == ["brent", "period", "hasextra"]


def test_page_and_rule_changes(write: Callable[..., Path], base: Base) -> None:
    definition = load_child(write, base, [
        {"add_page": {"after": "renewal_page", "section": "setup", "page":
                      {"id": "new_page", "questions": [{"id": "tenancycode", "type": "text", "label": "Code"}]}}},
        {"remove_page": "person_work"},
        {"change_validation": {"id": "high_rent", "when": "brent > 2000"}},
        {"remove_validation": "old_person"},
        {"add_validation": {"id": "new_rule", "when": "brent > 3000", "fields": ["brent"], "message": "Too high"}},
        {"change_derived": {"id": "totchild", "value": "count(persons, age < 18)"}},
        {"remove_derived": "renewal_reason"},
        {"add_derived": {"id": "rent2", "value": "brent * 2"}},
    ])
    assert [p.id for p in definition.sections[0].pages][:2] == ["renewal_page", "new_page"]
    assert "working" not in definition.questions
    assert definition.rule("high_rent").when.source == "brent > 2000"
    assert [r.id for r in definition.validations] == ["not_renewal", "high_rent", "new_rule"]
    assert [d.id for d in definition.derived] == ["totchild", "adult", "totadult", "rent2"]
    assert not definition.question("rsnvac").set_by_system


def test_result_is_checked(write: Callable[..., Path], base: Base) -> None:
    # removing a question that a condition reads makes the result invalid
    with pytest.raises(DefinitionError, match="unknown name 'hasextra'"):
        load_child(write, base, [{"remove_question": "hasextra"}])


def test_change_to_unknown_id(write: Callable[..., Path], base: Base) -> None:
    with pytest.raises(DefinitionError, match="unknown question 'nope'"):
        load_child(write, base, [{"change_question": {"id": "nope", "label": "x"}}])
    with pytest.raises(DefinitionError, match="unknown change 'rename_question'"):
        load_child(write, base, [{"rename_question": "brent"}])


def test_extends_needs_resolver(write: Callable[..., Path]) -> None:
    child = write({"collection": "test", "form": "lettings", "year": 2027, "extends": "lettings_2026"})
    with pytest.raises(DefinitionError, match="no base_resolver"):
        load_definition(child)


def test_template_fields_change_is_the_whole_template(write: Callable[..., Path], base: Base) -> None:
    # A year's template numbers its fields afresh: the change lists every field, and what it does not list
    # (rsnvac here) is not in that year's template at all.
    definition = load_child(write, base, [
        {"template_fields": {"renewal": [3], "brent": [1], "age": {1: [20], 2: [21]}}},
    ])
    assert definition.question("renewal").template_fields == [3]
    assert definition.question("brent").template_fields == [1]
    assert definition.question("rsnvac").template_fields == []
    assert definition.question("age").template_fields == {1: [20], 2: [21]}


def test_template_fields_change_sets_checkbox_options(write: Callable[..., Path], base: Base) -> None:
    def with_checkboxes() -> dict[str, Any]:
        raw = base()
        raw["sections"][0]["pages"][2]["questions"].append(
            {"id": "needs", "type": "checkboxes", "label": "Needs", "required": False, "options": [
                {"code": "a", "label": "A", "template_fields": [7]}, {"code": "b", "label": "B"}]})
        return raw

    definition = load_child(write, with_checkboxes, [{"template_fields": {"needs": {"b": [4]}}}])
    fields = {option.code: option.template_fields for option in definition.question("needs").options}
    assert fields == {"a": [], "b": [4]}
    with pytest.raises(DefinitionError, match="unknown option 'c'"):
        load_child(write, with_checkboxes, [{"template_fields": {"needs": {"c": [4]}}}])
    with pytest.raises(DefinitionError, match="unknown question 'nope'"):
        load_child(write, base, [{"template_fields": {"nope": [4]}}])


def test_change_question_edits_options_by_code(write: Callable[..., Path], base: Base) -> None:
    definition = load_child(write, base, [
        {"change_question": {"id": "rsnvac", "edit_options": {1: None, 14: {"label": "Renewal of a tenancy"},
                                                         5: {"label": "Other"}}}},
    ])
    options = definition.question("rsnvac").options
    assert [(o.code, o.label) for o in options] == [(14, "Renewal of a tenancy"), (5, "Other")]
    with pytest.raises(DefinitionError, match="does not have"):
        load_child(write, base, [{"change_question": {"id": "rsnvac", "edit_options": {99: None}}}])
