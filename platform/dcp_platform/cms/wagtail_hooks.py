"""Wagtail admin adjustments: the Users and Groups screens are support-only (they edit global users).

The URLs themselves are refused in `dcp_platform.cms.access.CollectionAdminAccessMiddleware`; here the menu
items are hidden so nobody is offered a screen they cannot open.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from dcp_platform.access import may_manage_users
from dcp_platform.cms.models import ServiceBanner

SUPPORT_ONLY_MENU_ITEMS = frozenset({"users", "groups"})


def without_support_only_items(request: HttpRequest, menu_items: list[Any]) -> list[Any]:
    if may_manage_users(request.user):
        return menu_items
    return [item for item in menu_items if getattr(item, "name", "") not in SUPPORT_ONLY_MENU_ITEMS]


@hooks.register("construct_settings_menu")
def hide_user_management_from_editors(request: HttpRequest, menu_items: list[Any]) -> None:
    # Wagtail expects the list to be changed in place.
    menu_items[:] = without_support_only_items(request, menu_items)


class ServiceBannerViewSet(SnippetViewSet):
    """Snippets > Service banners: written, scheduled and published by the collection's content designers."""

    model = ServiceBanner
    menu_label = "Service banners"
    icon = "warning"
    add_to_admin_menu = True
    list_display = ["heading", "starts_at", "ends_at", LiveStatusTagColumn()]


register_snippet(ServiceBannerViewSet)
