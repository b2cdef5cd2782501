"""Start pages seeded before the words stopped asking signed-in people to sign in get the new words when the
collection is set up again; what content designers changed is kept (issue 20, point 7)."""

from __future__ import annotations

from typing import Any

from dcp_platform.cms.blocks import StartPageBlocks
from dcp_platform.cms.models import StartPage
from dcp_platform.cms.seed import record_word, web_form_how_to_start
from dcp_platform.cms.setup import (
    OLD_START_PAGE_BODY,
    START_PAGE_BODY,
    ensure_editors_group,
    ensure_support_group,
    ensure_wagtail_site,
)
from dcp_platform.registry import get_plugin


def _set_up_again() -> StartPage:
    ensure_wagtail_site(get_plugin("core"), host="core.example", editors=ensure_editors_group("core"),
                        support=ensure_support_group())
    return StartPage.objects.get()


def _as_seeded_before(start: StartPage, *, body: str = OLD_START_PAGE_BODY) -> None:
    """The start page as an earlier version of the platform seeded it."""
    old_how = web_form_how_to_start(record_word(get_plugin("core")), words_before=True)
    raw = [dict(block) for block in start.channels.raw_data]
    for block in raw:
        if block["type"] == "channel" and block["value"]["heading"] == "Web form":
            block["value"] = {**block["value"], "how_to_start": old_how}
    start.body = body
    start.channels = StartPageBlocks().to_python(raw)
    start.save_revision().publish()


def test_old_seeded_words_are_replaced_and_a_signed_in_person_is_not_asked_to_sign_in(
    core: Any, client_for: Any, make_org: Any, make_user: Any
) -> None:
    _as_seeded_before(StartPage.objects.get())
    client = client_for("core", make_user(make_org()))
    before = client.get("/").content.decode().split('id="main-content"', 1)[1]
    assert "Sign in to add records" in before and "Sign in and go to your records" in before

    start = _set_up_again()
    assert start.body == START_PAGE_BODY
    main = client.get("/").content.decode().split('id="main-content"', 1)[1]
    assert "sign in" not in main.lower(), main
    assert "Go to your records, then start a new" in main
    # Run again: nothing more to change, no new revision.
    revisions = start.revisions.count()
    assert _set_up_again().revisions.count() == revisions


def test_words_a_content_designer_changed_are_kept(core: Any) -> None:
    start = StartPage.objects.get()
    _as_seeded_before(start, body="<p>Sign in to add records for our area.</p>")
    start = _set_up_again()
    assert start.body == "<p>Sign in to add records for our area.</p>"
    # The channel words were still the platform's own: those are updated.
    assert "Sign in and go" not in str(start.channels.raw_data)
