"""Reads about organisations and users. Every "who may see what" question is answered here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from dcp_platform.accounts.models import Organisation, OrganisationRelationship, Role, User

# The organisation and everything below it in the parent/child tree, in one query whatever the depth. Only the
# organisation id is a value, and it is always passed as a bound parameter.
_TREE = (
    "WITH RECURSIVE tree(id) AS (SELECT %s::bigint UNION "
    "SELECT child.id FROM accounts_organisation child JOIN tree ON child.parent_id = tree.id) "
)
_DESCENDANTS_SQL = _TREE + "SELECT id FROM tree"  # noqa: S608 - constants only
# ... plus the stock owners they manage for and the managing agents that manage for them.
_RELATED_SQL = _TREE + (  # noqa: S608 - constants only
    "SELECT id FROM tree "
    "UNION SELECT stock_owner_id FROM accounts_organisationrelationship "
    "WHERE managing_agent_id IN (SELECT id FROM tree) "
    "UNION SELECT managing_agent_id FROM accounts_organisationrelationship "
    "WHERE stock_owner_id IN (SELECT id FROM tree)"
)
assert Organisation._meta.db_table == "accounts_organisation"
assert OrganisationRelationship._meta.db_table == "accounts_organisationrelationship"


def organisation_descendant_ids(*, organisation_id: int) -> set[int]:
    """The organisation and every organisation below it in the parent/child tree."""
    return set(
        Organisation.objects.filter(id__in=RawSQL(_DESCENDANTS_SQL, [organisation_id])).values_list(  # noqa: S611
            "id", flat=True
        )
    )


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
    # One query (it runs on every write): own tree, stock owners it manages for, agents that manage for it.
    related = RawSQL(_RELATED_SQL, [user.organisation_id])  # noqa: S611 - a constant query, bound parameter
    return Organisation.objects.filter(id__in=related, active=True)


def users_visible_to(*, user: User) -> QuerySet[User]:
    """Users a person may see in user management: support sees all; a coordinator their organisation's."""
    if user.role == Role.SUPPORT:
        return User.objects.all()
    if user.role == Role.DATA_COORDINATOR and user.organisation_id is not None:
        return User.objects.filter(organisation_id=user.organisation_id)
    return User.objects.filter(pk=user.pk)


def invitations_pending(*, user: User) -> QuerySet[User]:
    """People the user may manage who were invited and have not set a password yet (oldest first)."""
    return users_visible_to(user=user).filter(
        is_active=True, last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX,
    ).select_related("organisation").order_by("date_joined")


def related_organisations_of(*, organisation: Organisation) -> QuerySet[Organisation]:
    """An organisation, the organisations below it, the stock owners it manages for and its managing agents:
    the owner and manager choices of its records (as `related_organisations_for` gives its users)."""
    related = RawSQL(_RELATED_SQL, [organisation.pk])  # noqa: S611 - a constant query, bound parameter
    return Organisation.objects.filter(id__in=related, active=True)


def organisation_own_answers(*, definition: Any, organisation: Organisation) -> dict[str, str]:
    """An answer source (registry/answer_sources.py): an organisation that holds its own stock and has no
    other organisation in its tree or relationships owns, and manages, every record it sends."""
    if not organisation.holds_own_stock:
        return {}
    if list(related_organisations_of(organisation=organisation).values_list("id", flat=True)) != [organisation.pk]:
        return {}
    answers = {}
    for question_id in (definition.owner_question, definition.manager_question):
        if question_id:
            answers[question_id] = organisation.code
    return answers


