"""Bulk upload: receive a file, check it, map it, process its rows in chunks (resumably), confirm it.

Rows are evaluated with the same `Definition.evaluate` as the web form (in worker processes for long files:
evaluating.py) and stored in chunks (store.py); each chunk commits its records and row results together, so a
worker killed mid-file resumes after the last committed row. The unique (upload_id, upload_row) on Record means a row can never be stored twice.
Records stay hidden until the user confirms the upload.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from dcp_platform.accounts.models import User
from dcp_platform.definitions import Definition
from dcp_platform.records.models import Record
from dcp_platform.records.services import (
    RecordWriteRefused,
    allowed_organisations,
    build_eval_context,
    duplicate_key,
    read_only_reason,
    record_update,
    window_refusal,
)
from dcp_platform.registry import definition_for, definitions_for, get_plugin
from dcp_platform.tenancy.models import Participation

from .decode import RowDecoder
from .evaluating import (
    AllowedOrganisation,
    EvaluatedRow,
    RowWork,
    evaluated_rows,
    row_problem,
    worker_processes,
)
from .flat import FLAT_KIND, match_flat
from .learning import learned_mappings_for, learned_mappings_record
from .mapping import mapper_for
from .models import SavedMapping, Upload, UploadRow, UploadStatus
from .other_forms import other_form_problem
from .reading import FileRejected, kind_of
from .reports import scan_column_values, target_label, targets_by_key
from .rows import RowCells
from .store import NewRecord, RowResult, store_chunk
from .table import TableLayout, data_rows, read_layout, scan
from .template import match_template

CHUNK_ROWS = 500
# Files with fewer rows left to process than this are evaluated in the task's own process: starting worker
# processes (forking, about 20 ms each) gains nothing on a few hundred rows.
PROCESSES_FROM_ROWS = 1000


def _chunk_pause() -> float:
    # Lets the kill-a-worker test catch a worker in the middle of a file; 0 in normal running.
    return float(os.environ.get("DCP_UPLOAD_CHUNK_PAUSE", "0"))


def uploads_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "uploads" / str(connection.schema_name)  # type: ignore[attr-defined]
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Received:
    upload: Upload
    already_uploaded: bool


def receive_file(*, user: User, form: str, year: int, handle: IO[bytes], filename: str) -> Received:
    """Store the file, hashing it as it streams; the same file again for the same org/form/year is not re-run."""
    kind_of(filename)  # refuse unknown types before storing anything
    digest = hashlib.sha256()
    target = uploads_dir() / f"incoming-{os.getpid()}-{time.monotonic_ns()}"
    with open(target, "wb") as out:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
            out.write(chunk)
    file_hash = digest.hexdigest()
    if user.organisation_id is None:
        raise FileRejected("Your account is not linked to an organisation, so it cannot upload records.")
    existing = Upload.objects.filter(
        organisation_id=user.organisation_id, form=form, year=year, file_hash=file_hash,
    ).exclude(status__in=[UploadStatus.REJECTED, UploadStatus.CANCELLED]).first()
    if existing is not None:
        target.unlink()
        return Received(existing, True)
    final = uploads_dir() / f"{file_hash}{Path(filename).suffix.lower()}"
    target.replace(final)
    upload = Upload.objects.create(
        form=form, year=year, organisation_id=user.organisation_id, user=user, filename=filename[:255],
        stored_path=str(final), file_hash=file_hash,
    )
    return Received(upload, False)


# ---------------------------------------------------------------------------------------------- checking


def check_upload(upload: Upload, definition: Definition) -> None:
    """Phase 1: the whole file is read once before anything is stored; a bad file is refused as a whole."""
    path = Path(upload.stored_path)
    try:
        layout, count = scan(path, upload.filename)
        upload.kind, upload.signature, upload.total_rows = layout.kind, layout.signature, count
        upload.headers = layout.headers
        if not _takes_part(upload):
            raise FileRejected("Your organisation does not take part in this collection, so it cannot upload records.")
        read_only = read_only_reason(upload.user)
        if read_only is not None:
            raise FileRejected(read_only)
        wrong_form = other_form_problem(layout, definition, definitions_for(definition.collection).values())
        if wrong_form is not None:
            raise FileRejected(wrong_form)
        if layout.kind == "template":
            match = match_template(layout, definition)
            upload.column_mapping = {str(index): f"field:{number}" for index, number in match.columns.items()}
            upload.status = UploadStatus.PROCESSING
        elif (flat := match_flat(layout.headers, definition)) is not None:  # headed by flat names: no questions
            upload.kind, upload.column_mapping, upload.status = FLAT_KIND, flat.column_mapping, UploadStatus.PROCESSING
            upload.summary = {"ignored_columns": flat.ignored} if flat.ignored else {}
        else:
            _propose_columns(upload, layout, definition)
    except FileRejected as error:
        upload.status, upload.message = UploadStatus.REJECTED, error.message
    upload.save()


def _takes_part(upload: Upload) -> bool:
    """The uploader's organisation takes part in the collection whose schema this is (Participation)."""
    return upload.user.is_support or Participation.objects.filter(
        organisation_id=upload.organisation_id, collection__schema_name=connection.schema_name,  # type: ignore[attr-defined]
    ).exists()


