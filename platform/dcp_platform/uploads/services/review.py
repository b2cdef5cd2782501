"""Bulk upload, review: what happens once a file is processed (its records hidden until then).

The uploader fixes rows in the web form (`hidden_record_open_to`, `sync_rows_changed_on_the_web`), confirms a
soft problem for every row that has it (a worker's job: `start_`/`finish_confirming_soft_problem`), and
confirms the upload, which makes its records visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dcp_platform.accounts.models import User
from dcp_platform.definitions import Definition
from dcp_platform.records.models import Record
from dcp_platform.records.services import (
    RecordWriteRefused,
    build_eval_context,
    record_update,
)
from dcp_platform.registry import definition_for

from ..evaluating import (
    row_problem,
)
from ..models import Upload, UploadRow, UploadStatus
from .processing import summarise


@dataclass(frozen=True)
class StalledConfirmation:
    upload_id: int
    rule_id: str
    user_id: int


def stalled_confirmations(*, older_than_seconds: float) -> list[StalledConfirmation]:
    """Uploads confirming a soft problem whose last progress is older than this (their worker died), with what
    was being confirmed and for whom (noted by start_confirming_soft_problem), so the work can be queued again."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    found = []
    for upload_id, summary in Upload.objects.filter(status=UploadStatus.CONFIRMING, updated_at__lt=cutoff).values_list(
        "pk", "summary"
    ):
        note = (summary or {}).get(_CONFIRMING_NOTE) or {}
        if note.get("rule") and note.get("user_id"):
            found.append(StalledConfirmation(upload_id, str(note["rule"]), int(note["user_id"])))
    return found


@transaction.atomic
def confirm_upload(upload: Upload, *, create: str = "all") -> int:
    """Make the upload's records visible. `create="completed"` keeps only the rows without problems."""
    records = Record.objects.filter(upload_id=upload.pk, visible=False)
    if create == "completed":
        records.exclude(status="completed").delete()
        records = Record.objects.filter(upload_id=upload.pk, visible=False, status="completed")
    count = records.update(visible=True, updated_at=timezone.now())
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.CONFIRMED)
    return count


def hidden_record_open_to(*, record: Record, user: User) -> bool:
    """A hidden record of an upload that is waiting for review may be fixed in the web form by its organisation."""
    return record.upload_id is not None and user.organisation_id is not None and Upload.objects.filter(
        pk=record.upload_id, organisation_id=user.organisation_id, status=UploadStatus.READY,
    ).exists()


def _answer_at(answers: dict[str, Any], question_id: str, group: str | None, item: int | None) -> Any:
    if group is None or item is None:
        return answers.get(question_id)
    items = answers.get(group) or []
    return items[item - 1].get(question_id) if len(items) >= item and isinstance(items[item - 1], dict) else None


def _cell_still_unanswered(definition: Definition, evaluation: Any, fields: list[int]) -> bool:
    """A refused cell stays a problem while its question applies and still has no answer."""
    field_map = definition.template_field_map()
    applicable = {ref.key for ref in evaluation.applicable_questions}
    for number in fields:
        spec = field_map.get(number)
        if spec is None:
            return True
        key = spec.question_id if spec.group is None or spec.item is None else f"{spec.group}.{spec.item}.{spec.question_id}"
        if key in applicable and _answer_at(evaluation.answers, spec.question_id, spec.group, spec.item) in (None, "", []):
            return True
    return False


def refresh_upload_row(definition: Definition, row: UploadRow, record: Record, evaluation: Any) -> None:
    """Bring a row's problems and status up to date with its record after a change outside processing.

    Cell problems (values the file gave that could not be read) are kept while the answer is still missing;
    the record's own problems are replaced by the new evaluation's. As in processing, a record with an
    unread cell is never complete.
    """
    kept = [p for p in row.problems if str(p.get("rule", "")).startswith("cell.")
            and _cell_still_unanswered(definition, evaluation, [int(n) for n in p.get("fields") or []])]
    fresh = [row_problem(p.template_fields, p.fields[0].key if p.fields else "", p.rule_id, p.severity, p.message)
             for p in evaluation.problems]
    row.problems = kept + fresh
    open_problems = bool(kept) or any(p["severity"] in ("hard", "soft") for p in fresh)
    row.status = "in_progress" if open_problems or evaluation.status != "completed" else "completed"
    row.save(update_fields=["problems", "status"])
    if kept and record.status == "completed":
        Record.objects.filter(pk=record.pk).update(status="in_progress")


def _resummarise(upload: Upload, **extra: Any) -> None:
    upload.refresh_from_db(fields=["summary"])
    upload.summary = {**(upload.summary or {}), **summarise(upload), **extra}
    upload.save(update_fields=["summary", "updated_at"])


@dataclass
class SoftConfirmation:
    confirmed: int  # rows whose soft problem is now confirmed
    refused: int  # rows whose record could not be changed (e.g. the window is closed for edits)


