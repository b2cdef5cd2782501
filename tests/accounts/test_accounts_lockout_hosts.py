"""The sign-in lockout counts an account's failures on every host together."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from conftest import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def sign_in(client: Any, email: str, password: str, address: str) -> Any:
    return client.post("/sign-in/", {"email": email, "password": password}, REMOTE_ADDR=address)


def test_failures_on_one_collection_lock_the_account_on_every_host(
    client_for: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org())
    for _ in range(5):
        response = sign_in(client_for("core"), user.email, "wrong-password-again", "10.1.0.1")
        assert response.status_code == 200
    for slug, address in [("hclic", "10.1.0.2"), (None, "10.1.0.3"), ("core", "10.1.0.4")]:
        response = sign_in(client_for(slug), user.email, TEST_PASSWORD, address)
        assert response.status_code == 200, slug
        assert "Too many failed attempts for this account" in response.content.decode(), slug


def test_failures_spread_over_hosts_add_up(client_for: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    for slug in ["core", "hclic", None, "core", "hclic"]:
        sign_in(client_for(slug), user.email, "wrong-password-again", "10.2.0.1")
    response = sign_in(client_for(None), user.email, TEST_PASSWORD, "10.2.0.9")
    assert "Too many failed attempts for this account" in response.content.decode()


@pytest.mark.parametrize("slug", [None, "core"])
def test_a_locked_support_account_is_told_so_not_an_error(
    client_for: Any, make_org: Any, make_user: Any, slug: str | None
) -> None:
    user = make_user(make_org(), role="support")
    for _ in range(5):
        sign_in(client_for("hclic"), user.email, "wrong-password-again", "10.3.0.1")
    client = client_for(slug)
    for path in ["/sign-in/", "/sign-in/?next=/support/"]:
        response = sign_in(client, user.email, TEST_PASSWORD, "10.3.0.2") if path == "/sign-in/" else client.post(
            path, {"email": user.email, "password": TEST_PASSWORD}, REMOTE_ADDR="10.3.0.2"
        )
        assert response.status_code == 200
        assert "Too many failed attempts for this account" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_backend_asked_directly_about_a_locked_account_answers_no_user(make_org: Any, make_user: Any) -> None:
    """Any sign-in form built on Django's authenticate() (Wagtail's, the admin's) gets "no", never an error."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    user = make_user(make_org())
    request = RequestFactory().post("/", REMOTE_ADDR="10.4.0.1")
    for _ in range(5):
        assert authenticate(request, username=user.email, password="wrong-password-again") is None
    assert authenticate(request, username=user.email, password=TEST_PASSWORD) is None
