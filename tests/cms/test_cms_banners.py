"""Service banners: a collection's (Wagtail snippet, published by its content designers) and the platform's
(support pages), shown to everyone between their times, hidden per person by a form POST remembered in a cookie."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from dcp_platform.accounts.models import AuditEvent
from dcp_platform.cms.models import ServiceBanner
from dcp_platform.notifications.models import PlatformBanner
from dcp_platform.tenancy.services import editors_group_name
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tenants.utils import schema_context


def published_banner(schema: str, heading: str, *, starts: timedelta = timedelta(hours=-1),
                     ends: timedelta | None = timedelta(hours=1), publish: bool = True) -> ServiceBanner:
    with schema_context(schema):
        banner = ServiceBanner(heading=heading, message="Details here.", starts_at=timezone.now() + starts,
                               ends_at=timezone.now() + ends if ends is not None else None, live=False)
        banner.save()
        revision = banner.save_revision()
        if publish:
            revision.publish()
        banner.refresh_from_db()
        return banner


def page(client: Any, path: str = "/") -> str:
    return str(client.get(path, follow=True).content.decode())


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_published_collection_banner_shows_on_that_collection_only(
    client_for: Any, make_org: Any, make_user: Any, signed_in: bool
) -> None:
    published_banner("core", "CORE is closed for maintenance on Saturday")
    user = make_user(make_org()) if signed_in else None
    assert "CORE is closed for maintenance on Saturday" in page(client_for("core", user))
    assert "CORE is closed for maintenance" in page(client_for("core", user), "/sign-in/")
    assert "CORE is closed for maintenance" not in page(client_for("hclic", user))
    assert "CORE is closed for maintenance" not in page(client_for(None, user))


def test_drafts_banners_not_yet_started_and_ended_banners_do_not_show(client_for: Any) -> None:
    published_banner("core", "Draft only banner", publish=False)
    published_banner("core", "Tomorrow's banner", starts=timedelta(days=1), ends=None)
    published_banner("core", "Yesterday's banner", starts=timedelta(days=-2), ends=timedelta(days=-1))
    published_banner("core", "Open-ended banner", ends=None)
    text = page(client_for("core"))
    assert "Open-ended banner" in text
    assert "Draft only banner" not in text and "Tomorrow" not in text and "Yesterday" not in text


def test_an_unpublished_banner_stops_showing(client_for: Any) -> None:
    banner = published_banner("core", "Soon to be unpublished")
    assert "Soon to be unpublished" in page(client_for("core"))
    with schema_context("core"):
        banner.unpublish()
    assert "Soon to be unpublished" not in page(client_for("core"))


def test_hiding_a_banner_is_a_form_post_remembered_across_hosts_until_it_changes(client_for: Any) -> None:
    banner = PlatformBanner.objects.create(heading="Planned downtime on Sunday", starts_at=timezone.now() - timedelta(1))
    client = client_for(None)
    text = page(client)
    assert "Planned downtime on Sunday" in text and 'name="banner" value="platform-' in text
    key = text.split('name="banner" value="', 1)[1].split('"', 1)[0]
    response = client.post("/banners/hide/", {"banner": key, "next": "/sign-in/"})
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    cookie = response.cookies[settings.DCP_BANNER_COOKIE_NAME]
    assert cookie["domain"] == settings.SESSION_COOKIE_DOMAIN and cookie["httponly"] and key in cookie.value
    assert "Planned downtime on Sunday" not in page(client)
    core = client_for("core")
    core.cookies[settings.DCP_BANNER_COOKIE_NAME] = cookie.value  # the cookie is sent to every host of the domain
    assert "Planned downtime on Sunday" not in page(core)
    banner.heading = "Planned downtime on Sunday, now 2 hours"
    banner.save()
    assert "Planned downtime on Sunday, now 2 hours" in page(client)


def test_hiding_goes_back_only_to_this_service(client_for: Any) -> None:
    response = client_for(None).post("/banners/hide/", {"banner": "platform-1-1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = client_for(None).post("/banners/hide/", {"banner": "<script>", "next": "/"})
    assert settings.DCP_BANNER_COOKIE_NAME not in response.cookies
    assert client_for(None).get("/banners/hide/").status_code == 405


def test_the_platform_banner_shows_everywhere_before_the_collections(client_for: Any) -> None:
    PlatformBanner.objects.create(heading="Everyone: new sign-in rules", starts_at=timezone.now() - timedelta(1))
    published_banner("core", "Only CORE: new questions")
    text = page(client_for("core"))
    assert text.index("Everyone: new sign-in rules") < text.index("Only CORE: new questions")
    assert "Everyone: new sign-in rules" in page(client_for("hclic")) and "Everyone" in page(client_for(None))


def test_content_designers_edit_banners_in_their_collections_wagtail_only(client_for: Any, make_user: Any) -> None:
    editor = make_user(None)
    editor.groups.add(Group.objects.get(name=editors_group_name("core")))
    assert client_for("core", editor).get("/cms/snippets/cms/servicebanner/").status_code == 200
    assert client_for("core", editor).get("/cms/snippets/cms/servicebanner/add/").status_code == 200
    assert client_for("hclic", editor).get("/cms/snippets/cms/servicebanner/add/").status_code == 403
    assert editor.has_perm("cms.publish_servicebanner")


def test_a_banner_must_end_after_it_starts_and_have_a_whole_link(core: Any) -> None:
    from django.core.exceptions import ValidationError

    now = timezone.now()
    with pytest.raises(ValidationError, match="stop showing after it starts"):
        ServiceBanner(heading="x", starts_at=now, ends_at=now).clean()
    with pytest.raises(ValidationError, match="both the link"):
        ServiceBanner(heading="x", starts_at=now, link_text="More").clean()


# The platform banner in the support pages -----------------------------------------------------------------------


def test_support_publishes_changes_and_removes_the_platform_banner(client_for: Any, make_user: Any) -> None:
    from tests.support.conftest import verified_support_client

    support_user = make_user(None, role="support")
    support = verified_support_client(client_for, support_user)
    assert "Add a banner" in page(support, "/support/banners/")
    tomorrow = timezone.localtime() + timedelta(days=1)
    response = support.post("/support/banners/new/", {
        "heading": "Maintenance tomorrow evening", "message": "The service stops from 18:00.",
        "link_text": "", "link_url": "", "start_day": "1", "start_month": "1", "start_year": "2020",
        "start_time": "09:00", "end_day": tomorrow.day, "end_month": tomorrow.month, "end_year": tomorrow.year,
        "end_time": "23:30"})
    assert response.status_code == 302
    banner = PlatformBanner.objects.get(heading="Maintenance tomorrow evening")
    assert timezone.localtime(banner.ends_at).strftime("%H:%M") == "23:30" and banner.created_by == support_user
    assert AuditEvent.objects.filter(action="platform_banner_created", actor=support_user).exists()
    assert "Maintenance tomorrow evening" in page(client_for("hclic"))
    assert "Showing now" in page(support, "/support/banners/")
    support.post(f"/support/banners/{banner.pk}/", {
        "heading": "Maintenance moved", "start_day": "1", "start_month": "1", "start_year": "2020", "start_time": "9:00"})
    banner.refresh_from_db()
    assert banner.heading == "Maintenance moved" and banner.ends_at is None
    assert "Remove the banner “Maintenance moved”?" in page(support, f"/support/banners/{banner.pk}/remove/")
    support.post(f"/support/banners/{banner.pk}/remove/")
    assert not PlatformBanner.objects.filter(pk=banner.pk).exists()
    assert AuditEvent.objects.filter(action="platform_banner_removed", actor=support_user).exists()


def test_the_banner_form_explains_its_errors(client_for: Any, make_user: Any) -> None:
    from tests.support.conftest import verified_support_client

    support = verified_support_client(client_for, make_user(None, role="support"))
    text = page_post(support, {"heading": "", "start_day": "30", "start_month": "2", "start_year": "2026"})
    assert "Enter the banner&#x27;s heading" in text and "The start date must be a real date" in text
    text = page_post(support, {"heading": "h", "start_day": "", "start_month": "", "start_year": ""})
    assert "Enter the date the banner starts to show" in text and 'href="#id_start_day"' in text
    text = page_post(support, {"heading": "h", "start_day": "2", "start_month": "3", "start_year": "2026",
                               "start_time": "25:00"})
    assert "Enter the start time as hours and minutes" in text and 'href="#id_start_time"' in text
    text = page_post(support, {"heading": "h", "start_day": "2", "start_month": "3", "start_year": "2026",
                               "end_day": "1", "end_month": "3", "end_year": "2026"})
    assert "The banner must stop showing after it starts" in text
    text = page_post(support, {"heading": "h", "start_day": "2", "start_month": "3", "start_year": "2026",
                               "link_text": "Read more", "link_url": "javascript:alert(1)"})
    assert "starting with /" in text
    assert not PlatformBanner.objects.exists()


def page_post(client: Any, data: dict[str, str]) -> str:
    return str(client.post("/support/banners/new/", data).content.decode())


def test_a_content_designer_publishes_a_banner_through_wagtail(client_for: Any, make_user: Any) -> None:
    editor = make_user(None)
    editor.groups.add(Group.objects.get(name=editors_group_name("core")))
    client = client_for("core", editor)
    response = client.post("/cms/snippets/cms/servicebanner/add/", {
        "heading": "Published from Wagtail", "message": "", "link_text": "", "link_url": "",
        "starts_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"), "ends_at": "",
        "action-publish": "action-publish",
    })
    assert response.status_code == 302, response.content.decode()[-3000:]
    with schema_context("core"):
        assert ServiceBanner.objects.get(heading="Published from Wagtail").live
    assert "Published from Wagtail" in page(client_for("core"))
    assert "Published from Wagtail" not in page(client_for("hclic"))
