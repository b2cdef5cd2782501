"""Bulk upload, processing: evaluate and store a file's rows in chunks, resumably.

Rows are evaluated with the same `Definition.evaluate` as the web form (in worker processes for long files:
evaluating.py) and stored in chunks (store.py); each chunk commits its records and row results together, so a
worker killed mid-file resumes after the last committed row. The unique (upload_id, upload_row) on Record means
a row can never be stored twice. Records stay hidden until the user confirms the upload (review.py).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone

from dcp_platform.accounts.models import User
from dcp_platform.collector import freeze_long_lived, long_lived_objects_frozen
from dcp_platform.definitions import Definition
from dcp_platform.lookups.adapters import prepare_lookups
from dcp_platform.notifications.kinds import UPLOAD_PROCESSED
from dcp_platform.notifications.services import notification_send
from dcp_platform.records.models import Record
from dcp_platform.records.services import (
    AssigneeNotAllowed,
    Assignees,
    allowed_organisations,
    duplicate_key,
    window_refusal,
)
from dcp_platform.registry import definition_for, get_plugin
from dcp_platform.tenancy.models import Collection
from dcp_platform.tenancy.selectors import collection_url

from ..decode import RowDecoder
from ..evaluating import (
    AllowedOrganisation,
    EvaluatedRow,
    RowWork,
    evaluated_rows,
    row_problem,
    worker_processes,
)
from ..models import Upload, UploadRow, UploadStatus
from ..rows import RowCells
from ..store import NewRecord, RowResult, store_chunk
from ..table import TableLayout, data_rows, read_layout
from .receiving import check_upload

CHUNK_ROWS = 500
# Files with fewer rows left to process than this are evaluated in the task's own process: starting worker
# processes (forking, about 20 ms each) gains nothing on a few hundred rows.
PROCESSES_FROM_ROWS = 1000


def _chunk_pause() -> float:
    # Lets the kill-a-worker test catch a worker in the middle of a file; 0 in normal running.
    return float(os.environ.get("DCP_UPLOAD_CHUNK_PAUSE", "0"))


@dataclass
class _Context:
    work: RowWork
    windows: dict[tuple[Any, ...], str | None] = field(default_factory=dict)
    existing: set[int] = field(default_factory=set)  # the duplicate keys of records stored before this upload
    assignees: Assignees = field(default_factory=Assignees)
    user: User | None = None


def _window_problem(ctx: _Context, year: int, record_date: date | None) -> str | None:
    return window_refusal(year=year, record_date=record_date, action="create", today=ctx.work.today,
                          cache=ctx.windows)


def _existing_keys(definition: Definition, upload: Upload, allowed_org_ids: set[int]) -> set[int]:
    """Duplicate keys of the records already stored, read a few answers at a time (never whole records).

    When the duplicate check includes the owning organisation, only that organisation's records can match, and
    rows for organisations the user may not upload for are refused anyway: so only those records are read.
    """
    records = Record.objects.filter(form=upload.form, year=upload.year).exclude(upload_id=upload.pk)
    if definition.owner_question and definition.owner_question in definition.duplicate_check:
        records = records.filter(owning_organisation_id__in=allowed_org_ids)
    names = list(definition.duplicate_check)
    keys: set[int] = set()
    if not names:
        return keys
    columns = [KT(f"answers__{name}") for name in names]
    for values in records.values_list(*columns).iterator(chunk_size=5000):
        key = duplicate_key(definition, dict(zip(names, values, strict=True)))
        if key is not None:
            keys.add(key)
    return keys


def _finish_row(ctx: _Context, upload: Upload, row: EvaluatedRow) -> tuple[NewRecord | None, RowResult]:
    """What depends on the database and on earlier rows, in file order: the window and duplicates."""
    definition = ctx.work.definition
    problems = row.problems
    window = _window_problem(ctx, upload.year, row.record_date)
    refused = row.refused
    if window:
        fields = definition.question(definition.date_question).all_template_fields() if definition.date_question else []
        window_problem = row_problem(fields, definition.date_question or "", "window", "refuse", window)
        if ctx.work.cells.flat is not None:
            ctx.work.cells.flat.name_columns([window_problem])
        problems.append(window_problem)
        refused = True
    problems.extend(row.rule_problems)
    # Duplicates within the file are flagged once every row is stored (_flag_duplicates_within_the_file).
    result = RowResult(row_number=row.number, status="refused", problems=problems, duplicate_key=row.duplicate_key)
    if row.duplicate_key is not None and row.duplicate_key in ctx.existing:
        result.duplicate_of = "an existing record"
    assignee_id = None
    if not refused and ctx.user is not None:
        question_id = definition.assignee_question
        try:
            assignee_id = ctx.assignees.resolve(
                answer=row.assignee_answer, changed=True, current=None, writer=ctx.user,
                owner_id=row.owning_organisation_id, manager_id=row.managing_organisation_id, question_id=question_id)
        except AssigneeNotAllowed as refusal:
            fields = definition.question(question_id).all_template_fields() if question_id else []
            assignee_problem = row_problem(fields, question_id or "", "assignee", "refuse", refusal.message)
            if ctx.work.cells.flat is not None:
                ctx.work.cells.flat.name_columns([assignee_problem])
            problems.append(assignee_problem)
            refused = True
    if refused:
        return None, result
    result.status = row.row_status
    record = NewRecord(
        row_number=row.number, status=row.record_status, answers_json=row.answers_json,
        derived_json=row.derived_json, owning_organisation_id=row.owning_organisation_id,
        managing_organisation_id=row.managing_organisation_id, reference=row.reference,
        search_text=row.search_text, record_date=row.record_date, assigned_to_id=assignee_id,
    )
    return record, result


def _commit_chunk(upload: Upload, records: list[NewRecord], results: list[RowResult], processed: int) -> None:
    with transaction.atomic():
        now = timezone.now()
        store_chunk(upload_id=upload.pk, form=upload.form, year=upload.year, user_id=upload.user_id,
                    records=records, results=results, now=now)
        Upload.objects.filter(pk=upload.pk).update(processed_rows=processed, updated_at=now)


class _ChunkWriter:
    """Commits chunks one at a time and in file order, in a second thread while the next chunk is built.

    About a third of an upload's time is PostgreSQL's work on each chunk (the COPYs, index and foreign-key upkeep,
    the commit), during which the processing thread used to wait; in the writer's thread it overlaps with decoding
    and evaluating the next chunk (PostgreSQL runs in its own process, and psycopg lets go of the GIL while it
    waits). Nothing changes for what a crash leaves behind: each chunk is still one transaction with its progress,
    at most one is in flight, and the next is handed over only after the last one committed, so the stored rows
    are always a prefix of the file that a restarted task resumes after.

    The writer's thread has its own connection, which cannot see what the processing connection has not committed:
    inside a transaction (tests that roll back; any caller's atomic block) chunks are committed in the calling
    thread, as before.
    """

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self._tenant = getattr(connection, "tenant", None)
        self._executor: ThreadPoolExecutor | None = None
        if not connection.in_atomic_block and self._tenant is not None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"upload-{upload.pk}-store")
        self._pending: Future[None] | None = None

    def commit(self, records: list[NewRecord], results: list[RowResult], processed: int) -> None:
        self.wait()
        if self._executor is None:
            _commit_chunk(self.upload, records, results, processed)
        else:
            self._pending = self._executor.submit(self._commit_in_thread, records, results, processed)

    def _commit_in_thread(self, records: list[NewRecord], results: list[RowResult], processed: int) -> None:
        connection.set_tenant(self._tenant)  # type: ignore[attr-defined]  # this thread's own connection
        _commit_chunk(self.upload, records, results, processed)

    def wait(self) -> None:
        """Until the chunk in flight is committed; its error, if it failed, is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if self._executor is None:
            return
        try:
            self.wait()
        finally:
            self._executor.submit(_close_this_threads_connection).result()
            self._executor.shutdown()


def _close_this_threads_connection() -> None:
    connection.close()  # `connection` is per thread: looked up when called, in the thread that calls it


def process_rows(upload: Upload, definition: Definition, *, today: date | None = None) -> None:
    """Phase 2: evaluate and store every row after the last committed one, chunk by chunk."""
    with long_lived_objects_frozen():
        _process_rows(upload, definition, today=today)


def _process_rows(upload: Upload, definition: Definition, *, today: date | None = None) -> None:
    last = UploadRow.objects.filter(upload=upload).aggregate(last=Max("row_number"))["last"] or 0
    done = UploadRow.objects.filter(upload=upload).count()
    user = upload.user
    layout = TableLayout(upload.kind, list(upload.headers), 0)
    allowed = allowed_organisations(user=user)
    prepare_lookups()  # the postcode lookup's table, read here: the worker processes use no database
    ctx = _Context(work=RowWork(
        definition=definition, decoder=RowDecoder(definition, get_plugin(definition.collection).codecs),
        cells=RowCells.for_upload(upload, definition),
        allowed={code: AllowedOrganisation(org.pk, org.provider_type) for code, org in allowed.items()},
        fallback_organisation_id=user.organisation_id, today=today or timezone.localdate(),
        submitting=allowed.submitting,
    ), user=user)
    ctx.existing = _existing_keys(definition, upload, {org.pk for org in allowed.values()})
    freeze_long_lived()  # the context lives as long as the file
    records: list[NewRecord] = []
    results: list[RowResult] = []
    pause = _chunk_pause()
    processes = worker_processes() if (upload.total_rows or 0) - last >= PROCESSES_FROM_ROWS else 1
    # The writer's thread starts with the first chunk's commit, after evaluated_rows has forked its workers.
    writer = _ChunkWriter(upload)
    try:
        # Rows committed before a restart are skipped unread: nothing of theirs is needed again.
        rows = ((number, row) for number, row in _file_rows(upload, layout) if number > last)
        for evaluated in evaluated_rows(ctx.work, rows, processes=processes):
            record, result = _finish_row(ctx, upload, evaluated)
            done += 1
            results.append(result)
            if record is not None:
                records.append(record)
            if len(results) >= CHUNK_ROWS:
                writer.commit(records, results, done)
                records, results = [], []
                freeze_long_lived()  # what outlives a chunk (remembered values) is long-lived too
                if pause:
                    writer.wait()  # the pause (tests: the window to kill the worker in) follows a committed chunk
                    time.sleep(pause)
        writer.commit(records, results, done)
    finally:
        writer.close()
    _finish(upload)


def _file_rows(upload: Upload, layout: TableLayout) -> Iterator[tuple[int, list[str]]]:
    real = read_layout(Path(upload.stored_path), upload.filename)
    yield from data_rows(Path(upload.stored_path), real, upload.filename)


# Each row whose duplicate key an earlier row of the file has is a duplicate of the first such row (which takes
# precedence over matching an existing record). Done once every row is stored: a digest per row held in memory
# until the end of the file grew with the file (about 180 bytes a row).
_DUPLICATES_WITHIN_THE_FILE_SQL = """
    UPDATE uploads_uploadrow AS result SET duplicate_of = 'row ' || firsts.first_row
    FROM (SELECT id, row_number, min(row_number) OVER (PARTITION BY duplicate_key) AS first_row
          FROM uploads_uploadrow WHERE upload_id = %s AND duplicate_key IS NOT NULL) AS firsts
    WHERE result.id = firsts.id AND firsts.row_number <> firsts.first_row
"""


def _flag_duplicates_within_the_file(upload: Upload) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_DUPLICATES_WITHIN_THE_FILE_SQL, [upload.pk])


