"""Shared fragments (definitions/shared/*.yaml) included by definitions: each behaviour and each error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_platform.definitions import Definition, DefinitionError, load_definition
from dcp_platform.definitions.includes import load_fragments, resolve_includes, shared_folder_for

SHARED: dict[str, Any] = {
    "options": {
        "yes_no_dont_know": [
            {"code": 1, "label": "Yes"}, {"code": 2, "label": "No"}, {"code": 3, "label": "Don’t know"},
        ],
    },
    "questions": [
        {"id": "ethnic_group", "type": "radios", "label": "What is the lead tenant's ethnic group?",
         "options": [{"code": 0, "label": "White"}, {"code": 1, "label": "Mixed"},
                     {"code": 17, "label": "Tenant prefers not to say"}]},
        {"id": "wchair", "type": "radios", "label": "Is the property wheelchair accessible?",
         "options": {"include": "yes_no_dont_know"}},
        {"id": "la", "type": "select", "label": "Which local authority?", "options_source": "local_authorities",
         "hint": "The area the property is in."},
        {"id": "postcode_full", "type": "postcode", "label": "Postcode"},
        # A shared item made from another one.
        {"id": "previous_la", "include": "la", "label": "Which local authority was the last settled home in?"},
    ],
    "pages": [
        {"id": "address", "title": "What is the property's address?", "questions": [
            {"id": "address_line1", "type": "text", "label": "Address line 1"},
            {"include": "postcode_full"},
        ]},
    ],
    "validations": [
        {"id": "mixed_not_allowed", "severity": "hard", "when": "ethnic_group == 1", "fields": ["ethnic_group"],
         "message": "Not in this test"},
    ],
}


def definition_with(pages: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"collection": "test", "form": "sales", "year": 2026, "title": "Test",
            "sections": [{"id": "all", "title": "All", "pages": pages}], **more}


def write(tmp_path: Path, data: dict[str, Any], shared: dict[str, Any] | None = None) -> Path:
    definitions = tmp_path / "definitions"
    (definitions / "shared").mkdir(parents=True, exist_ok=True)
    (definitions / "shared" / "fragments.yaml").write_text(yaml.safe_dump(shared or SHARED), encoding="utf-8")
    path = definitions / "sales_2026.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load(path: Path) -> Definition:
    return load_definition(path, option_sources=["local_authorities"])


def test_an_included_question_is_the_shared_question(tmp_path: Path) -> None:
    definition = load(write(tmp_path, definition_with([{"id": "ethnic", "questions": [{"include": "ethnic_group"}]}])))
    question = definition.question("ethnic_group")
    assert question.label == "What is the lead tenant's ethnic group?"
    assert [o.code for o in question.options] == [0, 1, 17]


def test_overrides_replace_keys_and_null_removes_one(tmp_path: Path) -> None:
    page = {"id": "area", "questions": [
        {"include": "la", "id": "buyer_la", "label": "Which local authority is the home in?", "hint": None,
         "template_fields": [23]},
    ]}
    question = load(write(tmp_path, definition_with([page]))).question("buyer_la")
    assert (question.label, question.hint, question.template_fields) == ("Which local authority is the home in?", None, [23])
    assert question.options_source == "local_authorities"


def test_an_options_mapping_edits_options_by_code(tmp_path: Path) -> None:
    page = {"id": "ethnic", "questions": [{"include": "ethnic_group", "options": {
        17: {"label": "Buyer prefers not to say"},  # relabelled
        1: None,  # removed
        4: {"label": "Arab or other ethnic group"},  # added at the end
    }}]}
    question = load(write(tmp_path, definition_with([page]))).question("ethnic_group")
    assert [(o.code, o.label) for o in question.options] == [
        (0, "White"), (17, "Buyer prefers not to say"), (4, "Arab or other ethnic group")]


def test_a_shared_option_list_is_included_by_name_and_may_be_edited(tmp_path: Path) -> None:
    pages = [
        {"id": "wheelchair", "questions": [{"include": "wchair"}]},
        {"id": "lift", "questions": [{"id": "lift", "type": "radios", "label": "Is there a lift?",
                                      "options": {"include": "yes_no_dont_know", 3: None}}]},
    ]
    definition = load(write(tmp_path, definition_with(pages)))
    assert [o.label for o in definition.question("wchair").options] == ["Yes", "No", "Don’t know"]
    assert [o.code for o in definition.question("lift").options] == [1, 2]


def test_a_page_is_included_with_its_questions_edited_by_id(tmp_path: Path) -> None:
    page = {"include": "address", "questions": {
        "address_line1": {"template_fields": [17]},
        "postcode_full": {"template_fields": [21, 22]},
        "county": {"type": "text", "label": "County", "required": False},  # added
    }}
    definition = load(write(tmp_path, definition_with([page])))
    assert [q.id for q in definition.page("address").questions] == ["address_line1", "postcode_full", "county"]
    assert definition.page("address").title == "What is the property's address?"
    assert definition.question("postcode_full").template_fields == [21, 22]


def test_a_shared_item_may_be_made_from_another(tmp_path: Path) -> None:
    page = {"id": "previous", "questions": [{"include": "previous_la", "id": "prevloc"}]}
    question = load(write(tmp_path, definition_with([page]))).question("prevloc")
    assert question.label == "Which local authority was the last settled home in?"
    assert question.hint == "The area the property is in." and question.options_source == "local_authorities"


def test_rules_are_included_too(tmp_path: Path) -> None:
    data = definition_with([{"id": "ethnic", "questions": [{"include": "ethnic_group"}]}],
                           validations=[{"include": "mixed_not_allowed", "message": "Mixed is not allowed here"}])
    rule = load(write(tmp_path, data)).rule("mixed_not_allowed")
    assert rule.message == "Mixed is not allowed here" and rule.fields == ["ethnic_group"]


def test_two_definitions_share_one_copy_each(tmp_path: Path) -> None:
    """Overrides in one definition never leak into the shared item or another definition."""
    first = write(tmp_path, definition_with([{"id": "e", "questions": [
        {"include": "ethnic_group", "options": {17: {"label": "Changed"}}}]}]))
    second = first.parent / "lettings_2026.yaml"
    second.write_text(yaml.safe_dump(definition_with([{"id": "e", "questions": [{"include": "ethnic_group"}]}])))
    assert load(first).question("ethnic_group").options[-1].label == "Changed"
    assert load(second).question("ethnic_group").options[-1].label == "Tenant prefers not to say"


def test_includes_in_a_folder_definition_find_the_shared_folder_beside_it(tmp_path: Path) -> None:
    path = write(tmp_path, definition_with([]))
    folder = path.parent / "sales_2027"
    folder.mkdir()
    (folder / "form.yaml").write_text(yaml.safe_dump(definition_with([{"id": "e", "questions": [
        {"include": "ethnic_group"}]}])), encoding="utf-8")
    assert shared_folder_for(folder / "form.yaml") == path.parent / "shared"
    assert load_definition(folder).question("ethnic_group").options[0].label == "White"


def test_a_file_without_includes_needs_no_shared_folder(tmp_path: Path) -> None:
    data = {"collection": "test", "sections": []}
    assert resolve_includes(data, file=tmp_path / "x.yaml") is data


def test_fragments_are_read_again_when_a_shared_file_changes(tmp_path: Path) -> None:
    path = write(tmp_path, definition_with([]))
    folder = path.parent / "shared"
    assert "ethnic_group" in load_fragments(folder).items["questions"]
    changed = {"questions": [{"id": "renamed", "type": "text", "label": "Renamed"}]}
    file = folder / "fragments.yaml"
    file.write_text(yaml.safe_dump(changed), encoding="utf-8")
    stat = file.stat()
    import os  # (to move the file's time on: a fast rewrite may keep the same nanosecond stamp on some systems)

    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert set(load_fragments(folder).items["questions"]) == {"renamed"}


@pytest.mark.parametrize(
    ("pages", "more", "shared", "expected"),
    [
        ([{"id": "p", "questions": [{"include": "nope"}]}], {}, None, "no shared questions item 'nope'"),
        ([{"id": "p", "questions": [{"include": "ethnic_group", "options": {9: None}}]}], {}, None,
         "cannot remove code 9"),
        ([{"id": "p", "questions": [{"id": "q", "type": "radios", "label": "Q", "options": {"include": "nope"}}]}],
         {}, None, "no shared option list 'nope'"),
        ([{"id": "p", "questions": [{"id": "q", "type": "radios", "label": "Q", "options": {1: {"label": "A"}}}]}],
         {}, None, "an options mapping needs 'include"),
        ([{"id": "p", "questions": [{"include": 5}]}], {}, None, "'include' must name a shared item"),
        ([], {"groups": [{"include": "ethnic_group"}]}, None, "'include' is not allowed here"),
        ([{"id": "p", "questions": [{"include": "a"}]}], {},
         {"questions": [{"id": "a", "include": "b"}, {"id": "b", "include": "a"}]}, "include each other in a loop"),
        ([{"id": "p", "questions": [{"include": "a"}]}], {},
         {"questions": [{"id": "a", "type": "text", "label": "A"}], "pages": [], "rules": []},
         "a shared file may only hold"),
        ([{"id": "p", "questions": [{"include": "ethnic_group", "options": {17: "Buyer"}}]}], {}, None,
         "must be a mapping of keys"),
    ],
)
def test_mistakes_are_explained(
    tmp_path: Path, pages: list[Any], more: dict[str, Any], shared: dict[str, Any] | None, expected: str
) -> None:
    with pytest.raises(DefinitionError) as info:
        load(write(tmp_path, definition_with(pages, **more), shared))
    assert expected in str(info.value) and ".yaml" in str(info.value)


def test_an_include_without_a_shared_folder_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "sales_2026.yaml"
    path.write_text(yaml.safe_dump(definition_with([{"id": "p", "questions": [{"include": "ethnic_group"}]}])))
    with pytest.raises(DefinitionError, match="there is no 'shared' folder"):
        load(path)


def test_a_shared_id_twice_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, definition_with([{"id": "p", "questions": [{"include": "la"}]}]))
    (path.parent / "shared" / "more.yaml").write_text(yaml.safe_dump({"questions": [SHARED["questions"][2]]}))
    with pytest.raises(DefinitionError, match="shared questions id is also in"):
        load(path)
