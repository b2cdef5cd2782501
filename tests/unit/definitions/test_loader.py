"""Each start-up check has a test that fails if the check is removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_platform.definitions import Definition, DefinitionError, load_definition

Build = Callable[..., Definition]
Base = Callable[[], dict[str, Any]]


def page(data: dict[str, Any], page_id: str) -> dict[str, Any]:
    return next(p for s in data["sections"] for p in s["pages"] if p["id"] == page_id)


def question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(q for s in data["sections"] for p in s["pages"] for q in p["questions"] if q["id"] == question_id)


def test_base_fixture_loads(build: Build, base: Base) -> None:
    definition = build()
    assert definition.collection == "test" and definition.year == 2026
    assert list(definition.questions) == ["renewal", "rsnvac", "brent", "hasextra", "extra", "hhmemb", "age", "working"]
    assert definition.questions["age"].group == "persons"
    assert definition.page("reason_page").questions[0].id == "rsnvac"
    assert definition.question("rsnvac").set_by_system


def expect_error(build: Build, data: dict[str, Any], *fragments: str, **kwargs: Any) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        build(data, **kwargs)
    message = str(info.value)
    assert ".yaml" in message, message  # names the file
    for fragment in fragments:
        assert fragment in message, message
    return info.value


def test_unknown_name(build: Build, base: Base) -> None:
    data = base()
    page(data, "reason_page")["condition"] = "renewl == 0"
    expect_error(build, data, "'reason_page'", "unknown name 'renewl'", "column 1")


def test_unknown_name_in_validation(build: Build, base: Base) -> None:
    data = base()
    data["validations"][0]["when"] = "renewal == 0 and nothing == 1"
    expect_error(build, data, "'not_renewal'", "unknown name 'nothing'")


def test_group_names_only_inside_the_group(build: Build, base: Base) -> None:
    data = base()
    data["validations"][0]["when"] = "age > 1"  # record-level rule reading an item answer
    expect_error(build, data, "unknown name 'age'")


def test_unknown_function(build: Build, base: Base) -> None:
    data = base()
    data["derived"][0]["value"] = "weekly(brent)"
    expect_error(build, data, "'totchild'", "unknown function 'weekly'")
    data["derived"][0]["value"] = "weekly(brent)"
    assert build(data, functions={"weekly": lambda x: x}).derived[0].value.functions == {"weekly"}


def test_bad_syntax(build: Build, base: Base) -> None:
    data = base()
    question(data, "extra")["condition"] = "hasextra == "
    expect_error(build, data, "'extra'", "column")


def test_forward_reference_in_page_condition(build: Build, base: Base) -> None:
    data = base()
    page(data, "reason_page")["condition"] = "brent > 0"  # brent is asked later
    expect_error(build, data, "'reason_page'", "'brent' is asked later")


def test_question_condition_may_use_earlier_question_on_same_page(build: Build, base: Base) -> None:
    data = base()
    question(data, "extra")["condition"] = "brent > 0"
    build(data)
    question(data, "brent")["condition"] = "extra > 0"
    expect_error(build, data, "'brent'", "'extra' is asked later")


def test_page_condition_cannot_use_its_own_question(build: Build, base: Base) -> None:
    data = base()
    page(data, "rent_page")["condition"] = "brent > 0"
    expect_error(build, data, "'rent_page'", "asked later")


def test_derived_in_condition_needs_earlier_inputs(build: Build, base: Base) -> None:
    data = base()
    data["derived"].insert(0, {"id": "early", "value": "renewal == 1"})
    data["derived"].insert(1, {"id": "late", "value": "hhmemb > 1"})
    page(data, "rent_page")["condition"] = "early"
    build(data)
    page(data, "rent_page")["condition"] = "late"
    expect_error(build, data, "'rent_page'", "'late' is asked later")


def test_derived_may_only_use_earlier_derived(build: Build, base: Base) -> None:
    data = base()
    data["derived"][0]["value"] = "totadult + 1"
    expect_error(build, data, "'totchild'", "defined later")


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: page(d, "rent_page")["questions"].append({"id": "brent", "type": "integer", "label": "x"}),
         "duplicate question id"),
        (lambda d: d["sections"][0]["pages"].append({"id": "rent_page", "questions": [
            {"id": "other", "type": "text", "label": "x"}]}), "duplicate page id"),
        (lambda d: d["sections"].append({"id": "setup", "pages": [{"id": "p9", "questions": [
            {"id": "other", "type": "text", "label": "x"}]}]}), "duplicate section id"),
        (lambda d: d["validations"].append(dict(d["validations"][0])), "duplicate validation id"),
        (lambda d: d["derived"].append({"id": "totchild", "value": "1"}), "duplicate derived id"),
        (lambda d: d["derived"].append({"id": "brent", "value": "1"}), "clashes"),
        (lambda d: page(d, "person_age")["questions"].append({"id": "hhmemb", "type": "integer", "label": "x"}),
         "duplicate question id"),
    ],
)
def test_duplicate_ids(build: Build, base: Base, mutate: Callable[[dict[str, Any]], None], fragment: str) -> None:
    data = base()
    mutate(data)
    expect_error(build, data, fragment)


def test_option_without_code(build: Build, base: Base) -> None:
    data = base()
    question(data, "rsnvac")["options"].append({"label": "Other"})
    expect_error(build, data, "'rsnvac'", "option has no code")


def test_duplicate_option_code(build: Build, base: Base) -> None:
    data = base()
    question(data, "rsnvac")["options"].append({"code": 14, "label": "Again"})
    expect_error(build, data, "'rsnvac'", "duplicate option code 14")


def test_radios_need_options(build: Build, base: Base) -> None:
    data = base()
    del question(data, "rsnvac")["options"]
    expect_error(build, data, "'rsnvac'", "needs options")


def test_duplicate_template_field(build: Build, base: Base) -> None:
    data = base()
    question(data, "brent")["template_fields"] = [2]
    expect_error(build, data, "'brent'", "template field 2 is already used by 'rsnvac'")


def test_duplicate_template_field_in_group_mapping(build: Build, base: Base) -> None:
    data = base()
    question(data, "working")["template_fields"] = {1: [13]}
    expect_error(build, data, "'working'", "template field 13")


def test_unknown_question_type(build: Build, base: Base) -> None:
    data = base()
    question(data, "brent")["type"] = "currency"
    expect_error(build, data, "'brent'", "unknown question type 'currency'")


def test_options_source_must_be_provided(build: Build, base: Base) -> None:
    data = base()
    page(data, "renewal_page")["questions"].append(
        {"id": "la", "type": "select", "label": "Local authority", "options_source": "local_authorities"})
    expect_error(build, data, "'la'", "unknown options_source 'local_authorities'")
    assert build(data, option_sources=["local_authorities"]).question("la").options_source == "local_authorities"


def test_template_codec_must_be_provided(build: Build, base: Base) -> None:
    data = base()
    question(data, "age")["template_codec"] = "age_or_refused"
    expect_error(build, data, "'age'", "unknown template_codec 'age_or_refused'")
    assert build(data, codecs=["age_or_refused"]).question("age").template_codec == "age_or_refused"


def test_rule_fields_must_be_questions(build: Build, base: Base) -> None:
    data = base()
    data["validations"][0]["fields"] = ["rsnvacc"]
    expect_error(build, data, "'not_renewal'", "unknown question 'rsnvacc'")


def test_group_rule_fields_need_group(build: Build, base: Base) -> None:
    data = base()
    del data["validations"][2]["group"]
    expect_error(build, data, "'old_person'")


def test_meta_names_are_checked(build: Build, base: Base) -> None:
    data = base()
    data["record_reference"] = ["tenancycode"]
    expect_error(build, data, "record_reference", "tenancycode")


def test_aggregate_needs_a_group(build: Build, base: Base) -> None:
    data = base()
    data["derived"][0]["value"] = "count(brent, brent > 1)"
    expect_error(build, data, "needs a repeating group")


def test_context_names(build: Build, base: Base) -> None:
    data = base()
    page(data, "reason_page")["condition"] = "provider_type == 'LA'"
    expect_error(build, data, "unknown name 'provider_type'")
    assert build(data, context_names=["provider_type"]).page("reason_page").condition is not None


def test_folder_definition_merges_lists_in_name_order(tmp_path: Path, base: Base) -> None:
    data = base()
    folder = tmp_path / "lettings_2026"
    folder.mkdir()
    rules = data.pop("validations")
    derived = data.pop("derived")
    (folder / "form.yaml").write_text(yaml.safe_dump(data))
    (folder / "rules.yaml").write_text(yaml.safe_dump({"validations": rules[:1]}))
    (folder / "rules_more.yaml").write_text(yaml.safe_dump({"validations": rules[1:], "derived": derived}))
    definition = load_definition(folder)
    assert [r.id for r in definition.validations] == ["not_renewal", "high_rent", "old_person"]
    assert [d.id for d in definition.derived][0] == "totchild"


def test_folder_rejects_top_level_key_twice(tmp_path: Path, base: Base) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.yaml").write_text(yaml.safe_dump(base()))
    (folder / "b.yaml").write_text(yaml.safe_dump({"title": "Again"}))
    with pytest.raises(DefinitionError, match="'title' is set in more than one file"):
        load_definition(folder)


def test_to_json_and_template_map(build: Build, base: Base) -> None:
    data = base()
    question(data, "brent")["template_fields"] = [20, 21]
    definition = build(data)
    payload = definition.to_json()
    by_id = {q["id"]: q for q in payload["questions"]}
    assert by_id["rsnvac"]["options"] == [{"code": 14, "label": "Renewal"}, {"code": 1, "label": "Previous tenant died"}]
    assert by_id["age"]["template_fields"] == [10, 11, 12, 13]
    assert by_id["extra"]["condition"] == "hasextra == 1"
    assert by_id["age"]["group"] == "persons" and by_id["age"]["section"] == "household"
    assert payload["validations"][1]["severity"] == "soft"
    spec = definition.template_field_map()
    assert spec[11].question_id == "age" and spec[11].item == 2
    assert spec[20].part is None and spec[2].question_id == "rsnvac"


def test_template_map_parts(build: Build, base: Base) -> None:
    data = base()
    page(data, "renewal_page")["questions"].extend([
        {"id": "startdate", "type": "date", "label": "Start date", "template_fields": [30, 31, 32]},
        {"id": "postcode", "type": "postcode", "label": "Postcode", "template_fields": [33, 34]},
        {"id": "benefits", "type": "checkboxes", "label": "Benefits", "options": [
            {"code": "hb", "label": "Housing benefit", "template_fields": [35]},
            {"code": "uc", "label": "Universal credit", "template_fields": [36]}]},
    ])
    spec = build(data).template_field_map()
    assert [spec[n].part for n in (30, 31, 32, 33, 34, 35, 36)] == ["day", "month", "year", "outward", "inward", "hb", "uc"]