def _finish(upload: Upload) -> None:
    _flag_duplicates_within_the_file(upload)
    upload.refresh_from_db()
    upload.summary = {**(upload.summary or {}), **summarise(upload)}
    upload.status = UploadStatus.READY
    upload.processed_rows = upload.total_rows
    upload.save(update_fields=["summary", "status", "processed_rows", "updated_at"])
    notify_upload_processed(upload)


def notify_upload_processed(upload: Upload) -> None:
    """Tell the person who uploaded the file that it is processed, with its counts and a link to its results.

    Once per upload: the dedupe key names the schema and the upload, so a resumed or redelivered job that
    finishes again sends nothing more.
    """
    schema = str(connection.schema_name)  # type: ignore[attr-defined]
    user = User.objects.filter(pk=upload.user_id).first()
    if user is None:
        return
    summary = upload.summary or {}
    counts = [(summary.get("completed", 0), "complete"), (summary.get("in_progress", 0), "in progress"),
              (summary.get("refused", 0), "refused")]
    words = ", ".join(f"{n} {label}" for n, label in counts if n)
    duplicates = summary.get("duplicates", 0)
    body = (f"{upload.filename}: {upload.total_rows} row{'s' if upload.total_rows != 1 else ''} checked"
            f"{' (' + words + ')' if words else ''}"
            f"{f', {duplicates} possible duplicate' + ('s' if duplicates != 1 else '') if duplicates else ''}. "
            "Review the results and confirm the upload to add its records.")
    collection = Collection.objects.get(schema_name=schema)
    # An absolute address on the collection's site: notifications are read on every host and by email.
    link = collection_url(collection, path=reverse("uploads:detail", args=[upload.pk]))
    notification_send(user=user, kind=UPLOAD_PROCESSED, title=f"Your upload {upload.filename} has been processed",
                      body=body, link=link, collection_slug=collection.slug,
                      dedupe_key=f"upload_processed:{schema}:{upload.pk}")


