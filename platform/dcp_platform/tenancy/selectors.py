from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from dcp_platform.accounts.models import User
from dcp_platform.tenancy.models import Collection


def collections_for_user(*, user: User) -> QuerySet[Collection]:
    """Collections the user's organisation takes part in (support users: every collection)."""
    collections = Collection.objects.exclude(schema_name="public")
    if user.is_support:
        return collections
    if user.organisation_id is None:
        return collections.none()
    return collections.filter(participations__organisation_id=user.organisation_id).distinct()


def user_takes_part_in(*, user: User, collection: Collection) -> bool:
    return collections_for_user(user=user).filter(pk=collection.pk).exists()


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
