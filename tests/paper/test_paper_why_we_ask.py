""""Why we ask": written in the definition, overridden in Wagtail by content designers, shown in the web form
behind a details link."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_platform.paper.checks import why_we_ask_problems
from dcp_platform.paper.models import WhyWeAskText
from dcp_platform.paper.selectors import definition_why_we_ask
from dcp_platform.registry import definitions_for, get_plugin
from dcp_platform.tenancy.services import editors_group_name
from django.contrib.auth.models import Group

SENSITIVE = ["ethnic_group", "ethnic", "nationality_all_group", "sexrab", "gender_same_as_sex", "housingneeds",
             "illness", "net_income_known", "earnings", "hb", "benefits", "reasonpref"]


def test_core_lettings_explains_its_sensitive_household_questions() -> None:
    texts = definition_why_we_ask(definitions_for("core")[("lettings", 2026)])
    assert [q for q in SENSITIVE if not texts.get(q)] == []


def test_every_question_named_in_cores_why_we_ask_file_exists() -> None:
    folder = get_plugin("core").definitions_dir / "lettings_2026"
    named = yaml.safe_load((folder / "why_we_ask.yaml").read_text(encoding="utf-8"))["why_we_ask"]
    assert set(named) - set(definitions_for("core")[("lettings", 2026)].questions) == set()
    assert why_we_ask_problems(definitions_for("core")[("lettings", 2026)]) == []


def test_a_questions_own_key_wins_over_the_mapping_and_bad_texts_are_reported(tmp_path: Path) -> None:
    from dcp_platform.definitions import load_definition

    raw = {
        "collection": "test", "form": "cases", "year": 2026, "title": "Cases",
        "why_we_ask": {"age": "From the mapping.", "name": "From the mapping too.", "gone": "Not a question."},
        "sections": [{"id": "s", "title": "S", "pages": [{"id": "p", "questions": [
            {"id": "age", "type": "integer", "label": "Age", "why_we_ask": "Its own."},
            {"id": "name", "type": "text", "label": "Name"},
            {"id": "size", "type": "integer", "label": "Size", "why_we_ask": ["not", "text"]},
        ]}]}],
    }
    path = tmp_path / "cases_2026.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    definition = load_definition(path)
    assert definition_why_we_ask(definition) == {"age": "Its own.", "name": "From the mapping too."}
    assert why_we_ask_problems(definition) == ["test cases 2026, question size: why_we_ask must be a text"]
    long = copy.deepcopy(raw)
    long["why_we_ask"] = {"name": "x" * 601}
    path.write_text(yaml.safe_dump(long), encoding="utf-8")
    assert why_we_ask_problems(load_definition(path))[0] == \
        "test cases 2026, question name: why_we_ask is 601 characters; keep it to 600"


@pytest.fixture
def record_page(core: Any, make_org: Callable[..., Any], make_user: Callable[..., Any],
                client_for: Callable[..., Any], started_record: Callable[..., Any]) -> Callable[[str], str]:
    user = make_user(make_org())
    client = client_for("core", user)
    record = started_record(user)

    def get(page_id: str) -> str:
        return client.get(f"/records/{record.public_id}/questions/{page_id}/").content.decode()

    return get


def details(page: str) -> list[str]:
    return re.findall(r'<details class="govuk-details dcp-why-we-ask">.*?<div class="govuk-details__text">(.*?)</div>',
                      page, re.S)


def test_a_question_page_shows_why_we_ask_behind_a_details_link(record_page: Callable[[str], str]) -> None:
    page = record_page("lead_tenant_ethnic_group")
    assert "Why we ask this" in page
    assert details(page) == [definition_why_we_ask(definitions_for("core")[("lettings", 2026)])["ethnic_group"]
                             .replace("'", "&#x27;").replace('"', "&quot;")]
    assert details(record_page("property_reference")) == []


def test_a_content_designers_text_replaces_the_definitions_in_the_web_form(record_page: Callable[[str], str]) -> None:
    WhyWeAskText.objects.create(question_id="ethnic_group", form="lettings", text="Our own words, for tenants.")
    assert details(record_page("lead_tenant_ethnic_group")) == ["Our own words, for tenants."]
    WhyWeAskText.objects.create(question_id="propcode", text="So you can find the property again.")
    assert details(record_page("property_reference")) == ["So you can find the property again."]


@pytest.fixture
def editor(core: Any, make_org: Callable[..., Any], make_user: Callable[..., Any],
           client_for: Callable[..., Any]) -> Any:
    user = make_user(make_org(provider_type="LA"))
    user.groups.add(Group.objects.get(name=editors_group_name("core")))
    return client_for("core", user)


def test_a_content_designer_adds_a_why_we_ask_text_in_wagtail(editor: Any) -> None:
    add = "/cms/snippets/paper/whyweasktext/add/"
    page = editor.get(add)
    assert page.status_code == 200 and 'value="ethnic_group"' in page.content.decode()
    response = editor.post(add, {"question_id": "ethnic_group", "form": "", "text": "Why, in our words."})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WhyWeAskText.objects.get(question_id="ethnic_group").text == "Why, in our words."


def test_wagtail_refuses_a_text_for_a_question_the_collection_does_not_have(editor: Any) -> None:
    response = editor.post("/cms/snippets/paper/whyweasktext/add/", {"question_id": "no_such", "form": "", "text": "x"})
    assert response.status_code == 200 and not WhyWeAskText.objects.exists()
    assert "Choose a question of this collection" in response.content.decode()
