"""Learning from confirmed mappings: the write (`learned_mappings_record`) and the read (`learned_mappings_for`).

Every mapping a user confirms teaches the platform: each column's header -> the target it was mapped to (or
"not used"), and each provider value -> the code chosen for it. The organisation's own latest choices apply to
its next files at once; another organisation's only once more than one organisation made the same choice, so
one organisation's habits (or mistakes) never decide for the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, QuerySet
from django.utils import timezone

from .learned import (
    NOT_USED,
    OWN_SCORE,
    SHARED_SCORE,
    ConfirmedTarget,
    LearnedMappings,
    header_key,
    value_key,
)
from .models import LearnedHeader, LearnedValue, Upload

# How many organisations must have made the same choice before it is proposed to other organisations.
SHARED_FROM_ORGANISATIONS = 2


def learned_mappings_record(*, upload: Upload) -> None:
    """Learn from an upload's confirmed column and value mappings (called where the user confirms them)."""
    if upload.kind != "columns" or upload.organisation_id is None:
        return  # the official template and flat files are matched by field numbers and names, not learned
    mapping = dict(upload.column_mapping or {})
    with transaction.atomic():
        for index, header in enumerate(upload.headers or []):
            key = header_key(header)
            target = str(mapping.get(str(index), NOT_USED))
            if not key or target.startswith("field:"):
                continue
            _count(LearnedHeader, organisation_id=upload.organisation_id, form=upload.form, header=key,
                   target=target)
        for target, values in (upload.value_mapping or {}).items():
            for value, code in (values or {}).items():
                if str(code) == "" or not value_key(str(value)):
                    continue  # "leave blank" teaches nothing
                _count(LearnedValue, organisation_id=upload.organisation_id, form=upload.form, target=target,
                       value=value_key(str(value)), code=str(code)[:100])


def _count(model: type[LearnedHeader] | type[LearnedValue], **key: Any) -> None:
    row, created = model.objects.get_or_create(**key)  # type: ignore[attr-defined]
    if not created:  # counted in the database: two confirmations at once both count
        model.objects.filter(pk=row.pk).update(  # type: ignore[attr-defined]
            confirmations=F("confirmations") + 1, updated_at=timezone.now(),
        )


def learned_mappings_for(
    *, organisation_id: int | None, form: str, headers: Sequence[str] | None = None
) -> LearnedMappings:
    """What the organisation, and organisations together, confirmed for these headers and for values."""
    header_rows = LearnedHeader.objects.filter(form=form)
    if headers is not None:
        header_rows = header_rows.filter(header__in={header_key(h) for h in headers})
    value_rows = LearnedValue.objects.filter(form=form)
    return LearnedMappings(_learned_headers(header_rows, organisation_id), _learned_values(value_rows, organisation_id))


def _learned_headers(rows: QuerySet[LearnedHeader], organisation_id: int | None) -> dict[str, ConfirmedTarget]:
    shared: dict[str, tuple[int, int, str]] = {}  # header -> (organisations, confirmations, target)
    for header, target, organisations, total in rows.values_list("header", "target").annotate(
        organisations=Count("organisation_id", distinct=True), total=Max("confirmations"),
    ):
        if organisations >= SHARED_FROM_ORGANISATIONS:
            candidate = (organisations, total, target)
            shared[header] = max(shared.get(header, candidate), candidate)
    learned = {header: ConfirmedTarget(target, SHARED_SCORE) for header, (_, _, target) in shared.items()}
    if organisation_id is not None:  # the organisation's own latest choice comes first
        for header, target in rows.filter(organisation_id=organisation_id).order_by("updated_at", "pk").values_list(
                "header", "target"):
            learned[header] = ConfirmedTarget(target, OWN_SCORE)
    return learned


def _learned_values(rows: QuerySet[LearnedValue], organisation_id: int | None) -> dict[str, dict[str, Any]]:
    agreed: dict[tuple[str, str], tuple[int, str]] = {}  # (target, value) -> (organisations, code)
    for target, value, code, organisations in rows.values_list("target", "value", "code").annotate(
        organisations=Count("organisation_id", distinct=True),
    ):
        if organisations >= SHARED_FROM_ORGANISATIONS:
            agreed[(target, value)] = max(agreed.get((target, value), (0, "")), (organisations, code))
    values: dict[str, dict[str, Any]] = defaultdict(dict)
    for (target, value), (_, code) in agreed.items():
        values[target][value] = code
    if organisation_id is not None:
        for target, value, code in rows.filter(organisation_id=organisation_id).order_by("updated_at", "pk").values_list(
                "target", "value", "code"):
            values[target][value] = code
    return dict(values)
