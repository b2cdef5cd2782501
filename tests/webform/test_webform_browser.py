"""A housing officer completes a whole CORE 2026/27 lettings log in Chromium, with JavaScript on and off.

The household is a family of four with one child under 16. The test answers whatever page the form shows
next (the definition decides the route), confirms any "are you sure?" page, checks every page type with
axe-core, then checks the stored codes and derived values in the database.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection

from conftest import TEST_PASSWORD, assert_accessible, live_url

pytestmark = pytest.mark.browser

# Answers by page id (and item number for household members): name -> value.
# Dates are (day, month, year); checkboxes are lists; everything else is the code to choose or the text.
ANSWERS: dict[str, dict[str, Any]] = {
    "stock_owner": {},  # filled in at run time with the organisation's code
    "managing_organisation": {},
    "assigned_to": {"assigned_to": ""},
    "needs_type": {"needstype": "1"},
    "renewal": {"renewal": "0"},
    "tenancy_start_date": {"startdate": ("3", "11", "2026")},
    "rent_type": {"rent_type": "0"},
    "tenant_code": {"tenancycode": "FAM-4"},
    "property_reference": {"propcode": "PROP-77"},
    "declaration": {"declaration": ["declaration"]},
    "first_time_let": {"first_time_property_let_as_social_housing": "0"},
    "property_let_type": {"unitletas": "1"},
    "vacancy_reason": {"rsnvac": "13"},
    "uprn": {"uprn": ""},
    "address": {"address_line1": "1 Test Street", "town_or_city": "Manchester", "postcode_full": "M1 1AE"},
    "property_local_authority": {"la": ("E08000003", "Manchester")},
    "unit_type": {"unittype_gn": "7"},
    "wheelchair": {"wchair": "2"},
    "bedrooms": {"beds": "3"},
    "void_date": {"voiddate": ("1", "10", "2026")},
    "major_repairs": {"majorrepairs": "0"},
    "joint": {"joint": "1"},
    "starter_tenancy": {"startertenancy": "2"},
    "tenancy_type": {"tenancy": "2"},
    "household_members": {"hhmemb": "4"},
    "person_age.1": {"age_known": "0", "age": "38"},
    "person_sex.1": {"sexrab": "F"},
    "person_gender.1": {"gender_same_as_sex": "1"},
    "person_working_situation.1": {"ecstat": "1"},
    "person_known.2": {"details_known": "0"},
    "person_age.2": {"age_known": "0", "age": "40"},
    "person_relationship.2": {"relat": "P"},
    "person_sex.2": {"sexrab": "M"},
    "person_gender.2": {"gender_same_as_sex": "1"},
    "person_working_situation.2": {"ecstat": "2"},
    "person_known.3": {"details_known": "0"},
    "person_age.3": {"age_known": "0", "age": "12"},
    "person_relationship.3": {"relat": "X"},
    "person_sex.3": {"sexrab": "F"},
    "person_gender.3": {"gender_same_as_sex": "1"},
    "person_working_situation.3": {"ecstat": "9"},
    "person_known.4": {"details_known": "0"},
    "person_age.4": {"age_known": "0", "age": "19"},
    "person_relationship.4": {"relat": "X"},
    "person_sex.4": {"sexrab": "M"},
    "person_gender.4": {"gender_same_as_sex": "1"},
    "person_working_situation.4": {"ecstat": "7"},
    "lead_tenant_ethnic_group": {"ethnic_group": "0"},
    "lead_tenant_ethnic_background": {"ethnic": "1"},
    "lead_tenant_nationality": {"nationality_all_group": "826"},
    "armed_forces": {"armedforces": "2"},
    "pregnant": {"preg_occ": "2"},
    "access_needs_exist": {"housingneeds": "2"},
    "health_conditions": {"illness": "2"},
    "time_lived_in_area": {"layear": "11"},
    "time_on_register": {"waityear": "7"},
    "reason_for_leaving": {"reason": "9"},
    "previous_housing": {"prevten": "28"},
    "homelessness": {"homeless": "1"},
    "previous_postcode": {"ppcodenk": "1"},
    "previous_local_authority": {"previous_la_known": "0"},
    "reasonable_preference": {"reasonpref": "2"},
    "letting_allocation": {"letting_allocation": ["cbl"]},
    "referral_source": {"referral_register": "6"},
    "referral_nomination": {"referral_noms": "1"},
    "referral_organisation": {"referral_org": "9"},
    "income_known": {"net_income_known": "0"},
    "income_amount": {"incfreq": "1", "earnings": "650"},
    "housing_benefit": {"hb": "9"},
    "benefits_share": {"benefits": "3"},
    "rent_period": {"period": "1"},
    "rent_and_charges": {"brent": "125.50", "scharge": "10"},
}


def press(page: Any, role: str, name: Any) -> None:
    """Click a button or link and wait for the next page, so the next step reads the new page."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def page_key(url: str) -> str:
    match = re.search(r"/questions/([a-z0-9_]+)/(?:(\d+)/)?", url)
    assert match, url
    return match.group(1) + (f".{match.group(2)}" if match.group(2) else "")


