"""A page that does not exist on the public site is a 404, not a server error."""

from __future__ import annotations

from typing import Any


def test_unknown_public_page_is_not_found(client_for: Any) -> None:
    response = client_for(None).get("/no-such-page/")
    assert response.status_code == 404


def test_unknown_collection_page_is_not_found(client_for: Any) -> None:
    response = client_for("hclic").get("/no-such-page/")
    assert response.status_code == 404
