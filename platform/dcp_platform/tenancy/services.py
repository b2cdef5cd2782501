"""Creating collections (tenants) from installed plugins: idempotent, called by the run command."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.notifications import kinds
from dcp_platform.notifications.services import notification_send
from dcp_platform.registry import CollectionPlugin, all_plugins
from dcp_platform.tenancy.models import Collection, CollectionAnalyst, Domain, Participation
from dcp_platform.tenancy.selectors import collection_url
from dcp_platform.tenancy.signals import collection_ensured
from dcp_platform.theming.themes import available_themes

SUPPORT_GROUP_NAME = "support-cms"
def editors_group_name(slug: str) -> str:
    return f"{slug}-editors"


def ensure_public_tenant() -> Collection:
    public, _ = Collection.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "title": "Public site"}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public


def ensure_collection(plugin: CollectionPlugin) -> Collection:
    """Create (or bring up to date) the collection's schema and domain; the cms app's receiver of
    `collection_ensured` brings its editors group and Wagtail site up to date (cms.setup)."""
    collection = Collection.objects.filter(schema_name=plugin.slug).first()
    if collection is None:
        # Saving a new tenant creates and migrates its schema (or clones the template schema).
        collection = Collection(schema_name=plugin.slug, slug=plugin.slug, title=plugin.title)
        collection.save()
    host = f"{plugin.slug}.{settings.BASE_DOMAIN}"
    Domain.objects.update_or_create(domain=host, defaults={"tenant": collection, "is_primary": True})
    # The collection's CMS (groups, Wagtail site, windows) is the cms app's: it receives this signal.
    collection_ensured.send(sender=Collection, collection=collection, plugin=plugin, host=host)
    return collection


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