def _propose_columns(upload: Upload, layout: TableLayout, definition: Definition) -> None:
    saved = SavedMapping.objects.filter(
        organisation_id=upload.organisation_id, form=upload.form, year=upload.year, signature=layout.signature,
    ).first()
    if saved is not None:
        upload.column_mapping, upload.value_mapping = saved.column_mapping, saved.value_mapping
        upload.status = UploadStatus.PROCESSING
        return
    rows = (cells for _, cells in data_rows(Path(upload.stored_path), layout, upload.filename))
    learned = learned_mappings_for(organisation_id=upload.organisation_id, form=upload.form, headers=layout.headers)
    proposals = mapper_for(definition).propose(layout.headers, rows, learned)
    upload.column_mapping = {str(p.index): p.target.key for p in proposals if p.target is not None}
    upload.summary = {"proposal_scores": {str(p.index): round(p.score, 3) for p in proposals}}
    upload.status = UploadStatus.NEEDS_MAPPING  # the user reviews every proposal from a provider's own file


def confirm_mapping(
    upload: Upload, *, column_mapping: dict[str, str], value_mapping: dict[str, dict[str, Any]]
) -> None:
    """Save the user's mapping for the organisation (same shape next time) and start processing."""
    upload.column_mapping, upload.value_mapping = column_mapping, value_mapping
    upload.status = UploadStatus.PROCESSING
    upload.save(update_fields=["column_mapping", "value_mapping", "status", "updated_at"])
    SavedMapping.objects.update_or_create(
        organisation_id=upload.organisation_id, form=upload.form, year=upload.year, signature=upload.signature,
        defaults={"column_mapping": column_mapping, "value_mapping": value_mapping},
    )
    learned_mappings_record(upload=upload)  # every confirmed mapping teaches the automatic mapper


# ---------------------------------------------------------------------------------------------- processing


