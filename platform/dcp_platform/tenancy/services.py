"""Creating collections (tenants) from installed plugins: idempotent, called by the run command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_tenants.utils import schema_context

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import Organisation, Role, User
from dcp_platform.notifications import kinds
from dcp_platform.notifications.services import notification_send
from dcp_platform.registry import CollectionPlugin, all_plugins
from dcp_platform.tenancy.models import Collection, CollectionAnalyst, Domain, Participation
from dcp_platform.tenancy.selectors import collection_url
from dcp_platform.theming.statements import STATEMENTS, statement_html
from dcp_platform.theming.themes import available_themes, theme_for

if TYPE_CHECKING:
    from wagtail.models import Page


SUPPORT_GROUP_NAME = "support-cms"
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


def editors_group_name(slug: str) -> str:
    return f"{slug}-editors"


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_public_tenant() -> Collection:
    public, _ = Collection.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "title": "Public site"}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public


def ensure_collection(plugin: CollectionPlugin) -> Collection:
    """Create (or bring up to date) the collection's schema, domain, editors group and Wagtail site."""
    collection = Collection.objects.filter(schema_name=plugin.slug).first()
    if collection is None:
        # Saving a new tenant creates and migrates its schema (or clones the template schema).
        collection = Collection(schema_name=plugin.slug, slug=plugin.slug, title=plugin.title)
        collection.save()
    host = f"{plugin.slug}.{settings.BASE_DOMAIN}"
    Domain.objects.update_or_create(domain=host, defaults={"tenant": collection, "is_primary": True})
    group = ensure_editors_group(plugin.slug)
    support = ensure_support_group()
    with schema_context(collection.schema_name):
        ensure_wagtail_site(plugin, host=host, editors=group, support=support)
    return collection


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
    from dcp_platform.cms.models import (
        ServiceBanner,  # like ensure_wagtail_site: Wagtail models, at call time
    )

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
    from wagtail.models import Page, Site

    from dcp_platform.cms.models import (
        CollectionWindowIndexPage,
        CollectionWindowPage,
        GuidancePage,
        StartPage,
    )

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
            body="<p>Sign in to add records, upload files or check your organisation's returns.</p>",
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
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": host, "port": 80, "root_page": start, "site_name": plugin.title}
    )
    grant_collection_rights(editors, start, EDITOR_PAGE_PERMISSIONS)
    grant_collection_rights(support, start, SUPPORT_PAGE_PERMISSIONS)


def ensure_information_pages(start: Page, plugin: CollectionPlugin) -> None:
    """The footer's accessibility statement and privacy notice, with starting content, where missing (a
    collection created before they existed gets them too; content designers' changes are never overwritten)."""
    from dcp_platform.cms.models import (
        InformationPage,  # like ensure_wagtail_site: Wagtail models, at call time
    )
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
    from dcp_platform.cms.seed import starting_channels  # the cms app's content, loaded with Wagtail

    start.channels = starting_channels(plugin)  # type: ignore[attr-defined]
    start.channels_seeded = True  # type: ignore[attr-defined]
    start.save_revision().publish()


def grant_collection_rights(group: Group, start: Page, page_permissions: tuple[str, ...]) -> None:
    """Page and media rights in the CURRENT schema: these rows live in the collection's schema only."""
    from wagtail.models import Collection as MediaCollection
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    for codename in page_permissions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=start, permission=_permission("wagtailcore", codename)
        )
    media_root = MediaCollection.get_first_root_node()
    for app_label, codename in MEDIA_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=media_root, permission=_permission(app_label, codename)
        )


def ensure_collections() -> list[Collection]:
    ensure_public_tenant()
    return [ensure_collection(plugin) for plugin in all_plugins().values()]


# Department analysts ------------------------------------------------------------------------------------------


