"""Who may do what: the access decorators and checks every app's views (and the services that refuse) use.

One module, so a rule about access is read and changed in one place:

- `collection_member_required`: signed in, and the user's organisation takes part in this collection (or they
  are its department analyst, or support). Record writes are refused to analysts by the record services.
- `support_required`: the support pages (an active support user with a verified second factor).
- `may_edit_collection`, `may_manage_users`: a collection's Wagtail admin (enforced by
  `cms.access.CollectionAdminAccessMiddleware`).
- `may_see_organisation_version`, `may_change_organisation_settings`: an organisation's own paper form.
- `may_manage_api_keys`: API keys are their organisation's data coordinator's.
- `is_department_reader`, `department_reader_required`, `dashboard_organisations_for`: the dashboards (an
  organisation's for its coordinators; every organisation's and England's for analysts and support).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dcp_platform.accounts.models import Organisation, Role, User
from dcp_platform.accounts.selectors import organisation_descendant_ids
from dcp_platform.tenancy.models import Participation
from dcp_platform.tenancy.selectors import is_analyst, user_takes_part_in
from dcp_platform.tenancy.services import editors_group_name

NOT_TAKING_PART_TEMPLATE = "dcp/not_taking_part.html"


def collection_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and the user's organisation takes part in this collection."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or not user_takes_part_in(user=request.user, collection=tenant):  # type: ignore[arg-type]
            return render(request, NOT_TAKING_PART_TEMPLATE, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def support_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in as an active support user who has verified their second factor; anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_active and getattr(user, "is_support", False) and user.is_verified()):  # type: ignore[union-attr,attr-defined]
            raise PermissionDenied("Only support can use these pages")
        return view(request, *args, **kwargs)

    return wrapper


def is_support(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_support", False))


def may_edit_collection(user: object, collection_slug: str) -> bool:
    """Support, or a member of the collection's editors group."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if is_support(user):
        return True
    groups = user.groups  # type: ignore[attr-defined]
    return bool(groups.filter(name=editors_group_name(collection_slug)).exists())


def may_manage_users(user: object) -> bool:
    """Wagtail's Users and Groups screens edit the global accounts: support only."""
    return is_support(user)


def organisation_takes_part(*, organisation: Organisation) -> bool:
    """The organisation takes part in the collection whose schema this is."""
    return Participation.objects.filter(
        organisation=organisation, collection__schema_name=str(getattr(connection, "schema_name", "public")),
    ).exists()


def may_see_organisation_version(*, user: User, organisation: Organisation) -> bool:
    """An organisation's paper form is for its own users and support, in a collection it takes part in."""
    if not user.is_authenticated or not user.is_active or not organisation_takes_part(organisation=organisation):
        return False
    return bool(user.is_support or user.organisation_id == organisation.pk)


def may_change_organisation_settings(*, user: User, organisation: Organisation) -> bool:
    """Its data coordinator, and support."""
    return may_see_organisation_version(user=user, organisation=organisation) and bool(
        user.is_support or user.is_coordinator
    )


def may_manage_api_keys(user: User) -> bool:
    """Data coordinators of an organisation create, list and revoke its API keys."""
    return user.is_active and user.role == Role.DATA_COORDINATOR and user.organisation_id is not None


def is_department_reader(*, user: User) -> bool:
    """The collection's department analysts and support: they see every organisation's figures, read-only."""
    slug = str(getattr(connection, "schema_name", "public"))
    return bool(user.is_active) and (user.is_support or is_analyst(user=user, collection_slug=slug))


def dashboard_organisations_for(*, user: User) -> Any:
    """Organisations whose dashboard the user may open: a coordinator's own organisation and its children that
    take part in this collection; every taking part organisation for analysts and support; none for others."""
    taking_part = Organisation.objects.filter(
        participations__collection__schema_name=str(getattr(connection, "schema_name", "public"))).distinct()
    if not user.is_active:
        return taking_part.none()
    if is_department_reader(user=user):
        return taking_part
    if user.role == Role.DATA_COORDINATOR and user.organisation_id is not None:
        return taking_part.filter(id__in=organisation_descendant_ids(organisation_id=user.organisation_id))
    return taking_part.none()


def department_reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and a department analyst of this collection or support (403 with an explanation otherwise)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_department_reader(user=request.user):  # type: ignore[arg-type]
            return render(request, "playback/no_access.html", {
                "message": "Only the department's analysts of this collection and support can see this."}, status=403)
        return view(request, *args, **kwargs)

    return wrapper