@dataclass(frozen=True)
class SubmittingFor:
    """Which way the user's organisation relates to the organisations it may name on a record, by code.

    A managing agent submits for the stock owners it manages lettings for: they own those records and the agent
    manages them. A stock owner names its managing agents as managers, never as owners. `own` is the user's
    organisation and those below it (None: support, who may name any organisation, but owner and manager must
    still be one organisation tree or a stock owner and its managing agent, that way round).
    """

    own: frozenset[str] | None
    relationships: frozenset[tuple[str, str]]  # (stock owner, managing agent)
    # Support only: each organisation's top organisation in the parent/child tree, by code.
    roots: Mapping[str, str] = field(default_factory=dict)

    def may_own(self, code: str) -> bool:
        return self.own is None or code in self.own or any(
            owner == code and agent in self.own for owner, agent in self.relationships)

    def may_manage(self, code: str) -> bool:
        return self.own is None or code in self.own or any(
            agent == code and owner in self.own for owner, agent in self.relationships)

    def problem(self, owner: str | None, manager: str | None) -> tuple[str, str] | None:
        """("owner" | "manager", why) when the pair goes against the relationships' direction, else None."""
        if self.own is None:
            if owner and manager and owner != manager and (owner, manager) not in self.relationships \
                    and self.roots.get(owner, owner) != self.roots.get(manager, manager):
                return "manager", f"{manager} does not manage lettings for {owner}"
            return None
        if owner and not self.may_own(owner):
            return "owner", (f"{owner} cannot own this record: choose your organisation or a stock owner your "
                             "organisation manages lettings for")
        if manager and not self.may_manage(manager):
            return "manager", (f"{manager} cannot manage this record: choose your organisation or a managing agent "
                               "that manages lettings for it")
        if owner and manager and (owner not in self.own or manager not in self.own) \
                and (owner, manager) not in self.relationships:
            return "manager", f"{manager} does not manage lettings for {owner}"
        return None


_SUBMITTING_SQL = _TREE + (  # noqa: S608 - constants only
    "SELECT o.code, NULL FROM tree JOIN accounts_organisation o ON o.id = tree.id "
    "UNION ALL SELECT so.code, ag.code FROM accounts_organisationrelationship r "
    "JOIN accounts_organisation so ON so.id = r.stock_owner_id JOIN accounts_organisation ag ON ag.id = r.managing_agent_id "
    "WHERE r.managing_agent_id IN (SELECT id FROM tree) OR r.stock_owner_id IN (SELECT id FROM tree)"
)


_ROOTS_SQL = (
    "WITH RECURSIVE up(id, root) AS (SELECT id, id FROM accounts_organisation WHERE parent_id IS NULL UNION ALL "
    "SELECT child.id, up.root FROM accounts_organisation child JOIN up ON child.parent_id = up.id) "
    "SELECT o.code, r.code FROM up JOIN accounts_organisation o ON o.id = up.id "
    "JOIN accounts_organisation r ON r.id = up.root WHERE up.id <> up.root"
)
_ALL_RELATIONSHIPS_SQL = (
    "SELECT so.code, ag.code FROM accounts_organisationrelationship r "
    "JOIN accounts_organisation so ON so.id = r.stock_owner_id JOIN accounts_organisation ag ON ag.id = r.managing_agent_id"
)


def _support_submitting() -> SubmittingFor:
    """Support may name any organisations, the relationships' way round: every relationship and tree (two
    queries, read on every write of theirs; support writes are few)."""
    with connection.cursor() as cursor:
        cursor.execute(_ALL_RELATIONSHIPS_SQL)
        relationships = frozenset((owner, agent) for owner, agent in cursor.fetchall())
        cursor.execute(_ROOTS_SQL)
        roots = dict(cursor.fetchall())
    return SubmittingFor(None, relationships, roots)


def submitting_for(*, user: User) -> SubmittingFor:
    """The user's organisations and their stock owner / managing agent relationships (one query)."""
    if user.role == Role.SUPPORT:
        return _support_submitting()
    if user.organisation_id is None:
        return SubmittingFor(frozenset(), frozenset())
    with connection.cursor() as cursor:
        cursor.execute(_SUBMITTING_SQL, [user.organisation_id])
        rows = cursor.fetchall()
    return SubmittingFor(frozenset(code for code, agent in rows if agent is None),
                         frozenset((code, agent) for code, agent in rows if agent is not None))
