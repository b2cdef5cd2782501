"""The support pages change organisations, relationships, participation, users, invitations, collections and
analysts through the services, every change audited; the audit trail can be filtered."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from dcp_platform.accounts.models import AuditEvent, Organisation, OrganisationRelationship, User
from dcp_platform.tenancy.models import Collection, CollectionAnalyst, Participation
from django.core import mail
from django.utils import timezone


def audited(action: str, **fields: Any) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, **fields).latest("at")


def text(response: Any) -> str:
    return str(response.content.decode())


# Organisations -------------------------------------------------------------------------------------------------


def test_support_adds_an_organisation_with_a_parent(support: Any, support_user: Any, make_org: Any) -> None:
    group = make_org("Northern Housing Group")
    response = support.post("/support/organisations/new/", {
        "name": "Northern Homes East", "code": "NHE-01", "provider_type": "PRP", "parent": str(group.pk),
        "holds_own_stock": "on"})
    created = Organisation.objects.get(code="NHE-01")
    assert response.status_code == 302 and response["Location"] == f"/support/organisations/{created.pk}/"
    assert created.parent == group and created.holds_own_stock and created.active
    event = audited("organisation_created", actor=support_user, target_id=str(created.pk))
    assert event.details == {"code": "NHE-01", "provider_type": "PRP", "parent": group.code}


def test_adding_an_organisation_shows_errors_on_the_fields(support: Any, make_org: Any) -> None:
    taken = make_org()
    response = support.post("/support/organisations/new/", {"name": "", "code": taken.code, "provider_type": ""})
    page = text(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the organisation&#x27;s name" in page and "Select the type of organisation" in page
    response = support.post("/support/organisations/new/", {"name": "Copy", "code": taken.code.lower(),
                                                          "provider_type": "PRP"})
    assert f"An organisation with the code {taken.code.lower()} already exists" in text(response)  # any case
    assert "must only include letters" in text(support.post("/support/organisations/new/", {
        "name": "Odd", "code": "A B!", "provider_type": "LA"}))


def test_support_changes_an_organisation_and_the_audit_says_from_and_to(
    support: Any, support_user: Any, make_org: Any
) -> None:
    organisation = make_org("Old Name Homes")
    response = support.post(f"/support/organisations/{organisation.pk}/edit/", {
        "name": "New Name Homes", "code": organisation.code, "provider_type": "PRP", "parent": "", "active": "on"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "New Name Homes" and not organisation.holds_own_stock
    event = audited("organisation_changed", actor=support_user, target_id=str(organisation.pk))
    assert event.details["fields"] == ["holds_own_stock", "name"]
    assert event.details["from"]["name"] == "Old Name Homes" and event.details["to"]["name"] == "New Name Homes"


def test_an_organisation_cannot_be_placed_under_itself_or_its_own_child(support: Any, make_org: Any) -> None:
    parent = make_org()
    child = make_org(parent=parent)
    response = support.post(f"/support/organisations/{parent.pk}/edit/", {
        "name": parent.name, "code": parent.code, "provider_type": "PRP", "parent": str(child.pk), "active": "on"})
    assert "is " in text(response) and "one of its own organisations" in text(response)
    parent.refresh_from_db()
    assert parent.parent is None


def test_support_links_a_managing_agent_and_removes_the_link(support: Any, support_user: Any, make_org: Any) -> None:
    owner, agent = make_org("Stock Owner Homes"), make_org("Agent Lettings")
    response = support.post(f"/support/organisations/{owner.pk}/relationships/agent/", {"agent-organisation": agent.pk})
    assert response.status_code == 302
    link = OrganisationRelationship.objects.get(stock_owner=owner, managing_agent=agent)
    assert audited("relationship_added", actor=support_user).details == {
        "stock_owner": owner.code, "managing_agent": agent.code}
    page = text(support.get(f"/support/organisations/{agent.pk}/"))
    assert "Stock Owner Homes" in page  # the agent's page lists the owners it manages for
    confirm = support.get(f"/support/organisations/{agent.pk}/relationships/{link.pk}/remove/")
    assert "Stop Agent Lettings managing lettings for Stock Owner Homes?" in text(confirm)
    assert OrganisationRelationship.objects.filter(pk=link.pk).exists()  # asking changes nothing
    support.post(f"/support/organisations/{agent.pk}/relationships/{link.pk}/remove/")
    assert not OrganisationRelationship.objects.filter(pk=link.pk).exists()
    assert audited("relationship_removed", actor=support_user).details["managing_agent"] == agent.code


def test_a_stock_owner_is_added_from_the_agents_page_and_errors_are_shown(support: Any, make_org: Any) -> None:
    owner, agent = make_org(), make_org()
    support.post(f"/support/organisations/{agent.pk}/relationships/owner/", {"owner-organisation": owner.pk})
    assert OrganisationRelationship.objects.filter(stock_owner=owner, managing_agent=agent).exists()
    response = support.post(f"/support/organisations/{agent.pk}/relationships/owner/", {"owner-organisation": ""})
    assert response.status_code == 400 and "There is a problem" in text(response)
    assert 'href="#id_owner-organisation"' in text(response)


def test_support_chooses_the_collections_an_organisation_takes_part_in(
    support: Any, support_user: Any, make_org: Any
) -> None:
    housing_association = make_org(collections=())
    support.post(f"/support/organisations/{housing_association.pk}/collections/", {"collection-collection": "core"})
    assert Participation.objects.filter(organisation=housing_association, collection__slug="core").exists()
    assert audited("participation_added", actor=support_user).details == {"collection": "core"}
    refused = support.post(f"/support/organisations/{housing_association.pk}/collections/",
                           {"collection-collection": "hclic"})
    assert refused.status_code == 400 and "only takes organisations of type" in text(refused)
    support.post(f"/support/organisations/{housing_association.pk}/collections/core/remove/")
    assert not Participation.objects.filter(organisation=housing_association).exists()
    assert audited("participation_removed", actor=support_user).details == {"collection": "core"}


# Users and invitations -----------------------------------------------------------------------------------------


def test_support_invites_a_user_to_an_organisation(support: Any, support_user: Any, make_org: Any) -> None:
    organisation = make_org("Invite Homes")
    response = support.post("/support/users/new/", {
        "name": "Ina Invited", "email": "Ina.Invited@Example.com", "role": "data_coordinator",
        "organisation": str(organisation.pk)})
    invited = User.objects.get(email="ina.invited@example.com")
    assert response.status_code == 302 and invited.organisation == organisation and invited.is_coordinator
    assert mail.outbox[-1].to == ["ina.invited@example.com"] and "Invite Homes" in mail.outbox[-1].body
    assert audited("user_invited", actor=support_user, target_id=str(invited.pk)).details == {"role": "data_coordinator"}


def test_inviting_shows_errors_and_needs_an_organisation_unless_support(support: Any, make_user: Any) -> None:
    existing = make_user(None)
    page = text(support.post("/support/users/new/", {"name": "", "email": "not an email", "role": ""}))
    assert "Enter the person&#x27;s name" in page and "correct format" in page and "Select a role" in page
    page = text(support.post("/support/users/new/", {"name": "No Org", "email": "no.org@example.com",
                                                    "role": "data_provider", "organisation": ""}))
    assert "Choose the organisation the person works for" in page
    page = text(support.post("/support/users/new/", {"name": "Again", "email": existing.email, "role": "support"}))
    assert "A user with this email address already exists" in page
    support.post("/support/users/new/", {"name": "New Support", "email": "new.support@example.com", "role": "support"})
    assert User.objects.get(email="new.support@example.com").is_support


def test_support_changes_a_users_role_and_organisation(support: Any, support_user: Any, make_org: Any,
                                                       make_user: Any) -> None:
    first, second = make_org(), make_org()
    person = make_user(first, name="Moving Person")
    response = support.post(f"/support/users/{person.pk}/", {
        "name": "Moving Person", "email": person.email, "role": "data_coordinator", "organisation": str(second.pk)})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.organisation == second and person.is_coordinator
    event = audited("user_changed", actor=support_user, target_id=str(person.pk))
    assert event.details["fields"] == ["organisation", "role"]
    assert event.details["from"]["organisation"] == first.code and event.details["to"]["role"] == "data_coordinator"


def test_support_cannot_change_their_own_role(support: Any, support_user: Any) -> None:
    response = support.post(f"/support/users/{support_user.pk}/", {
        "name": support_user.name, "email": support_user.email, "role": "data_provider", "organisation": ""})
    assert "You cannot change your own role" in text(response)
    support_user.refresh_from_db()
    assert support_user.is_support


def test_support_deactivates_after_confirming_and_reactivates(support: Any, support_user: Any, make_org: Any,
                                                              make_user: Any) -> None:
    person = make_user(make_org())
    confirm = support.get(f"/support/users/{person.pk}/deactivate/")
    assert "They will no longer be able to sign in" in text(confirm)
    person.refresh_from_db()
    assert person.is_active
    support.post(f"/support/users/{person.pk}/deactivate/")
    person.refresh_from_db()
    assert not person.is_active and audited("user_deactivated", actor=support_user, target_id=str(person.pk))
    support.post(f"/support/users/{person.pk}/reactivate/")
    person.refresh_from_db()
    assert person.is_active and audited("user_reactivated", actor=support_user, target_id=str(person.pk))
    assert support.get(f"/support/users/{support_user.pk}/deactivate/").status_code == 200
    support.post(f"/support/users/{support_user.pk}/deactivate/")
    support_user.refresh_from_db()
    assert support_user.is_active  # nobody deactivates themselves


def test_the_invitations_page_lists_who_has_not_set_a_password_and_resends(
    support: Any, support_user: Any, make_org: Any, make_user: Any
) -> None:
    organisation = make_org()
    waiting = User.objects.create_user("waiting.person@example.com", None, name="Waiting Person",
                                       organisation=organisation)
    make_user(organisation, name="Signed Up Person")
    page = text(support.get("/support/invitations/"))
    assert "Waiting Person" in page and "Signed Up Person" not in page
    response = support.post(f"/support/users/{waiting.pk}/invitation/", {"back": "invitations"}, follow=True)
    assert "We have sent the invitation to waiting.person@example.com again." in text(response)
    assert mail.outbox[-1].to == ["waiting.person@example.com"]
    assert re.search(r"https?://\S+/set-password/\S+/", mail.outbox[-1].body)
    assert audited("invitation_resent", actor=support_user, target_id=str(waiting.pk))


def test_an_invitation_is_not_resent_to_someone_who_has_a_password(support: Any, make_org: Any, make_user: Any) -> None:
    person = make_user(make_org())
    response = support.post(f"/support/users/{person.pk}/invitation/", follow=True)
    assert "has already set a password" in text(response) and not mail.outbox


# Collections and analysts --------------------------------------------------------------------------------------


def test_support_assigns_and_removes_an_analyst_of_a_collection(
    support: Any, support_user: Any, make_org: Any, make_user: Any
) -> None:
    analyst = make_user(make_org(provider_type="OTHER", collections=()), name="Anna Analyst")
    response = support.post("/support/collections/core/", {"analyst-email": analyst.email.upper()})
    assert response.status_code == 302
    assert CollectionAnalyst.objects.filter(user=analyst, collection__slug="core").exists()
    assert audited("analyst_assigned", actor=support_user, target_id=str(analyst.pk)).details == {"collection": "core"}
    assert "Anna Analyst" in text(support.get("/support/collections/core/"))
    assert "CORE" in text(support.get(f"/support/users/{analyst.pk}/"))
    support.post(f"/support/collections/core/analysts/{analyst.pk}/remove/")
    assert not CollectionAnalyst.objects.filter(user=analyst).exists()


def test_assigning_an_analyst_explains_what_is_wrong(support: Any, make_org: Any, make_user: Any) -> None:
    page = text(support.post("/support/collections/core/", {"analyst-email": "nobody.here@example.com"}))
    assert "There is no user with this email address" in page and 'href="#id_analyst-email"' in page
    provider = make_user(make_org(collections=("core",)))
    page = text(support.post("/support/collections/core/", {"analyst-email": provider.email}))
    assert "analysts must not be from an organisation that takes part" in page


def test_support_changes_a_collections_settings(support: Any, support_user: Any) -> None:
    collection = Collection.objects.get(slug="hclic")
    title = collection.title
    try:
        response = support.post("/support/collections/hclic/", {
            "settings-title": "Homelessness case records", "settings-service_name": "Send homelessness data",
            "settings-theme": "departmental"})
        assert response.status_code == 302
        collection.refresh_from_db()
        assert (collection.title, collection.service_name, collection.theme) == (
            "Homelessness case records", "Send homelessness data", "departmental")
        assert audited("collection_changed", actor=support_user).details["fields"] == ["service_name", "theme", "title"]
        refused = support.post("/support/collections/hclic/", {"settings-title": "", "settings-theme": "nope"})
        assert refused.status_code == 400 and "Enter the collection&#x27;s title" in text(refused)
    finally:
        Collection.objects.filter(pk=collection.pk).update(title=title, service_name="", theme="")


def test_an_organisation_is_added_to_a_collection_from_its_page(support: Any, make_org: Any) -> None:
    council = make_org(provider_type="LA", collections=())
    support.post("/support/collections/hclic/", {"organisation-organisation": str(council.pk)})
    assert Participation.objects.filter(organisation=council, collection__slug="hclic").exists()
    support.post(f"/support/collections/hclic/organisations/{council.pk}/remove/")
    assert not Participation.objects.filter(organisation=council).exists()


# Audit trail ---------------------------------------------------------------------------------------------------


def test_the_audit_trail_is_filtered_by_what_who_whom_and_when(
    support: Any, support_user: Any, make_org: Any, make_user: Any
) -> None:
    organisation = make_org("Filtered Homes")
    support.post(f"/support/organisations/{organisation.pk}/edit/", {
        "name": "Filtered Homes Renamed", "code": organisation.code, "provider_type": "PRP", "active": "on"})
    old = AuditEvent.objects.create(action="organisation_changed", target_label="Long Ago Homes",
                                    at=timezone.now() - timedelta(days=400))
    page = text(support.get("/support/audit/", {"action": "organisation_changed", "actor": support_user.email[:8]}))
    assert "Filtered Homes Renamed" in page and "Long Ago Homes" not in page
    page = text(support.get("/support/audit/", {"target": "long ago"}))
    assert "Long Ago Homes" in page and "Filtered Homes" not in page
    day = old.at.astimezone(timezone.get_current_timezone())
    page = text(support.get("/support/audit/", {"to_day": day.day, "to_month": day.month, "to_year": day.year}))
    assert "Long Ago Homes" in page and "Filtered Homes" not in page


def test_impossible_audit_dates_are_errors(support: Any) -> None:
    page = text(support.get("/support/audit/", {"from_day": "31", "from_month": "2", "from_year": "2026"}))
    assert "The start date must be a real date" in page and 'href="#id_from_day"' in page
    page = text(support.get("/support/audit/", {"to_day": "3", "to_year": "2026"}))
    assert "The end date must include a day, month and year" in page
    page = text(support.get("/support/audit/", {"from_day": "2", "from_month": "1", "from_year": "2026",
                                               "to_day": "1", "to_month": "1", "to_year": "2026"}))
    assert "The end date must be the same as or after the start date" in page
