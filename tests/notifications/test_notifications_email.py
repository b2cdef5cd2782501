"""The email adapter: template files with Notify-style placeholders, Django's backend, and GOV.UK Notify's API."""

from __future__ import annotations

import base64
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.email_adapter import (
    EmailNotSent,
    EmailTemplateError,
    fill_placeholders,
    notify_token,
    render_email,
    send_email,
)
from dcp_platform.notifications.checks import email_adapter_configured
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from tests.notifications.conftest import NOTIFY_TEMPLATE_ID
from tests.notifications.fake_notify import API_KEY, SECRET, SERVICE_ID, FakeNotify

INVITATION = {"name": "Ivy", "inviter": "Colin", "organisation": "Harbour Homes", "link": "https://dcp.example/set/1/"}


def test_a_template_file_gives_the_subject_and_the_body_with_its_placeholders_filled() -> None:
    email = render_email(template="invitation", context=INVITATION)
    assert email.subject == "You have been invited to send data to government"
    assert email.body.startswith("Hello Ivy,\n\nColin has invited you to Harbour Homes.")
    assert "https://dcp.example/set/1/" in email.body and "((" not in email.body


def test_conditional_text_and_lists_are_written_as_notify_writes_them() -> None:
    text = "((late??You are late. ))Items:\n((items))"
    assert fill_placeholders(text, {"late": True, "items": ["one", "two"]}) == "You are late. Items:\n* one\n* two"
    assert fill_placeholders(text, {"late": False, "items": []}) == "Items:\n"


def test_a_missing_value_is_an_error_naming_it() -> None:
    with pytest.raises(EmailTemplateError, match="Missing personalisation: inviter, link"):
        render_email(template="invitation", context={"name": "Ivy", "organisation": "Harbour Homes"})


def test_an_unknown_template_is_an_error() -> None:
    with pytest.raises(EmailTemplateError, match="no email template 'nothing_like_this'"):
        send_email(to="a@example.com", template="nothing_like_this", context={})
    with pytest.raises(EmailTemplateError):
        send_email(to="a@example.com", template="../settings", context={})


@given(st.text(), st.text())
def test_a_value_is_written_as_it_is_never_read_as_a_placeholder(name: str, other: str) -> None:
    assert fill_placeholders("((a))|((b))", {"a": name, "b": other}) == f"{name}|{other}"


def test_the_files_adapter_hands_the_email_to_djangos_backend(settings: Any) -> None:
    settings.DCP_EMAIL_ADAPTER = "files"
    send_email(to="ivy@example.com", template="invitation", context=INVITATION)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ivy@example.com"] and mail.outbox[0].subject.startswith("You have been invited")


def test_the_files_adapter_writes_a_file_in_development(settings: Any, tmp_path: Path) -> None:
    settings.DCP_EMAIL_ADAPTER = "files"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send_email(to="ivy@example.com", template="invitation", context=INVITATION)
    [written] = list(tmp_path.iterdir())
    assert "Colin has invited you to Harbour Homes." in written.read_text()


def _claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def test_the_notify_token_is_issued_by_the_service_and_signed_with_the_secret() -> None:
    token = notify_token(API_KEY, now=1_700_000_000)
    assert _claims(token) == {"iss": SERVICE_ID, "iat": 1_700_000_000}
    fake = FakeNotify()
    assert fake.check_token(f"Bearer {token}") == "Error: Your system clock must be accurate to within 30 seconds"
    assert fake.check_token(f"Bearer {notify_token(API_KEY)}") is None
    forged = notify_token(API_KEY.replace(SECRET, "0" * 36))
    assert "signature" in (fake.check_token(f"Bearer {forged}") or "")


def test_the_notify_adapter_sends_the_rendered_email_through_the_general_template(fake_notify: FakeNotify) -> None:
    send_email(to="ivy@example.com", template="invitation", context=INVITATION)
    [sent] = fake_notify.received
    assert sent["email_address"] == "ivy@example.com" and sent["template_id"] == NOTIFY_TEMPLATE_ID
    assert sent["reference"] == "invitation"
    assert sent["personalisation"]["subject"] == "You have been invited to send data to government"
    assert "Colin has invited you to Harbour Homes." in sent["personalisation"]["body"]
    assert not mail.outbox