@dataclass
class _Context:
    work: RowWork
    windows: dict[tuple[Any, ...], str | None] = field(default_factory=dict)
    existing: set[int] = field(default_factory=set)  # the duplicate keys of records stored before this upload


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
    if refused:
        return None, result
    result.status = row.row_status
    record = NewRecord(
        row_number=row.number, status=row.record_status, answers_json=row.answers_json,
        derived_json=row.derived_json, owning_organisation_id=row.owning_organisation_id,
        managing_organisation_id=row.managing_organisation_id, reference=row.reference,
        search_text=row.search_text, record_date=row.record_date,
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


@contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """Keep Python's cycle collector from walking the whole process again and again while rows are processed.

    Each row makes thousands of short-lived containers (freed by reference counting, almost never cycles), so
    the collector runs often, and each of its older-generation runs walked everything Django, the definitions
    and the row context hold: about 2 s of a 10,000-row template file (14%), 0.75 s with this. What exists
    when processing starts, and what outlives each chunk (remembered values), is frozen
    (gc.freeze: out of the collector's sight, still freed by reference counting); afterwards it is unfrozen
    again unless something else had frozen objects before.
    """
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


def process_rows(upload: Upload, definition: Definition, *, today: date | None = None) -> None:
    """Phase 2: evaluate and store every row after the last committed one, chunk by chunk."""
    with _long_lived_objects_frozen():
        _process_rows(upload, definition, today=today)


def _process_rows(upload: Upload, definition: Definition, *, today: date | None = None) -> None:
    last = UploadRow.objects.filter(upload=upload).aggregate(last=Max("row_number"))["last"] or 0
    done = UploadRow.objects.filter(upload=upload).count()
    user = upload.user
    layout = TableLayout(upload.kind, list(upload.headers), 0)
    allowed = allowed_organisations(user=user)
    ctx = _Context(work=RowWork(
        definition=definition, decoder=RowDecoder(definition, get_plugin(definition.collection).codecs),
        cells=RowCells.for_upload(upload, definition),
        allowed={code: AllowedOrganisation(org.pk, org.provider_type) for code, org in allowed.items()},
        fallback_organisation_id=user.organisation_id, today=today or timezone.localdate(),
    ))
    ctx.existing = _existing_keys(definition, upload, {org.pk for org in allowed.values()})
    gc.freeze()  # the context lives as long as the file (see _long_lived_objects_frozen)
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
                gc.freeze()  # what outlives a chunk (remembered values) is long-lived too
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


# ---------------------------------------------------------------------------------------------- mapping review


NOT_USED = ""  # the "Do not use this column" choice


def column_values(upload: Upload) -> dict[str, Any]:
    """Sample and distinct values per column, read from the file once and kept in the upload's summary."""
    cached = (upload.summary or {}).get("column_values")
    if cached is None:
        cached = scan_column_values(upload)
        upload.summary = {**(upload.summary or {}), "column_values": cached}
        Upload.objects.filter(pk=upload.pk).update(summary=upload.summary)
    return dict(cached)


def check_column_choices(
    definition: Definition, headers: list[str], chosen: dict[str, str]
) -> dict[str, str]:
    """Errors by column index: unknown targets, and two columns that would fill the same template field."""
    targets = targets_by_key(definition)
    errors: dict[str, str] = {}
    filled_by: dict[int, str] = {}
    for index, key in sorted(chosen.items(), key=lambda kv: int(kv[0])):
        if key == NOT_USED:
            continue
        target = targets.get(key)
        if target is None:
            errors[index] = f"Choose a question from the list for “{headers[int(index)]}”, or “Do not use this column”"
            continue
        clash = next((filled_by[n] for n in target.fields if n in filled_by), None)
        if clash is not None:
            errors[index] = (
                f"“{headers[int(clash)]}” and “{headers[int(index)]}” both fill {target_label(definition, target)}. "
                "Choose another question for one of them, or “Do not use this column”"
            )
            errors.setdefault(clash, errors[index])
            continue
        for number in target.fields:
            filled_by[number] = index
    if not errors and all(key == NOT_USED for key in chosen.values()):
        errors["0"] = "Choose a question for at least one column"
    return errors


def save_column_choices(upload: Upload, column_mapping: dict[str, str]) -> None:
    """Keep the user's column choices while they match the values; processing starts at `confirm_mapping`."""
    upload.column_mapping = column_mapping
    upload.value_mapping = {k: v for k, v in (upload.value_mapping or {}).items() if k in column_mapping.values()}
    upload.save(update_fields=["column_mapping", "value_mapping", "updated_at"])


# ---------------------------------------------------------------------------------------------- after processing


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