_TOP_PROBLEM_GROUPS = 50

# Problem groups counted by PostgreSQL (reading every row's problems into Python cost more than storing them).
# Ties keep the order in which the groups first appear (by row, then by place in the row), as a walk of the rows
# in order would: the first place is row * 1,000,000 + position (a row has far fewer problems than that).
_PROBLEM_GROUPS_SQL = """
    SELECT problem->>'question', problem->>'severity', problem->>'message', count(*) AS rows,
           min(result.row_number::bigint * 1000000 + place) AS first
    FROM uploads_uploadrow AS result
    CROSS JOIN LATERAL jsonb_array_elements(result.problems) WITH ORDINALITY AS listed(problem, place)
    WHERE result.upload_id = %s
    GROUP BY 1, 2, 3
    ORDER BY rows DESC, first
    LIMIT %s
"""


def summarise(upload: Upload) -> dict[str, Any]:
    """Rows by status, duplicates, and the most common problems (question, severity, message) with their rows."""
    counts: dict[str, Any] = {"completed": 0, "in_progress": 0, "refused": 0, "duplicates": 0}
    by_status = UploadRow.objects.filter(upload=upload).values_list("status").annotate(
        rows=Count("pk"), duplicates=Count("pk", filter=~Q(duplicate_of="")),
    ).order_by("status")
    for status, rows, duplicates in by_status:
        counts[status] = counts.get(status, 0) + rows
        counts["duplicates"] += duplicates
    with connection.cursor() as cursor:
        cursor.execute(_PROBLEM_GROUPS_SQL, [upload.pk, _TOP_PROBLEM_GROUPS])
        groups = cursor.fetchall()
    counts["problem_groups"] = [
        {"question": question, "severity": severity, "message": message, "rows": rows}
        for question, severity, message, rows, _first in groups
    ]
    return counts