@transaction.atomic
def analyst_assign(
    *, user: User, collection: Collection, by: User, request: HttpRequest | None = None
) -> CollectionAnalyst:
    """Make the user a department analyst of the collection (support only; idempotent).

    Analysts read every organisation's records, so nobody from an organisation that submits to the collection
    may be one (they would see their peers' records).
    """
    if not by.is_support:
        raise PermissionDenied("Only support can assign analysts.")
    if collection.is_public:
        raise ValidationError({"collection": "Choose a collection"})
    if not user.is_active:
        raise ValidationError({"user": f"{user.name or user.email} cannot sign in: reactivate them first"})
    if user.is_support:
        raise ValidationError({"user": f"{user.name or user.email} is support and already sees every collection"})
    if user.organisation_id and Participation.objects.filter(
        organisation_id=user.organisation_id, collection=collection
    ).exists():
        raise ValidationError({"user": (
            f"{user.name or user.email}'s organisation sends data to {collection.title}: "
            "analysts must not be from an organisation that takes part"
        )})
    assignment, created = CollectionAnalyst.objects.get_or_create(
        user=user, collection=collection, defaults={"assigned_by": by}
    )
    if created:
        audit_record(action="analyst_assigned", actor=by, target=user,
                     details={"collection": collection.slug}, request=request)
        notification_send(
            user=user, kind=kinds.INVITATION, title=f"You are now an analyst of {collection.title}",
            body="You can see every organisation's records and figures in this collection. You cannot change them.",
            link=collection_url(collection, request=request), collection_slug=collection.slug,
        )
    return assignment


@transaction.atomic
def analyst_unassign(*, user: User, collection: Collection, by: User, request: HttpRequest | None = None) -> bool:
    """Remove the user's analyst access to the collection; False when they had none."""
    if not by.is_support:
        raise PermissionDenied("Only support can remove analysts.")
    deleted, _ = CollectionAnalyst.objects.filter(user=user, collection=collection).delete()
    if deleted:
        audit_record(action="analyst_unassigned", actor=by, target=user,
                     details={"collection": collection.slug}, request=request)
    return bool(deleted)


# Participation ------------------------------------------------------------------------------------------------


@transaction.atomic
def participation_add(
    *, organisation: Organisation, collection: Collection, by: User, request: HttpRequest | None = None
) -> Participation:
    """Let the organisation send data to the collection (support only; idempotent)."""
    if not by.is_support:
        raise PermissionDenied("Only support can change which organisations take part.")
    participation = Participation(organisation=organisation, collection=collection)
    participation.clean()  # the collection's eligible kinds of organisation
    if CollectionAnalyst.objects.filter(collection=collection, user__organisation=organisation).exists():
        raise ValidationError({"collection": (
            f"{organisation.name} has analysts of {collection.title}: an analyst's organisation cannot take part"
        )})
    participation, created = Participation.objects.get_or_create(organisation=organisation, collection=collection)
    if created:
        audit_record(action="participation_added", actor=by, target=organisation,
                     details={"collection": collection.slug}, request=request)
    return participation


@transaction.atomic
def participation_remove(
    *, organisation: Organisation, collection: Collection, by: User, request: HttpRequest | None = None
) -> bool:
    """Stop the organisation sending data to the collection; its records stay. False when it took no part."""
    if not by.is_support:
        raise PermissionDenied("Only support can change which organisations take part.")
    deleted, _ = Participation.objects.filter(organisation=organisation, collection=collection).delete()
    if deleted:
        audit_record(action="participation_removed", actor=by, target=organisation,
                     details={"collection": collection.slug}, request=request)
    return bool(deleted)


@transaction.atomic
def collection_update(
    *, collection: Collection, by: User, title: str, service_name: str = "", theme: str = "",
    request: HttpRequest | None = None,
) -> Collection:
    """Support renames a collection or gives it its own service name or theme (audited)."""
    if not by.is_support:
        raise PermissionDenied("Only support can change collections.")
    if theme and theme not in available_themes():
        raise ValidationError({"theme": "Choose one of the installed themes"})
    before = {"title": collection.title, "service_name": collection.service_name, "theme": collection.theme}
    collection.title, collection.service_name, collection.theme = title.strip(), service_name.strip(), theme
    collection.save(update_fields=["title", "service_name", "theme"])
    after = {"title": collection.title, "service_name": collection.service_name, "theme": collection.theme}
    changed = sorted(field for field in before if before[field] != after[field])
    if changed:
        audit_record(action="collection_changed", actor=by, target=collection, request=request, details={
            "fields": changed, "from": {f: before[f] for f in changed}, "to": {f: after[f] for f in changed}})
    return collection
