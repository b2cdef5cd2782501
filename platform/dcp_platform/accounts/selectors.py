"""Reads about organisations and users. Every "who may see what" question is answered here."""

from __future__ import annotations

from django.db.models import QuerySet

from dcp_platform.accounts.models import Organisation, OrganisationRelationship, Role, User


def organisation_descendant_ids(*, organisation_id: int) -> set[int]:
    """The organisation and every organisation below it in the parent/child tree."""
    found = {organisation_id}
    frontier = {organisation_id}
    while frontier:
        children = set(Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = children - found
        found |= frontier
    return found


def stock_owner_ids_for(*, organisation_ids: set[int]) -> set[int]:
    """Organisations the given organisations manage lettings for (they may submit on their behalf)."""
    return set(
        OrganisationRelationship.objects.filter(managing_agent_id__in=organisation_ids).values_list(
            "stock_owner_id", flat=True
        )
    )


def managing_agent_ids_for(*, organisation_ids: set[int]) -> set[int]:
    return set(
        OrganisationRelationship.objects.filter(stock_owner_id__in=organisation_ids).values_list(
            "managing_agent_id", flat=True
        )
    )


def record_organisation_ids_for_user(*, user: User) -> set[int] | None:
    """The organisations whose records the user may see and change; None means every organisation.

    - support: every organisation;
    - data coordinator: their organisation, its child organisations, and the stock owners they
      submit for;
    - data provider: their own organisation only (records they create for a stock owner stay visible to
      them because their organisation manages the letting).
    """
    if not user.is_active:
        return set()
    if user.role == Role.SUPPORT:
        return None
    if user.organisation_id is None:
        return set()
    if user.role == Role.DATA_COORDINATOR:
        own = organisation_descendant_ids(organisation_id=user.organisation_id)
        return own | stock_owner_ids_for(organisation_ids=own)
    return {user.organisation_id}


def related_organisations_for(*, user: User) -> QuerySet[Organisation]:
    """The user's organisation and the organisations it is related to: used for the owner/manager choices."""
    if user.role == Role.SUPPORT:
        return Organisation.objects.filter(active=True)
    if user.organisation_id is None:
        return Organisation.objects.none()
    own = organisation_descendant_ids(organisation_id=user.organisation_id)
    related = own | stock_owner_ids_for(organisation_ids=own) | managing_agent_ids_for(organisation_ids=own)
    return Organisation.objects.filter(id__in=related, active=True)


def users_visible_to(*, user: User) -> QuerySet[User]:
    """Users a person may see in user management: support sees all; a coordinator their organisation's."""
    if user.role == Role.SUPPORT:
        return User.objects.all()
    if user.role == Role.DATA_COORDINATOR and user.organisation_id is not None:
        return User.objects.filter(organisation_id=user.organisation_id)
    return User.objects.filter(pk=user.pk)
