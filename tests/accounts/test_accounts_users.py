"""Coordinators invite and manage their own organisation's users; nobody reaches another organisation's."""

from __future__ import annotations

import re
from typing import Any

from dcp_platform.accounts.models import AuditEvent, User
from django.core import mail


def test_coordinator_invites_a_user_who_sets_a_password_and_signs_in(client_for: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    client = client_for(None, coordinator)
    response = client.post("/users/invite/", {"name": "Nia New", "email": "nia.new@example.com", "role": "data_provider"})
    assert response.status_code == 302
    invited = User.objects.get(email="nia.new@example.com")
    assert invited.organisation == org and invited.role == "data_provider" and not invited.has_usable_password()
    assert AuditEvent.objects.filter(action="user_invited", actor=coordinator, target_id=str(invited.pk)).exists()
    link = re.search(r"https?://[^/\s]+(/set-password/\S+/)", mail.outbox[-1].body)
    assert link
    visitor = client_for(None)
    form_url = visitor.get(link.group(1)).url
    password = "nia-chooses-a-long-password"
    assert visitor.post(form_url, {"new_password1": password, "new_password2": password}).status_code == 302
    assert visitor.post("/sign-in/", {"email": "nia.new@example.com", "password": password}).status_code == 302


def test_invitation_errors_are_clear(client_for: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    taken = make_user(org)
    client = client_for(None, coordinator)
    response = client.post("/users/invite/", {"name": "", "email": "not-an-email", "role": ""})
    text = response.content.decode()
    assert "Enter the person&#x27;s name" in text and "correct format" in text and "Select a role" in text
    response = client.post("/users/invite/", {"name": "Dup", "email": taken.email, "role": "data_provider"})
    assert "already exists" in response.content.decode()


def test_coordinator_changes_a_role_and_deactivates_a_user(client_for: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    provider = make_user(org)
    client = client_for(None, coordinator)
    assert client.post(f"/users/{provider.pk}/", {"role": "data_coordinator"}).status_code == 302
    provider.refresh_from_db()
    assert provider.role == "data_coordinator"
    assert client.post(f"/users/{provider.pk}/", {"action": "deactivate"}).status_code == 302
    provider.refresh_from_db()
    assert not provider.is_active
    actions = set(AuditEvent.objects.filter(target_id=str(provider.pk)).values_list("action", flat=True))
    assert {"user_role_changed", "user_deactivated"} <= actions


def test_coordinator_cannot_see_or_change_another_organisations_users(client_for: Any, make_org: Any, make_user: Any) -> None:
    coordinator = make_user(make_org(), role="data_coordinator")
    stranger = make_user(make_org(), name="Stranger Danger")
    client = client_for(None, coordinator)
    assert "Stranger Danger" not in client.get("/users/").content.decode()
    assert client.get(f"/users/{stranger.pk}/").status_code == 404
    assert client.post(f"/users/{stranger.pk}/", {"role": "data_coordinator"}).status_code == 404
    assert client.post(f"/users/{stranger.pk}/", {"action": "deactivate"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active and stranger.role == "data_provider"


def test_coordinator_cannot_make_anyone_support(client_for: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    coordinator = make_user(org, role="data_coordinator")
    provider = make_user(org)
    client_for(None, coordinator).post(f"/users/{provider.pk}/", {"role": "support"})
    provider.refresh_from_db()
    assert provider.role == "data_provider"


def test_providers_cannot_manage_users(client_for: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    provider = make_user(org)
    colleague = make_user(org)
    client = client_for(None, provider)
    assert client.get("/users/").status_code == 404
    assert client.get("/users/invite/").status_code == 404
    assert client.post(f"/users/{colleague.pk}/", {"action": "deactivate"}).status_code == 404


def test_user_of_one_organisation_cannot_see_anothers_records(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    alice = make_user(make_org(name="Org A"))
    bob = make_user(make_org(name="Org B"))
    client_a = client_for("core", alice)
    response = client_a.post("/records/new/lettings/2026/questions/tenant_code/", {"tenancycode": "SECRET-A1"})
    record_path = "/records/" + response["Location"].split("/records/")[1].split("/")[0] + "/"
    client_b = client_for("core", bob)
    assert client_b.get(record_path).status_code == 404
    assert "SECRET-A1" not in client_b.get("/records/?q=secret").content.decode()
    assert "SECRET-A1" in client_a.get("/records/?q=secret").content.decode()


def test_support_admin_changes_are_audited(client_for: Any, make_org: Any, make_user: Any) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    support = make_user(None, role="support")
    device = StaticDevice.objects.create(user=support, name="backup")
    StaticToken.objects.create(device=device, token="12345678")  # noqa: S106
    client = client_for(None)
    client.post("/sign-in/", {"email": support.email, "password": "a-long-test-password-2026"})
    client.post("/account/two-factor/", {"code": "12345678"})
    org = make_org(name="Renamed Later")
    response = client.post(f"/support/organisations/{org.pk}/edit/", {
        "name": "Renamed Now", "code": org.code, "provider_type": "PRP", "holds_own_stock": "on", "active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="organisation_changed", actor=support, target_id=str(org.pk)).exists()


def test_coordinator_sends_an_invitation_again_to_someone_of_their_organisation(
    client_for: Any, make_org: Any, make_user: Any
) -> None:
    from dcp_platform.accounts.models import User
    from django.core import mail

    organisation = make_org()
    coordinator = make_user(organisation, role="data_coordinator")
    waiting = User.objects.create_user("still.waiting@example.com", None, name="Still Waiting", organisation=organisation)
    client = client_for(None, coordinator)
    assert "Send the invitation again" in client.get(f"/users/{waiting.pk}/").content.decode()
    response = client.post(f"/users/{waiting.pk}/", {"action": "resend"}, follow=True)
    assert "We have sent the invitation to still.waiting@example.com again." in response.content.decode()
    assert mail.outbox[-1].to == ["still.waiting@example.com"]
    assert AuditEvent.objects.filter(action="invitation_resent", actor=coordinator).exists()
    other = User.objects.create_user("elsewhere@example.com", None, name="Elsewhere", organisation=make_org())
    assert client.post(f"/users/{other.pk}/", {"action": "resend"}).status_code == 404
