from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import TEST_PASSWORD

BACKUP_CODE = "12345678"


def verified_support_client(client_for: Callable[..., Any], user: Any) -> Any:
    """A client signed in as the support user with their second factor verified (a backup code)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.create(token=BACKUP_CODE)
    client = client_for(None)
    client.post("/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    response = client.post("/account/two-factor/", {"code": BACKUP_CODE})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return client


@pytest.fixture
def support_user(make_user: Any) -> Any:
    return make_user(None, role="support", name="Sam Support")


@pytest.fixture
def support(client_for: Callable[..., Any], support_user: Any) -> Any:
    return verified_support_client(client_for, support_user)