def test_a_template_kept_in_notify_gets_the_values_themselves(fake_notify: FakeNotify, settings: Any) -> None:
    settings.DCP_NOTIFY_TEMPLATES = {"invitation": "0b1e4bd4-38b6-4c6b-9f2e-31f1e6e0e3c2"}
    send_email(to="ivy@example.com", template="invitation", context=INVITATION)
    [sent] = fake_notify.received
    assert sent["template_id"] == "0b1e4bd4-38b6-4c6b-9f2e-31f1e6e0e3c2" and sent["personalisation"] == INVITATION


def test_a_refusal_by_notify_is_reported_with_its_message(fake_notify: FakeNotify) -> None:
    fake_notify.answers.append((400, {"status_code": 400, "errors": [
        {"error": "BadRequestError", "message": "Can't send to this recipient using a team-only API key"}]}))
    with pytest.raises(EmailNotSent, match=r"\(400\): BadRequestError: Can't send to this recipient"):
        send_email(to="ivy@example.com", template="invitation", context=INVITATION)


def test_a_wrong_key_is_refused_by_notify(fake_notify: FakeNotify, settings: Any) -> None:
    settings.DCP_NOTIFY_API_KEY = API_KEY.replace(SECRET, "9" * 8 + SECRET[8:])
    with pytest.raises(EmailNotSent, match=r"\(403\): AuthError: Invalid token: signature"):
        send_email(to="ivy@example.com", template="invitation", context=INVITATION)
    assert not fake_notify.received


def test_notify_out_of_reach_is_reported(settings: Any) -> None:
    with socket.socket() as closed:  # a port nobody listens on: bound, never listening
        closed.bind(("127.0.0.1", 0))
        settings.DCP_EMAIL_ADAPTER = "notify"
        settings.DCP_NOTIFY_API_KEY = API_KEY
        settings.DCP_NOTIFY_TEMPLATE_ID = NOTIFY_TEMPLATE_ID
        settings.DCP_NOTIFY_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"
        with pytest.raises(EmailNotSent, match="could not be reached"):
            send_email(to="ivy@example.com", template="invitation", context=INVITATION)


def test_a_malformed_notify_key_is_a_configuration_error(fake_notify: FakeNotify, settings: Any) -> None:
    settings.DCP_NOTIFY_API_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="not a GOV.UK Notify API key"):
        send_email(to="ivy@example.com", template="invitation", context=INVITATION)


def test_the_start_up_check_wants_notifys_key_and_template(settings: Any) -> None:
    settings.DCP_EMAIL_ADAPTER = "notify"
    settings.DCP_NOTIFY_API_KEY = ""
    settings.DCP_NOTIFY_TEMPLATE_ID = ""
    [error] = email_adapter_configured()
    assert error.id == "notifications.E002" and "DCP_NOTIFY_API_KEY" in error.msg
    settings.DCP_EMAIL_ADAPTER = "carrier-pigeon"
    assert email_adapter_configured()[0].id == "notifications.E001"
    settings.DCP_EMAIL_ADAPTER = "files"
    assert email_adapter_configured() == []


def test_invitations_and_password_resets_go_through_notify_when_it_is_chosen(
    fake_notify: FakeNotify, client_for: Any, make_org: Any, make_user: Any
) -> None:
    coordinator = make_user(make_org(), role="data_coordinator", name="Colin Coordinator")
    client = client_for(None, coordinator)
    response = client.post("/users/invite/", {"name": "Ivy Invitee", "email": "ivy.notify@example.com",
                                              "role": "data_provider"})
    assert response.status_code == 302
    invitation = fake_notify.received[-1]
    assert invitation["email_address"] == "ivy.notify@example.com"
    assert re.search(r"https?://\S+/set-password/\S+/", invitation["personalisation"]["body"])
    client_for(None).post("/password-reset/", {"email": coordinator.email})
    reset = fake_notify.received[-1]
    assert reset["reference"] == "password_reset" and reset["personalisation"]["subject"] == "Reset your password"
    assert re.search(r"http://\S+/set-password/\S+/", reset["personalisation"]["body"])
    assert not mail.outbox
