"""Creating collections (tenants) from installed plugins: idempotent, called by the run command."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_tenants.utils import schema_context

from dcp_platform.registry import CollectionPlugin, all_plugins
from dcp_platform.tenancy.models import Collection, Domain


def editors_group_name(slug: str) -> str:
    return f"{slug}-editors"


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
    with schema_context(collection.schema_name):
        ensure_wagtail_site(plugin, host=host, editors=group)
    return collection


def ensure_editors_group(slug: str) -> Group:
    group, _ = Group.objects.get_or_create(name=editors_group_name(slug))
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    group.permissions.add(access_admin)
    return group


@transaction.atomic
def ensure_wagtail_site(plugin: CollectionPlugin, *, host: str, editors: Group) -> None:
    from wagtail.models import GroupPagePermission, Page, Site

    from dcp_platform.cms.models import CollectionWindowIndexPage, CollectionWindowPage, GuidancePage, StartPage

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
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": host, "port": 80, "root_page": start, "site_name": plugin.title}
    )
    for permission_type in ("add", "change", "publish"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{permission_type}_page")
        GroupPagePermission.objects.get_or_create(group=editors, page=start, permission=permission)


def ensure_collections() -> list[Collection]:
    ensure_public_tenant()
    return [ensure_collection(plugin) for plugin in all_plugins().values()]
