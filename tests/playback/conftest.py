"""A signed-in support user who has verified their second factor (as support must before anything else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import host_for


@pytest.fixture
def support_client(make_user: Callable[..., Any]) -> Callable[[str], Client]:
    def make(slug: str) -> Client:
        user = make_user(None, role="support")
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = Client(HTTP_HOST=host_for(slug))
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make
