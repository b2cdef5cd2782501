"""Each collection's CMS: its editors group, the support group, and its Wagtail site with the starting pages.

`ensure_collection_cms` is run (through the `collection_ensured` signal, cms.signals) whenever
`tenancy.services.ensure_collection` creates or updates a collection: tenancy knows nothing of Wagtail.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django_tenants.utils import schema_context
from wagtail.models import Collection as MediaCollection
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, Site

from dcp_platform.accounts.models import Role, User
from dcp_platform.cms.blocks import StartPageBlocks
from dcp_platform.cms.models import (
    CollectionWindowIndexPage,
    CollectionWindowPage,
    GuidancePage,
    InformationPage,
    ServiceBanner,
    StartPage,
)
from dcp_platform.cms.seed import record_word, starting_channels, web_form_how_to_start
from dcp_platform.registry import CollectionPlugin
from dcp_platform.tenancy.models import Collection
from dcp_platform.tenancy.services import SUPPORT_GROUP_NAME, editors_group_name
from dcp_platform.theming.statements import STATEMENTS, statement_html
from dcp_platform.theming.themes import theme_for

# Page permissions in a collection's Wagtail site: editors can add, change and publish pages under the start
# page; support can also delete them. Users are never deleted, so support gets no delete_user.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
SUPPORT_PAGE_PERMISSIONS = (*EDITOR_PAGE_PERMISSIONS, "delete_page")
SUPPORT_GLOBAL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("accounts", "add_user"),  # the custom user model lives in the accounts app
    ("accounts", "change_user"),
    ("accounts", "view_user"),
    ("auth", "add_group"),
    ("auth", "change_group"),
    ("auth", "view_group"),
)
# Images and documents used in rich text: Wagtail scopes them by its own "collections" (not ours).
MEDIA_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


# Content designers' own models in each collection's Wagtail ("why we ask" texts): global model rights, used
# only where CollectionAdminAccessMiddleware lets the person into /cms/.
CONTENT_PERMISSIONS = (
    ("paper", "add_whyweasktext"),
    ("paper", "change_whyweasktext"),
    ("paper", "delete_whyweasktext"),
    ("paper", "view_whyweasktext"),
)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_editors_group(slug: str) -> Group:
    group, _ = Group.objects.get_or_create(name=editors_group_name(slug))
    group.permissions.add(_permission("wagtailadmin", "access_admin"), *banner_permissions())
    group.permissions.add(*(_permission(app, codename) for app, codename in CONTENT_PERMISSIONS))
    return group


BANNER_ACTIONS = ("add", "change", "delete", "view", "publish")


def banner_permissions() -> list[Permission]:
    """Rights on the collection's service banners (a Wagtail snippet; publish is Wagtail's own right).

    Global like every permission: CollectionAdminAccessMiddleware keeps editors to their own collection's admin.
    """
    content_type = ContentType.objects.get_for_model(ServiceBanner)
    return [
        Permission.objects.get_or_create(
            content_type=content_type, codename=f"{action}_servicebanner",
            defaults={"name": f"Can {action} service banner"},
        )[0]
        for action in BANNER_ACTIONS
    ]


def ensure_support_group() -> Group:
    """Support users' Wagtail rights in every collection (membership follows the support role: cms.signals)."""
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP_NAME)
    group.permissions.add(*(_permission(app, codename) for app, codename in SUPPORT_GLOBAL_PERMISSIONS),
                          *banner_permissions())
    group.permissions.add(*(_permission(app, codename) for app, codename in CONTENT_PERMISSIONS))
    # Support users who existed before the group did (later ones are added by the cms.signals receiver).
    group.user_set.add(*User.objects.filter(role=Role.SUPPORT))  # type: ignore[attr-defined]
    return group


