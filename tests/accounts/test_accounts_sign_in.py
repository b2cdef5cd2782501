"""One sign-in: passwords, throttling, two-factor authentication, sign-out, idle expiry, audit, deploy check."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def sign_in(client: Any, email: str, password: str = TEST_PASSWORD, address: str = "10.0.0.1") -> Any:
    return client.post("/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=address)


def test_sign_in_with_email_and_password_is_audited(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    response = sign_in(client_for(None), user.email.upper())
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="sign_in", actor=user).exists()


def test_wrong_password_is_refused_and_audited(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    response = sign_in(client_for(None), user.email, "not-the-password-at-all")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert AuditEvent.objects.filter(action="sign_in_failed", details__email=user.email).exists()


def test_repeated_failures_lock_the_account_but_not_colleagues_on_the_same_address(
    client_for: Any, make_org: Any, make_user: Any
) -> None:
    org = make_org()
    victim, colleague = make_user(org), make_user(org)
    client = client_for(None)
    for _ in range(5):
        sign_in(client, victim.email, "wrong-password-again")
    locked = sign_in(client, victim.email)  # even the right password is refused for a while
    assert locked.status_code == 200 and "Too many failed attempts" in locked.content.decode()
    assert sign_in(client_for(None), colleague.email).status_code == 302  # same council address, other person


def test_the_address_limit_blocks_only_at_its_high_threshold(client_for: Any, make_org: Any, make_user: Any, settings: Any) -> None:
    settings.SIGN_IN_MAX_FAILURES_PER_ADDRESS = 8
    org = make_org()
    users = [make_user(org) for _ in range(3)]
    client = client_for(None)
    for user in users[:2]:
        for _ in range(4):
            sign_in(client, user.email, "wrong-password-again")
    assert "Too many failed attempts" in sign_in(client, users[2].email).content.decode()
    assert sign_in(client_for(None), users[2].email, address="10.9.9.9").status_code == 302


def test_password_rules_on_set_password(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    client = client_for(None)
    client.post("/password-reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/set-password/\S+/)", mail.outbox[0].body)
    assert link
    form_url = client.get(link.group(1)).url  # Django swaps the token for a session-held one
    for bad in ("short-pass1", "password1234"):
        response = client.post(form_url, {"new_password1": bad, "new_password2": bad})
        assert response.status_code == 200 and "govuk-error-message" in response.content.decode()
    good = "a-perfectly-long-new-password-77"
    response = client.post(form_url, {"new_password1": good, "new_password2": good})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(good)
    assert user.password.startswith(("argon2", "md5"))  # Argon2 in every environment but the test run


def test_argon2_is_the_password_hasher() -> None:
    from dcp_platform import settings as base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    minimum = next(v for v in base.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator"))
    assert minimum["OPTIONS"]["min_length"] == 12


def test_support_users_must_set_up_and_use_an_authenticator_app(client_for: Any, make_user: Any) -> None:
    support = make_user(None, role="support")
    client = client_for(None)
    response = sign_in(client, support.email)
    assert "/account/two-factor/" in response["Location"]
    # Until a second factor is verified, the support admin and everything else send them back there.
    assert "/account/two-factor/" in client.get("/support/")["Location"]
    setup = client.get("/account/two-factor/")
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=support, confirmed=False)
    assert client.post("/account/two-factor/", {"code": "000000"}).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # wrong codes slow down further guesses
    device.throttle_reset()
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/account/two-factor/", {"code": code}).status_code == 302
    assert client.get("/support/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_set_up", actor=support).exists()


def test_a_backup_code_works_once(client_for: Any, make_user: Any) -> None:
    support = make_user(None, role="support")
    device = StaticDevice.objects.create(user=support, name="backup")
    StaticToken.objects.create(device=device, token="98765432")  # noqa: S106
    client = client_for(None)
    sign_in(client, support.email)
    assert client.post("/account/two-factor/", {"code": "9876 5432"}).status_code == 302
    other = client_for(None)
    sign_in(other, support.email)
    assert other.post("/account/two-factor/", {"code": "98765432"}).status_code == 200  # used up


def test_any_user_may_turn_on_two_factor_and_is_then_asked_for_a_code(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    client = client_for(None, user)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/account/two-factor/", {"code": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    fresh = client_for(None)
    response = sign_in(fresh, user.email)
    assert "/account/two-factor/" in response["Location"]
    assert "/account/two-factor/" in fresh.get("/account/")["Location"]


def test_sign_out_is_post_only_and_ends_the_shared_session(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org(provider_type="LA"))
    client = client_for(None)
    sign_in(client, user.email)
    assert client.get("/sign-out/").status_code == 405
    # The same session cookie works on a collection's host: one sign-in.
    client.defaults["HTTP_HOST"] = "core.dcp.localhost"
    assert client.get("/records/").status_code == 200
    client.post("/sign-out/")
    assert client.get("/records/").status_code == 302
    client.defaults["HTTP_HOST"] = "hclic.dcp.localhost"
    assert client.get("/records/").status_code == 302


def test_idle_sessions_expire(client_for: Any, make_org: Any, make_user: Any, settings: Any) -> None:
    user = make_user(make_org())
    client = client_for(None)
    sign_in(client, user.email)
    assert client.get("/account/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/account/").status_code == 302
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 60 * 60


def test_deploy_check_is_clean_with_production_settings() -> None:
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, "DCP_ENV": "production", "DCP_SECRET_KEY": secrets.token_urlsafe(64),
           "DJANGO_SETTINGS_MODULE": "dcp_platform.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no issues" in result.stdout
