"""Lettings and sales logs ask their common questions from one place (definitions/shared/): each shared question
is in both forms, with the same type and answer codes unless a form says otherwise."""

from __future__ import annotations

from pathlib import Path

from dcp_platform.definitions.includes import load_fragments
from dcp_platform.registry import definition_for

SHARED = Path(__file__).resolve().parents[1] / "dcp_core" / "definitions" / "shared"


def test_every_shared_question_is_asked_by_both_forms() -> None:
    fragments = load_fragments(SHARED)
    lettings, sales = definition_for("core", "lettings", 2026), definition_for("core", "sales", 2026)
    page_questions = {q["id"] for page in fragments.items["pages"].values() for q in page["questions"]}
    for question_id in [*fragments.items["questions"], *page_questions]:
        assert question_id in lettings.questions and question_id in sales.questions, question_id
        assert lettings.question(question_id).type == sales.question(question_id).type, question_id


def test_shared_answer_lists_are_the_same_in_both_forms() -> None:
    lettings, sales = definition_for("core", "lettings", 2026), definition_for("core", "sales", 2026)
    countries = [(o.code, o.label) for o in lettings.question("nationality_all").options]
    assert len(countries) > 190
    assert [(o.code, o.label) for o in sales.question("nationality_all").options] == countries
    assert [(o.code, o.label) for o in sales.question("nationality_all_buyer2").options] == countries
    for question_id in ("sexrab", "gender_same_as_sex", "ecstat", "ethnic_group"):
        assert [o.code for o in sales.question(question_id).options] == \
            [o.code for o in lettings.question(question_id).options], question_id
    # Buyer 2's ethnic group is the shared question under buyer 2's id, in the sales wording.
    assert [o.code for o in sales.question("ethnic_group2").options] == [o.code for o in lettings.question("ethnic_group").options]
    assert sales.question("ethnic_group2").option_label(17) == "Buyer prefers not to say"
    assert lettings.question("ethnic_group").option_label(17) == "Tenant prefers not to say"


def test_each_form_keeps_its_own_template_fields() -> None:
    lettings, sales = definition_for("core", "lettings", 2026), definition_for("core", "sales", 2026)
    assert lettings.question("postcode_full").template_fields == [23, 24]
    assert sales.question("postcode_full").template_fields == [21, 22]
    assert lettings.question("age").template_fields_for(1) == [41] and sales.question("age").template_fields_for(1) == [29]