def summarise_in_python(upload: Upload) -> dict[str, Any]:
    """`summarise` as a walk over every row result in Python (the reference the tests compare it with)."""
    counts = {"completed": 0, "in_progress": 0, "refused": 0, "duplicates": 0}
    groups: dict[str, int] = {}
    for status, problems, duplicate in UploadRow.objects.filter(upload=upload).values_list(
        "status", "problems", "duplicate_of"
    ).iterator(chunk_size=2000):
        counts[status] = counts.get(status, 0) + 1
        counts["duplicates"] += 1 if duplicate else 0
        for problem in problems:
            key = f"{problem['question']}\x1f{problem['severity']}\x1f{problem['message']}"
            groups[key] = groups.get(key, 0) + 1
    top = sorted(groups.items(), key=lambda kv: -kv[1])[:_TOP_PROBLEM_GROUPS]
    counts_out: dict[str, Any] = dict(counts)
    counts_out["problem_groups"] = [
        dict(zip(("question", "severity", "message"), key.split("\x1f"), strict=True)) | {"rows": n} for key, n in top
    ]
    return counts_out


def _upload_lock_key(schema: str, upload_id: int) -> int:
    digest = hashlib.blake2b(f"upload:{schema}:{upload_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def process_upload(upload_id: int, *, today: date | None = None) -> None:
    """The whole background job for one upload (called by the Celery task inside the collection's schema).

    Safe to run again at any time (a redelivered or re-queued task): it resumes after the last committed chunk,
    and a PostgreSQL advisory lock makes a second run wait its turn rather than work on the same upload at once.
    The lock belongs to the database session, so a killed worker's lock goes with its connection.
    """
    schema = str(connection.schema_name)  # type: ignore[attr-defined]
    key = _upload_lock_key(schema, upload_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        locked = bool(cursor.fetchone()[0])
    if not locked:
        return  # another worker is processing this upload right now
    try:
        upload = Upload.objects.get(pk=upload_id)
        # The date the window is checked against is kept, so a resumed job checks the same way.
        if today is not None:
            upload.summary = {**(upload.summary or {}), "as_of": today.isoformat()}
            Upload.objects.filter(pk=upload.pk).update(summary=upload.summary)
        elif (upload.summary or {}).get("as_of"):
            today = date.fromisoformat(upload.summary["as_of"])
        definition = definition_for(schema, upload.form, upload.year)
        if upload.status in (UploadStatus.WAITING, UploadStatus.CHECKING):
            Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.CHECKING)
            check_upload(upload, definition)
        if upload.status == UploadStatus.PROCESSING:
            process_rows(upload, definition, today=today)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def stalled_upload_ids(*, older_than_seconds: float) -> list[int]:
    """Uploads still being checked or processed whose last progress is older than this: their worker died."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(Upload.objects.filter(
        status__in=[UploadStatus.WAITING, UploadStatus.CHECKING, UploadStatus.PROCESSING], updated_at__lt=cutoff,
    ).values_list("pk", flat=True))
