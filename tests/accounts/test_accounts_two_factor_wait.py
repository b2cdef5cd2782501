"""Issue 20 point 14: a right code entered during the pause after a wrong one is told to wait, and how long."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _clear_sign_in_counts() -> None:
    cache.clear()


def right_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"


def errors_of(response: Any) -> str:
    text = response.content.decode()
    return text[text.find('class="govuk-error-summary"'):text.find("</ul>", text.find('class="govuk-error-summary"'))]


def signed_in_with_a_device(client_for: Any, make_user: Any) -> tuple[Any, TOTPDevice]:
    user = make_user(None, role="support")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = client_for(None)
    client.post("/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    return client, device


def test_a_right_code_straight_after_a_wrong_one_is_told_to_wait_not_that_it_is_wrong(
    client_for: Any, make_user: Any
) -> None:
    client, device = signed_in_with_a_device(client_for, make_user)
    wrong = client.post("/account/two-factor/", {"code": wrong_code(device)})
    assert "The code is not correct" in errors_of(wrong)
    refused = client.post("/account/two-factor/", {"code": right_code(device)})
    assert refused.status_code == 200
    assert "Wait 1 second, then enter the code again" in errors_of(refused)
    assert "not correct" not in errors_of(refused)
    assert AuditEvent.objects.filter(action="two_factor_failed", actor=device.user).count() == 1  # only the wrong one
    # Once the pause is over the same code is checked, and accepted.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= timedelta(seconds=2)
    device.save()
    assert client.post("/account/two-factor/", {"code": right_code(device)}).status_code == 302


def test_the_wait_grows_with_each_wrong_code_and_says_how_long(client_for: Any, make_user: Any) -> None:
    client, device = signed_in_with_a_device(client_for, make_user)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=4)
    device.refresh_from_db()
    device.throttle_increment()  # a fifth wrong code just now: 16 seconds
    response = client.post("/account/two-factor/", {"code": right_code(device)})
    message = errors_of(response)
    assert "Wait 16 seconds" in message or "Wait 15 seconds" in message, message


def test_a_backup_code_device_tells_the_wait_too(client_for: Any, make_user: Any) -> None:
    user = make_user(None, role="support")
    device = StaticDevice.objects.create(user=user, name="backup")
    device.token_set.create(token="12345678")  # noqa: S106
    client = client_for(None)
    client.post("/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    assert "not correct" in errors_of(client.post("/account/two-factor/", {"code": "87654321"}))
    assert "Wait 1 second" in errors_of(client.post("/account/two-factor/", {"code": "12345678"}))


def test_setting_up_an_app_tells_the_wait_too(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    client = client_for(None, user)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "not correct" in errors_of(client.post("/account/two-factor/", {"code": wrong_code(device)}))
    assert "Wait 1 second" in errors_of(client.post("/account/two-factor/", {"code": right_code(device)}))
