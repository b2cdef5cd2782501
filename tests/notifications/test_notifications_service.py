"""notification_send and the notifications and preferences pages (every host, the person's own only)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from dcp_platform.notifications import kinds
from dcp_platform.notifications.models import Notification, NotificationPreference
from dcp_platform.notifications.selectors import email_preferences, unread_count, wants_email
from dcp_platform.notifications.services import email_preferences_set, notification_send
from django.core import mail

from tests.notifications.fake_notify import FakeNotify


@pytest.fixture
def person(make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(), name="Nina Notified")


def send(user: Any, **extra: Any) -> Notification | None:
    fields = {"kind": kinds.UPLOAD_PROCESSED, "title": "Your upload has been processed",
              "body": "120 rows checked: 118 ready, 2 to fix.", "link": "http://core.dcp.localhost/uploads/1/",
              "collection_slug": "core", **extra}
    return notification_send(user=user, **fields)


def test_a_notification_is_stored_and_emailed_with_its_link(person: Any) -> None:
    notification = send(person)
    assert notification is not None and notification.pk and notification.emailed_at is not None
    assert notification.collection_slug == "core" and notification.read_at is None
    [email] = mail.outbox
    assert email.to == [person.email] and email.subject == "Your upload has been processed"
    assert "118 ready" in email.body and "http://core.dcp.localhost/uploads/1/" in email.body
    assert "/notifications/preferences/" in email.body


def test_a_kind_turned_off_is_listed_but_not_emailed(person: Any) -> None:
    email_preferences_set(user=person, emailed_kinds={kinds.QUERY_RAISED})
    assert not wants_email(user=person, kind=kinds.UPLOAD_PROCESSED)
    notification = send(person)
    assert notification is not None and notification.emailed_at is None and not mail.outbox
    send(person, kind=kinds.QUERY_RAISED, title="A query about record 12")
    assert [m.subject for m in mail.outbox] == ["A query about record 12"]


def test_every_kind_is_emailed_until_the_person_says_otherwise(person: Any) -> None:
    assert all(on for _kind, on in email_preferences(user=person))
    assert [kind.slug for kind, _on in email_preferences(user=person)] == list(kinds.KINDS)
    for required in ("upload_processed", "query_raised", "query_answered", "download_ready", "invitation",
                     "reminder_digest", "deadline_reminder", "return_reopened"):
        assert kinds.get_kind(required).label


def test_a_repeated_dedupe_key_sends_nothing(person: Any) -> None:
    key = f"reminder_digest:{person.pk}:2026-05"
    first = send(person, kind=kinds.REMINDER_DIGEST, title="Your returns in May", dedupe_key=key)
    again = send(person, kind=kinds.REMINDER_DIGEST, title="Your returns in May", dedupe_key=key)
    assert first is not None and again is None
    assert Notification.objects.filter(dedupe_key=key).count() == 1 and len(mail.outbox) == 1
    assert send(person, dedupe_key=None) is not None and send(person, dedupe_key="") is not None


def test_an_unknown_kind_is_refused_and_nothing_is_stored(person: Any) -> None:
    with pytest.raises(LookupError, match="not a kind of notification"):
        send(person, kind="gossip")
    assert not Notification.objects.filter(user=person).exists()
    with pytest.raises(LookupError):
        email_preferences_set(user=person, emailed_kinds={"gossip"})


def test_nobody_who_cannot_sign_in_is_notified(make_user: Any) -> None:
    assert send(make_user(None, is_active=False)) is None and not mail.outbox


def test_an_email_that_cannot_be_sent_leaves_the_notification_on_the_page(person: Any, settings: Any) -> None:
    from tests.notifications.conftest import NOTIFY_TEMPLATE_ID
    from tests.notifications.fake_notify import API_KEY

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.DCP_EMAIL_ADAPTER, settings.DCP_NOTIFY_API_KEY = "notify", API_KEY
        settings.DCP_NOTIFY_TEMPLATE_ID = NOTIFY_TEMPLATE_ID
        settings.DCP_NOTIFY_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"
        notification = send(person)
    assert notification is not None and notification.emailed_at is None
    assert Notification.objects.filter(pk=notification.pk).exists()


def test_a_notification_goes_through_notify_when_it_is_chosen(person: Any, fake_notify: FakeNotify) -> None:
    send(person)
    [sent] = fake_notify.received
    assert sent["email_address"] == person.email and sent["personalisation"]["subject"].startswith("Your upload")


@pytest.mark.parametrize("slug", [None, "core"])
def test_the_notifications_page_lists_the_persons_own_and_counts_unread_in_the_header(
    person: Any, make_user: Any, client_for: Any, slug: str | None
) -> None:
    mine = send(person, title="Mine to read")
    send(make_user(None), title="Someone else's")
    page = client_for(slug, person).get("/notifications/").content.decode()
    assert "Mine to read" in page and "Someone else" not in page
    assert "You have 1 unread notification." in page
    assert '1<span class="govuk-visually-hidden"> unread</span>' in page
    assert mine is not None and f"/notifications/{mine.pk}/read/" in page


def test_marking_read_changes_only_the_persons_own(person: Any, make_user: Any, client_for: Any) -> None:
    mine, other = send(person), send(make_user(None))
    assert mine is not None and other is not None
    client = client_for(None, person)
    response = client.post(f"/notifications/{other.pk}/read/")
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.read_at is None
    response = client.post(f"/notifications/{mine.pk}/read/", follow=True)
    mine.refresh_from_db()
    assert mine.read_at is not None and "marked as read" in response.content.decode()
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405  # reading never changes anything


def test_mark_all_as_read(person: Any, client_for: Any) -> None:
    for _ in range(3):
        send(person)
    response = client_for(None, person).post("/notifications/read/", follow=True)
    assert "3 notifications are marked as read." in response.content.decode()
    assert unread_count(user=person) == 0


def test_the_list_is_paged(person: Any, client_for: Any) -> None:
    for number in range(25):
        send(person, title=f"Upload number {number:02d}")
    client = client_for(None, person)
    first = client.get("/notifications/").content.decode()
    assert "Upload number 24" in first and "Upload number 04" not in first and "?page=2" in first
    assert "Upload number 04" in client.get("/notifications/?page=2").content.decode()


def test_the_preferences_page_saves_which_kinds_come_by_email(person: Any, client_for: Any) -> None:
    client = client_for(None, person)
    page = client.get("/notifications/preferences/").content.decode()
    assert page.count('type="checkbox"') == len(kinds.KINDS) and page.count(" checked") == len(kinds.KINDS)
    response = client.post("/notifications/preferences/", {"emailed": [kinds.QUERY_RAISED, kinds.DOWNLOAD_READY]},
                           follow=True)
    assert "Your email choices are saved." in response.content.decode()
    chosen = dict(NotificationPreference.objects.filter(user=person).values_list("kind", "email"))
    assert chosen[kinds.QUERY_RAISED] and chosen[kinds.DOWNLOAD_READY] and not chosen[kinds.UPLOAD_PROCESSED]
    response = client.post("/notifications/preferences/", {"emailed": ["gossip"]})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


@pytest.mark.parametrize("path", ["/notifications/", "/notifications/preferences/"])
def test_signed_out_visitors_are_asked_to_sign_in(client_for: Any, path: str) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_unticking_every_kind_turns_every_email_off(person: Any, client_for: Any) -> None:
    response = client_for(None, person).post("/notifications/preferences/", {})
    assert response.status_code == 302
    assert not any(on for _kind, on in email_preferences(user=person))