@transaction.atomic
def ensure_wagtail_site(plugin: CollectionPlugin, *, host: str, editors: Group, support: Group) -> None:
    start = StartPage.objects.first()
    if start is None:
        # Wagtail's own welcome page (and the default Site that points at it) is replaced by ours.
        for page in Page.objects.filter(depth=2):
            page.delete()
        root = Page.get_first_root_node()
        start = StartPage(
            title=plugin.title,
            slug="home",
            intro=f"<p>{plugin.description}</p>",
            body=START_PAGE_BODY,
        )
        root.add_child(instance=start)
        start.save_revision().publish()
        guidance = GuidancePage(
            title="How to submit data",
            slug="how-to-submit",
            summary="The ways you can send records and when they are due.",
            body="<p>You can enter records one at a time, upload a file, or send them from your system through the API.</p>",
        )
        start.add_child(instance=guidance)
        guidance.save_revision().publish()
        windows = CollectionWindowIndexPage(title="Collection windows", slug="windows")
        start.add_child(instance=windows)
        windows.save_revision().publish()
        for spec in plugin.default_windows:
            window = CollectionWindowPage(
                title=spec.label,
                slug=spec.label.lower().replace(" ", "-"),
                year=spec.year,
                period_start=spec.period_start,
                period_end=spec.period_end,
                opens=spec.opens,
                submission_deadline=spec.submission_deadline,
                edits_close=spec.edits_close,
            )
            windows.add_child(instance=window)
            window.save_revision().publish()
    ensure_information_pages(start, plugin)
    if not start.channels_seeded:
        seed_start_page_channels(plugin, start)
    else:
        replace_old_seeded_words(plugin, start)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": host, "port": 80, "root_page": start, "site_name": plugin.title}
    )
    grant_collection_rights(editors, start, EDITOR_PAGE_PERMISSIONS)
    grant_collection_rights(support, start, SUPPORT_PAGE_PERMISSIONS)


# Read by signed-in people too: the buttons below say "Sign in to start" or "Go to your records" as fits.
START_PAGE_BODY = "<p>Add records, upload files or check your organisation's returns.</p>"
# What earlier versions seeded, which asked signed-in people to sign in (issue 20, point 7).
OLD_START_PAGE_BODY = "<p>Sign in to add records, upload files or check your organisation's returns.</p>"


def replace_old_seeded_words(plugin: CollectionPlugin, start: StartPage) -> None:
    """Sites seeded before the start page's words stopped asking signed-in people to sign in get the new words,
    where they are still exactly what the platform seeded: anything a content designer changed is kept. Idempotent
    (run on every ensure_collections); a new revision is published only when something changed."""
    changed = False
    if start.body.strip() == OLD_START_PAGE_BODY:
        start.body = START_PAGE_BODY
        changed = True
    record = record_word(plugin)
    old_how, new_how = web_form_how_to_start(record, words_before=True), web_form_how_to_start(record)
    raw = [dict(block) for block in start.channels.raw_data]
    for block in raw:
        value = block.get("value")
        if block.get("type") == "channel" and isinstance(value, dict) and \
                str(value.get("how_to_start") or "").strip() == old_how:
            block["value"] = {**value, "how_to_start": new_how}
            changed = True
    if changed:
        start.channels = StartPageBlocks().to_python(raw)
        start.save_revision().publish()


def ensure_information_pages(start: Page, plugin: CollectionPlugin) -> None:
    """The footer's accessibility statement and privacy notice, with starting content, where missing (a
    collection created before they existed gets them too; content designers' changes are never overwritten)."""
    collection = Collection.objects.filter(schema_name=plugin.slug).first()
    theme = theme_for(theme_slug=collection.theme if collection else "",
                      service_name=collection.service_name if collection else "")
    existing = set(start.get_children().values_list("slug", flat=True))
    for slug, (title, _template) in STATEMENTS.items():
        if slug in existing:
            continue
        page = InformationPage(title=title, slug=slug, show_in_menus=False, body=statement_html(
            slug, theme=theme, subject=f"the {plugin.title} pages"))
        start.add_child(instance=page)
        page.save_revision().publish()


def seed_start_page_channels(plugin: CollectionPlugin, start: Page) -> None:
    """The start page's starting "ways to send data", in the platform's words; content designers edit them."""
    start.channels = starting_channels(plugin)  # type: ignore[attr-defined]
    start.channels_seeded = True  # type: ignore[attr-defined]
    start.save_revision().publish()


def grant_collection_rights(group: Group, start: Page, page_permissions: tuple[str, ...]) -> None:
    """Page and media rights in the CURRENT schema: these rows live in the collection's schema only."""
    for codename in page_permissions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=start, permission=_permission("wagtailcore", codename)
        )
    media_root = MediaCollection.get_first_root_node()
    for app_label, codename in MEDIA_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=media_root, permission=_permission(app_label, codename)
        )


def ensure_collection_cms(*, collection: Collection, plugin: CollectionPlugin, host: str) -> None:
    """The collection's editors group, the support group and (in its schema) its Wagtail site."""
    group = ensure_editors_group(plugin.slug)
    support = ensure_support_group()
    with schema_context(collection.schema_name):
        ensure_wagtail_site(plugin, host=host, editors=group, support=support)
