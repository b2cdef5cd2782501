from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from dcp_platform.accounts.models import User
from dcp_platform.tenancy.models import Collection, CollectionAnalyst


def collections_for_user(*, user: User) -> QuerySet[Collection]:
    """Collections the user may open: their organisation takes part, or they are its analyst (support: all).

    Analysts pass the collection's door (they read its records) but the record services refuse their writes.
    """
    collections = Collection.objects.exclude(schema_name="public")
    if user.is_support:
        return collections
    if not user.is_active:
        return collections.none()
    taking_part = Q(participations__organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    return collections.filter(taking_part | Q(analysts__user_id=user.pk)).distinct()


def user_takes_part_in(*, user: User, collection: Collection) -> bool:
    return collections_for_user(user=user).filter(pk=collection.pk).exists()


def is_analyst(*, user: User, collection_slug: str) -> bool:
    """Whether the user is a department analyst of the collection (read-only access to every organisation)."""
    if not user.is_active or not user.pk:
        return False
    return CollectionAnalyst.objects.filter(user_id=user.pk, collection__slug=collection_slug).exists()


def analyst_collection_slugs(*, user: User) -> set[str]:
    if not user.is_active or not user.pk:
        return set()
    return set(CollectionAnalyst.objects.filter(user_id=user.pk).values_list("collection__slug", flat=True))


def analysts_of(*, collection: Collection) -> QuerySet[CollectionAnalyst]:
    return CollectionAnalyst.objects.filter(collection=collection).select_related("user", "user__organisation", "assigned_by")


def collection_host(collection: Collection) -> str:
    return f"{collection.slug}.{settings.BASE_DOMAIN}"


def collection_url(collection: Collection, *, request: HttpRequest | None = None, path: str = "/") -> str:
    """Absolute URL of a collection's site: the same scheme and port as the current request."""
    port = ""
    if request is not None:
        host = request.get_host()
        if ":" in host:
            port = ":" + host.rsplit(":", 1)[1]
        scheme = request.scheme
    else:
        scheme = settings.URL_SCHEME
        port = "" if settings.PRODUCTION else f":{settings.PUBLIC_PORT}"
    return f"{scheme}://{collection_host(collection)}{port}{path}"
