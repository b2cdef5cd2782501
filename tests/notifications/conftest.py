from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.fake_notify import API_KEY, FakeNotify, serve

NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def fake_notify(settings: Any) -> Iterator[FakeNotify]:
    """The notify adapter pointed at a fake Notify server on this machine."""
    with serve(FakeNotify()) as fake:
        settings.DCP_EMAIL_ADAPTER = "notify"
        settings.DCP_NOTIFY_API_KEY = API_KEY
        settings.DCP_NOTIFY_BASE_URL = fake.url
        settings.DCP_NOTIFY_TEMPLATE_ID = NOTIFY_TEMPLATE_ID
        settings.DCP_NOTIFY_TEMPLATES = {}
        yield fake
