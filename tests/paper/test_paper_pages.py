"""Paper form pages over HTTP: every definition in the repository, an organisation's own version, who may see
and change it, the PDF and the cache."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from dcp_platform.accounts.models import OrganisationRelationship
from dcp_platform.definitions import Definition
from dcp_platform.paper.exporters import PaperRequest, definition_hash, pdf_available
from dcp_platform.paper.models import OrganisationPaperSettings, WhyWeAskText
from dcp_platform.paper.selectors import why_we_ask_texts
from dcp_platform.registry import all_plugins, definitions_for
from django.core.cache import cache
from django.db import connection
from PIL import Image
from pypdf import PdfReader

from conftest import collection


def png(colour: str = "red", size: tuple[int, int] = (300, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def blocks_of(page: str) -> dict[int, str]:
    """Question number -> the HTML of its block on a paper form page."""
    found = re.findall(r'<div class="dcp-paper__question[^"]*" id="paper-question-(\d+)">(.*?)\n</div>', page, re.S)
    return {int(number): block for number, block in found}


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def ordered_questions(definition: Definition) -> list[Any]:
    return [q for section in definition.sections for page in section.pages for q in page.questions]


def every_definition() -> list[tuple[str, Definition]]:
    return [(slug, d) for slug in all_plugins() for d in definitions_for(slug).values()]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_the_paper_form_of_every_definition_has_every_question_with_its_options_and_codes(
    db: None, client_for: Callable[..., Any]
) -> None:
    assert every_definition(), "the repository has definitions"
    for slug, definition in every_definition():
        response = client_for(slug).get(f"/paper/{definition.form}/{definition.year}/")
        assert response.status_code == 200, (slug, definition.form, definition.year)
        blocks = blocks_of(response.content.decode())
        questions = ordered_questions(definition)
        assert sorted(blocks) == list(range(1, len(questions) + 1)), (slug, definition.form)
        for number, question in enumerate(questions, start=1):
            block = text_of(blocks[number])
            assert question.label in block, (slug, question.id)
            for option in question.options:
                assert f"{option.code} {option.label}" in block, (slug, question.id, option.code)
            if question.group is not None:
                group = definition.groups[question.group]
                columns = re.findall(r'<th scope="col">([^<]*)</th>', blocks[number])
                largest = group.max_items or 6
                assert columns == [group.title_for(n) for n in range(1, largest + 1)], (slug, question.id)


def test_core_lettings_routing_and_why_we_ask_are_on_the_paper_form(core: Any, client_for: Callable[..., Any]) -> None:
    page = client_for("core").get("/paper/lettings/2026/").content.decode()
    blocks = {number: text_of(block) for number, block in blocks_of(page).items()}
    numbers = {q.id: n for n, q in enumerate(ordered_questions(definitions_for("core")[("lettings", 2026)]), 1)}
    ethnic = blocks[numbers["ethnic"]]
    assert f"Answer only if the answer to question {numbers['ethnic_group']} is not ‘Tenant prefers not to say’" in ethnic
    group = blocks[numbers["ethnic_group"]]
    assert f"17 Tenant prefers not to say Go to question {numbers['nationality_all_group']}" in group
    assert "Why we ask: Ethnic group is collected to check" in group
    assert "Filled in for" not in page  # the public version knows nothing of an organisation


@pytest.fixture
def riverside(core: Any, make_org: Callable[..., Any]) -> Any:
    return make_org("Riverside Homes", code="RIVERSIDE1")


@pytest.fixture
def hillside(core: Any, make_org: Callable[..., Any]) -> Any:
    return make_org("Hillside Homes", code="HILLSIDE1")


def give_settings(organisation: Any, *, central: list[str], colour: str) -> None:
    from dcp_platform.paper.services import paper_settings_update

    paper_settings_update(organisation=organisation, user=None, form="lettings", central_questions=central,  # type: ignore[arg-type]
                          logo=png(colour))


def test_an_organisations_version_leaves_out_its_central_questions_shows_its_logo_and_known_answers(
    riverside: Any, hillside: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    give_settings(riverside, central=["tenancycode", "propcode"], colour="red")
    give_settings(hillside, central=[], colour="blue")
    settings = OrganisationPaperSettings.objects.get(organisation=riverside)
    hillside_logo = OrganisationPaperSettings.objects.get(organisation=hillside).logo
    client = client_for("core", make_user(riverside))
    response = client.get("/paper/lettings/2026/organisations/RIVERSIDE1/")
    assert response.status_code == 200
    page = response.content.decode()
    labels = text_of("".join(blocks_of(page).values()))
    assert "What is the tenant code?" not in labels and "What is the property reference?" not in labels
    assert "answers these questions centrally, so they are left out" in page
    assert "For Riverside Homes (RIVERSIDE1)" in page
    assert '<img class="dcp-paper__logo" src="data:image/png;base64,' in page and settings.logo
    # It owns and manages its own lettings (no relationships): both questions are filled in with its code.
    assert text_of(page).count("Filled in for Riverside Homes: RIVERSIDE1 Riverside Homes") == 2
    assert "Hillside" not in page and hillside_logo


def test_an_organisation_with_stock_owners_lists_them_and_is_not_filled_in(
    riverside: Any, hillside: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    OrganisationRelationship.objects.create(stock_owner=hillside, managing_agent=riverside)
    page = client_for("core", make_user(riverside)).get("/paper/lettings/2026/organisations/RIVERSIDE1/")
    text = text_of(page.content.decode())
    assert "Filled in for" not in text
    assert "HILLSIDE1 Hillside Homes" in text and "RIVERSIDE1 Riverside Homes" in text


def test_another_organisations_version_is_not_found_for_its_users(
    riverside: Any, hillside: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    give_settings(riverside, central=["tenancycode"], colour="red")
    for role in ("data_provider", "data_coordinator"):
        client = client_for("core", make_user(hillside, role=role))
        for path in ("/paper/lettings/2026/organisations/RIVERSIDE1/", "/paper/lettings/2026/organisations/RIVERSIDE1.pdf",
                     "/paper/lettings/settings/RIVERSIDE1/"):
            assert client.get(path).status_code == 404, (role, path)
        own = client.get("/paper/lettings/2026/organisations/HILLSIDE1/").content.decode()
        assert "Riverside" not in own and "data:image/png" not in own


def test_signed_out_people_get_the_public_version_only(riverside: Any, client_for: Callable[..., Any]) -> None:
    client = client_for("core")
    assert client.get("/paper/lettings/2026/").status_code == 200
    response = client.get("/paper/lettings/2026/organisations/RIVERSIDE1/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert client.get("/paper/lettings/settings/RIVERSIDE1/").status_code == 302
    assert client.get("/paper/").status_code == 200


def test_support_sees_any_organisations_version_and_may_change_it(
    riverside: Any, support_client: Callable[..., Any]
) -> None:
    client = support_client("core")
    assert client.get("/paper/lettings/2026/organisations/RIVERSIDE1/").status_code == 200
    assert client.get("/paper/lettings/settings/RIVERSIDE1/").status_code == 200
    index = client.get("/paper/?organisation=RIVERSIDE1").content.decode()
    assert "/paper/lettings/2026/organisations/RIVERSIDE1/" in index
    missing = client.get("/paper/?organisation=NOSUCHORG").content.decode()
    assert "There is a problem" in missing and "No organisation with that code takes part" in missing


def test_an_organisation_that_does_not_take_part_has_no_version(
    core: Any, make_org: Callable[..., Any], make_user: Callable[..., Any], client_for: Callable[..., Any],
    support_client: Callable[..., Any],
) -> None:
    outsider = make_org("Outside Homes", code="OUTSIDE1", collections=("hclic",), provider_type="LA")
    support = support_client("core")
    assert support.get("/paper/lettings/2026/organisations/OUTSIDE1/").status_code == 404
    assert support.get("/paper/lettings/2026/organisations/NOSUCHORG/").status_code == 404
    own_user = client_for("core", make_user(outsider))
    assert own_user.get("/paper/lettings/2026/organisations/OUTSIDE1/").status_code == 404


def test_only_its_coordinator_changes_an_organisations_settings(
    riverside: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    provider = client_for("core", make_user(riverside))
    assert provider.get("/paper/lettings/settings/RIVERSIDE1/").status_code == 404
    assert provider.post("/paper/lettings/settings/RIVERSIDE1/", {"central_questions": ["propcode"]}).status_code == 404
    coordinator = client_for("core", make_user(riverside, role="data_coordinator"))
    page = coordinator.get("/paper/lettings/settings/RIVERSIDE1/").content.decode()
    assert 'value="propcode"' in page and 'value="age"' not in page  # household members' questions are not offered
    response = coordinator.post("/paper/lettings/settings/RIVERSIDE1/", {
        "central_questions": ["propcode", "tenancycode"], "logo": io.BytesIO(png()),
    })
    assert response.status_code == 302
    saved = OrganisationPaperSettings.objects.get(organisation=riverside)
    assert saved.central_for("lettings") == ["propcode", "tenancycode"] and saved.logo.endswith(".png")


def test_a_file_that_is_not_a_picture_is_refused_with_a_message(
    riverside: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    coordinator = client_for("core", make_user(riverside, role="data_coordinator"))
    upload = io.BytesIO(b"<svg onload='alert(1)'></svg>")
    upload.name = "logo.svg"
    response = coordinator.post("/paper/lettings/settings/RIVERSIDE1/", {"logo": upload, "central_questions": ["propcode"]})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "The logo must be a PNG, JPEG, GIF or WebP picture" in page
    assert not OrganisationPaperSettings.objects.filter(organisation=riverside).exists()


def test_unknown_questions_are_refused(riverside: Any, make_user: Callable[..., Any], client_for: Callable[..., Any]) -> None:
    coordinator = client_for("core", make_user(riverside, role="data_coordinator"))
    response = coordinator.post("/paper/lettings/settings/RIVERSIDE1/", {"central_questions": ["age", "nope"]})
    assert response.status_code == 200 and "Choose questions from the list" in response.content.decode()


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint's system libraries (Pango) are not installed")
def test_the_pdf_is_a_printable_document_of_many_pages(core: Any, client_for: Callable[..., Any]) -> None:
    response = client_for("core").get("/paper/lettings/2026.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="core-lettings-2026-paper-form.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 10
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Lettings log: paper form" in text and "Page 1 of" in text
    for question in ordered_questions(definitions_for("core")[("lettings", 2026)]):
        assert re.sub(r"\s+", " ", question.label)[:40] in text, question.id
    # Served from the cache the second time: the same bytes, without laying the form out again.
    assert client_for("core").get("/paper/lettings/2026.pdf").content == response.content


def test_the_cache_key_follows_the_definition_and_the_texts(core: Any, riverside: Any) -> None:
    definition = definitions_for("core")[("lettings", 2026)]
    before = PaperRequest(definition).cache_key("html")
    assert before == PaperRequest(definition).cache_key("html")
    WhyWeAskText.objects.create(question_id="ethnic", text="A content designer's words.")
    after = PaperRequest(definition).cache_key("html")
    assert after != before
    assert PaperRequest(definition, riverside).cache_key("html") != after


def test_a_changed_definition_gets_a_new_hash(core: Any) -> None:
    import copy

    definition = definitions_for("core")[("lettings", 2026)]
    changed = copy.copy(definition)
    changed.raw = {**definition.raw, "title": "Lettings log, changed"}
    assert definition_hash(changed) != definition_hash(definition)


def test_content_designers_texts_override_the_definitions(core: Any) -> None:
    definition = definitions_for("core")[("lettings", 2026)]
    assert why_we_ask_texts(definition=definition)["ethnic"].startswith("The detailed background")
    WhyWeAskText.objects.create(question_id="ethnic", text="Every form's words.")
    assert why_we_ask_texts(definition=definition)["ethnic"] == "Every form's words."
    WhyWeAskText.objects.create(question_id="ethnic", form="lettings", text="This form's words.")
    assert why_we_ask_texts(definition=definition)["ethnic"] == "This form's words."
    WhyWeAskText.objects.create(question_id="ethnic", form="sales", text="Another form's words.")
    assert why_we_ask_texts(definition=definition)["ethnic"] == "This form's words."


def test_content_designers_texts_belong_to_their_collection(core: Any) -> None:
    WhyWeAskText.objects.create(question_id="ethnic", text="CORE's words.")
    connection.set_tenant(collection("hclic"))
    assert not WhyWeAskText.objects.exists()