def confirm_soft_problem_for_all(
    upload: Upload, *, rule_id: str, user: User, today: date | None = None
) -> SoftConfirmation:
    """Confirm one soft problem on every hidden record of the upload that has it, then refresh rows and summary.

    Goes through `record_update` (the one write path) with the same confirmation token the web form stores.
    """
    sync_rows_changed_on_the_web(upload, today=today)
    definition = definition_for(str(connection.schema_name), upload.form, upload.year)  # type: ignore[attr-defined]
    rows = list(UploadRow.objects.filter(
        upload=upload, record_id__isnull=False, problems__contains=[{"rule": rule_id, "severity": "soft"}],
    ))
    records = Record.objects.filter(upload_id=upload.pk, visible=False).in_bulk([row.record_id for row in rows])
    confirmed = refused = 0
    for number, row in enumerate(rows, start=1):
        if number % _CONFIRMING_HEARTBEAT_ROWS == 0:  # still working: not stalled (see stalled_confirmations)
            Upload.objects.filter(pk=upload.pk).update(updated_at=timezone.now())
        record = records.get(row.record_id)  # type: ignore[arg-type]
        if record is None:
            continue
        context = build_eval_context(definition=definition, answers=record.answers, today=today)
        evaluation = definition.evaluate(record.answers, confirmations=record.confirmations, context=context)
        tokens = {p.confirmation_key: p.confirmation_token for p in evaluation.soft_problems
                  if p.rule_id == rule_id and p.confirmation_token is not None}
        if tokens:
            try:
                result = record_update(record=record, user=user, changes={}, confirmations=tokens,
                                       channel="upload", today=today)
            except RecordWriteRefused:
                refused += 1
                continue
            evaluation = result.evaluation
            confirmed += 1
        refresh_upload_row(definition, row, record, evaluation)
    # These rows are up to date now; marking them synced spares the next page from evaluating them all again.
    _resummarise(upload, rows_synced_at=timezone.now().isoformat())
    return SoftConfirmation(confirmed, refused)


_CONFIRMING_NOTE = "confirming"  # the summary's note of what a worker is confirming, until it is done
_CONFIRMING_HEARTBEAT_ROWS = 100  # rows between two "still working" marks (see stalled_confirmations)


def start_confirming_soft_problem(upload: Upload, *, rule_id: str, user_id: int) -> bool:
    """Mark a ready upload as confirming a soft problem for all its rows (done by a worker); False if not ready.

    The status change is the lock: a second click, or a confirmation of the whole upload, finds it busy. What is
    confirmed, and by whom, is noted in the summary so that a worker that starts after one died can finish it.
    """
    note = {"rule": rule_id, "user_id": user_id}
    started = Upload.objects.filter(pk=upload.pk, status=UploadStatus.READY).update(
        status=UploadStatus.CONFIRMING, updated_at=timezone.now(),
        summary={**(upload.summary or {}), _CONFIRMING_NOTE: note},
    )
    if started:
        upload.status = UploadStatus.CONFIRMING
        upload.summary = {**(upload.summary or {}), _CONFIRMING_NOTE: note}
    return bool(started)


def finish_confirming_soft_problem(upload_id: int, *, rule_id: str, user_id: int, today: date | None = None) -> None:
    """The worker's part: confirm the soft problem for every row that has it, note the outcome, ready again.

    Running it twice (a redelivered task) confirms nothing twice: confirmed problems have no token left.
    """
    upload = Upload.objects.filter(pk=upload_id, status=UploadStatus.CONFIRMING).first()
    if upload is None:
        return
    try:
        user = User.objects.get(pk=user_id)
        outcome = confirm_soft_problem_for_all(upload, rule_id=rule_id, user=user, today=today)
        note = {"rule": rule_id, "confirmed": outcome.confirmed, "refused": outcome.refused}
        upload.refresh_from_db(fields=["summary"])
        summary = {k: v for k, v in (upload.summary or {}).items() if k != _CONFIRMING_NOTE}
        Upload.objects.filter(pk=upload.pk).update(summary={**summary, "soft_confirmation": note}, updated_at=timezone.now())
    finally:
        Upload.objects.filter(pk=upload.pk, status=UploadStatus.CONFIRMING).update(status=UploadStatus.READY)


def sync_rows_changed_on_the_web(upload: Upload, *, today: date | None = None) -> int:
    """Refresh the rows whose record was changed (in the web form) since the last refresh; returns how many.

    Records are written only through `record_update`, which raises `version`, so a record at version 1 is
    as processing left it. `rows_synced_at` in the summary is taken before reading, so a change made while
    this runs is picked up next time rather than missed.
    """
    started = timezone.now()
    changed = Record.objects.filter(upload_id=upload.pk, version__gt=1)
    synced_at = (upload.summary or {}).get("rows_synced_at")
    if synced_at:
        changed = changed.filter(updated_at__gte=synced_at)
    records = {record.pk: record for record in changed}
    if not records:
        return 0
    definition = definition_for(str(connection.schema_name), upload.form, upload.year)  # type: ignore[attr-defined]
    rows = UploadRow.objects.filter(upload=upload, record_id__in=list(records))
    for row in rows:
        record = records[row.record_id]  # type: ignore[index]
        context = build_eval_context(definition=definition, answers=record.answers, today=today)
        evaluation = definition.evaluate(record.answers, confirmations=record.confirmations, context=context)
        refresh_upload_row(definition, row, record, evaluation)
    _resummarise(upload, rows_synced_at=started.isoformat())
    return len(records)


def recent_uploads_for(*, user: User, limit: int = 20) -> list[Upload]:
    """The confirmed uploads of the user's organisation, newest first: the records list filters by them."""
    if user.organisation_id is None:
        return []
    return list(Upload.objects.filter(organisation_id=user.organisation_id, status=UploadStatus.CONFIRMED)
                .order_by("-created_at")[:limit])
