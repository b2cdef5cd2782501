"""The paper form laid out from a definition (paper/layout.py): numbering, routing, groups, an organisation's
version. A small definition written here; no database."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from dcp_platform.definitions import Definition, load_definition
from dcp_platform.paper.layout import PaperGroup, PaperQuestion, build_paper_form

DEFINITION: dict[str, Any] = {
    "collection": "test", "form": "lettings", "year": 2026, "title": "Test log",
    "owner_question": "owner",
    "groups": [
        {"id": "persons", "title": "Household members", "item_title": "Person {n}", "count": "hhmemb",
         "min_items": 1, "max_items": 3},
        {"id": "pets", "title": "Pets", "item_title": "Pet {n}"},
    ],
    "sections": [
        {"id": "setup", "title": "Set up", "pages": [
            {"id": "owner", "questions": [{"id": "owner", "type": "organisation", "label": "Who owns it?",
                                           "options_source": "owning_organisations"}]},
            {"id": "renewal", "questions": [{"id": "renewal", "type": "yesno", "label": "Is this a renewal?"}]},
            {"id": "reason", "condition": "renewal == 0", "questions": [
                {"id": "reason", "type": "radios", "label": "Why was it vacant?",
                 "options": [{"code": 1, "label": "Died"}, {"code": 2, "label": "Moved"}, {"code": 3, "label": "Other"}]},
                {"id": "reason_other", "type": "text", "label": "What was the other reason?",
                 "condition": "reason == 3"},
            ]},
            {"id": "void", "condition": "renewal == 0", "questions": [
                {"id": "voiddate", "type": "date", "label": "When did it become empty?"}]},
            {"id": "rent", "questions": [{"id": "rent", "type": "money", "label": "Rent", "min": 0, "max": 900}]},
        ]},
        {"id": "household", "title": "Household", "condition": "answered(renewal)", "pages": [
            {"id": "size", "questions": [{"id": "hhmemb", "type": "integer", "label": "How many people?"}]},
            {"id": "known", "group": "persons", "condition": "n > 1", "questions": [
                {"id": "known", "type": "yesno", "label": "Can you tell us about this person?"}]},
            {"id": "age", "group": "persons", "condition": "n == 1 or known == 1", "questions": [
                {"id": "age", "type": "integer", "label": "Age"}]},
            {"id": "pet", "group": "pets", "questions": [{"id": "kind", "type": "text", "label": "What animal?"}]},
        ]},
    ],
}


@cache
def definition() -> Definition:
    path = Path(tempfile.mkdtemp(prefix="paper-")) / "lettings_2026.yaml"
    path.write_text(yaml.safe_dump(DEFINITION, sort_keys=False), encoding="utf-8")
    return load_definition(path, option_sources=["owning_organisations"])


def by_id(questions: list[PaperQuestion]) -> dict[str, PaperQuestion]:
    return {q.id: q for q in questions}


def test_questions_are_numbered_in_the_order_the_definition_asks_them() -> None:
    form = build_paper_form(definition())
    assert [(q.number, q.id) for q in form.questions] == list(enumerate(
        ["owner", "renewal", "reason", "reason_other", "voiddate", "rent", "hhmemb", "known", "age", "kind"], start=1))


def test_an_answer_that_rules_out_the_next_questions_says_where_to_go() -> None:
    questions = by_id(build_paper_form(definition()).questions)
    renewal = {o.label: o.go_to for o in questions["renewal"].options}
    assert renewal == {"Yes": "Go to question 6", "No": None}
    reason = {o.label: o.go_to for o in questions["reason"].options}
    assert reason == {"Died": "Go to question 5", "Moved": "Go to question 5", "Other": None}


def test_conditions_say_when_to_answer_in_words() -> None:
    form = build_paper_form(definition())
    questions = by_id(form.questions)
    assert questions["reason_other"].answer_only_if == "the answer to question 3 is ‘Other’"
    assert questions["voiddate"].answer_only_if == "the answer to question 2 is ‘No’"
    reason_page = next(part for part in form.sections[0].parts if getattr(part, "page", None)
                       and part.page.id == "reason")
    assert reason_page.note == "Questions 3 to 4: answer only if the answer to question 2 is ‘No’."
    assert form.sections[1].note == "the answer to question 2 is answered"


def test_group_questions_have_a_column_for_each_item_and_mark_items_never_asked() -> None:
    form = build_paper_form(definition())
    persons, pets = (part for part in form.sections[1].parts if isinstance(part, PaperGroup))
    assert persons.columns == [(1, "Person 1"), (2, "Person 2"), (3, "Person 3")]
    assert persons.intro == "Fill in one column for each person, as many as the answer to question 7 says (at most 3)."
    questions = by_id(form.questions)
    assert questions["known"].not_asked_items == {1}
    assert questions["age"].not_asked_items == frozenset()
    assert questions["age"].answer_only_if == "this is person 1 or the answer to question 8 for this person is ‘Yes’"
    assert len(pets.items) == 6 and "copy this page" in pets.intro


def test_an_organisations_version_leaves_out_its_central_questions_and_numbers_the_rest() -> None:
    form = build_paper_form(definition(), left_out=["rent", "voiddate", "not_a_question"])
    assert [q.id for q in form.left_out] == ["voiddate", "rent"]
    assert "rent" not in by_id(form.questions) and by_id(form.questions)["hhmemb"].number == 5
    assert {o.label: o.go_to for o in by_id(form.questions)["renewal"].options}["Yes"] == "Go to question 5"


def test_an_organisations_version_fills_in_what_is_known_and_lists_its_organisations() -> None:
    form = build_paper_form(
        definition(), known={"owner": "ORG1", "renewal": 0},
        option_lists={"owning_organisations": [("ORG1", "Riverside Homes"), ("ORG2", "Hillside Homes")]},
    )
    questions = by_id(form.questions)
    assert [(o.code, o.label, o.known) for o in questions["owner"].options] == [
        ("ORG1", "Riverside Homes", True), ("ORG2", "Hillside Homes", False)]
    assert questions["owner"].known_answer == "ORG1 Riverside Homes"
    assert [o.known for o in questions["renewal"].options] == [False, True]


def test_the_public_version_asks_to_write_an_organisation_and_shows_bounds() -> None:
    questions = by_id(build_paper_form(definition()).questions)
    assert questions["owner"].options == [] and questions["owner"].instruction == "Write the organisation’s name or code."
    assert questions["rent"].bounds == "From £0 to £900"
    assert questions["voiddate"].date_answer


def test_why_we_ask_texts_are_carried_to_their_questions() -> None:
    questions = by_id(build_paper_form(definition(), why_we_ask={"age": "To see who is housed."}).questions)
    assert questions["age"].why_we_ask == "To see who is housed." and questions["rent"].why_we_ask == ""