def fill(page: Any, answers: dict[str, Any], *, javascript: bool) -> None:
    for name, value in answers.items():
        if isinstance(value, list):
            for code in value:
                page.check(f"input[name='{name}'][value='{code}']")
        elif isinstance(value, tuple) and len(value) == 3:
            for part, text in zip(("day", "month", "year"), value, strict=True):
                page.fill(f"#{name}-{part}", text)
        elif isinstance(value, tuple):  # a long list: (code, label)
            code, label = value
            if javascript:
                # accessible-autocomplete replaces the select with a type-ahead input of the same id.
                page.fill(f"input#{name}", label)
                page.locator(f"#{name}__listbox li", has_text=label).first.click()
            else:
                page.select_option(f"select#{name}", code)
        elif page.locator(f"input[type='radio'][name='{name}']").count():
            page.check(f"input[name='{name}'][value='{value}']")
        elif page.locator(f"select[name='{name}']").count():
            page.select_option(f"select[name='{name}']", value)
        else:
            page.fill(f"#{name}", value)


def complete_lettings_log(page: Any, base: str, organisation_code: str, *, javascript: bool) -> str:
    answers = {**ANSWERS, "stock_owner": {"owning_organisation_id": organisation_code},
               "managing_organisation": {"managing_organisation_id": organisation_code}}
    page.goto(base + "/records/")
    assert_accessible(page, context="records list")
    press(page, "button", re.compile("Create a new lettings log"))
    assert page.url.endswith("/records/new/lettings/2026/")  # nothing stored until the first answer is saved
    assert_accessible(page, context="task list")
    checked_kinds: set[str] = set()
    for _step in range(250):
        url = page.url
        if "/questions/" in url:
            key = page_key(url)
            assert key in answers, f"the form asked a page this test has no answer for: {key}"
            if "error" not in checked_kinds:
                # Once: submit the page empty to see the error state, and check it too.
                press(page, "button", "Save and continue")
                if page.locator(".govuk-error-summary").count():
                    assert_accessible(page, context=f"error state of {key}")
                    checked_kinds.add("error")
            fill(page, answers[key], javascript=javascript)
            if "question" not in checked_kinds or key.startswith("person_age"):
                assert_accessible(page, context=key)
                checked_kinds.add("question")
            press(page, "button", "Save and continue")
        elif "/confirm/" in url:
            if "soft" not in checked_kinds:
                assert_accessible(page, context="soft check")
                checked_kinds.add("soft")
            page.check("input[name='confirm'][value='yes']")
            press(page, "button", "Continue")
        elif "/check/" in url:
            if "check" not in checked_kinds:
                assert_accessible(page, context="check your answers")
                checked_kinds.add("check")
            press(page, "button", "Save and return to the task list")
        else:
            links = page.locator(".govuk-task-list__item--with-link")
            todo = [i for i in range(links.count()) if "Completed" not in links.nth(i).inner_text()]
            if not todo:
                break
            with page.expect_navigation():
                links.nth(todo[0]).locator("a").click()
    else:
        pytest.fail("the log was not completed in 250 steps")
    assert "This record is <strong>completed</strong>" in page.content()
    return page.url.split("/records/")[1].split("/")[0]  # the record its first saved answer created


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_whole_lettings_log_for_a_family_of_four(
    javascript: bool, live_server: Any, browser: Any, make_org: Any, make_user: Any
) -> None:
    organisation = make_org(provider_type="PRP")
    user = make_user(organisation, name="Olive Officer")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_url(live_server, None, "/sign-in/"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    public_id = complete_lettings_log(page, live_url(live_server, "core").rstrip("/"), organisation.code, javascript=javascript)
    context.close()

    from dcp_platform.records.models import Record
    from dcp_platform.tenancy.models import Collection

    connection.set_tenant(Collection.objects.get(schema_name="core"))
    record = Record.objects.get(public_id=public_id)
    assert record.status == "completed"
    answers, derived = record.answers, record.derived
    assert answers["needstype"] == 1 and answers["rent_type"] == 0 and answers["startdate"] == "2026-11-03"
    assert answers["la"] == "E08000003" and answers["postcode_full"] == "M1 1AE"
    assert answers["hhmemb"] == 4 and len(answers["persons"]) == 4
    assert [p["age"] for p in answers["persons"]] == [38, 40, 12, 19]
    assert answers["persons"][1]["relat"] == "P" and answers["persons"][2]["ecstat"] == 9
    assert answers["letting_allocation"] == ["cbl"] and answers["brent"] == "125.50"
    assert derived["totchild"] == 1
    assert derived["totadult"] == 3
    assert derived["renttype"] == 1  # Social Rent
    assert derived["wrent"] == "125.50" and derived["tcharge"] == "135.50"
    assert record.owning_organisation_id == organisation.pk and record.created_by_id == user.pk
    connection.set_schema_to_public()
