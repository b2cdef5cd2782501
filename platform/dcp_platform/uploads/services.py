"""Bulk upload: receive a file, check it, map it, process its rows in chunks (resumably), confirm it.

Rows are evaluated with the same `Definition.evaluate` as the web form and written with `bulk_create` in
chunks; each chunk commits its records and row results together, so a worker killed mid-file resumes after
the last committed row. The unique (upload_id, upload_row) on Record means a row can never be stored twice.
Records stay hidden until the user confirms the upload.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dcp_platform.accounts.models import Organisation, User
from dcp_platform.accounts.selectors import related_organisations_for
from dcp_platform.cms.windows import check_window
from dcp_platform.definitions import Definition, EvalContext
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.records.services import _reference, _search_text
from dcp_platform.registry import definition_for, get_plugin
from dcp_platform.tenancy.models import Participation

from .decode import RowDecoder
from .flat import FLAT_KIND, match_flat
from .mapping import mapper_for
from .models import SavedMapping, Upload, UploadRow, UploadStatus
from .reading import FileRejected, kind_of
from .rows import RowCells
from .table import TableLayout, data_rows, scan
from .template import match_template

CHUNK_ROWS = 500


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
    proposals = mapper_for(definition).propose(layout.headers, rows)
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


# ---------------------------------------------------------------------------------------------- processing


@dataclass
class _Context:
    definition: Definition
    decoder: RowDecoder
    cells: RowCells
    user: User
    allowed_orgs: dict[str, Organisation]
    today: date
    windows: dict[date | None, str | None] = field(default_factory=dict)
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)
    existing: set[tuple[Any, ...]] = field(default_factory=set)


def _window_problem(ctx: _Context, year: int, record_date: date | None) -> str | None:
    if record_date not in ctx.windows:
        decision = check_window(year=year, record_date=record_date, action="create", today=ctx.today)
        ctx.windows[record_date] = None if decision.allowed else decision.message
    return ctx.windows[record_date]


def _duplicate_key(definition: Definition, answers: dict[str, Any]) -> tuple[Any, ...] | None:
    if not definition.duplicate_check:
        return None
    key = tuple(answers.get(q) for q in definition.duplicate_check)
    return None if any(v in (None, "") for v in key) else tuple(str(v).lower() for v in key)


def _existing_keys(definition: Definition, upload: Upload) -> set[tuple[Any, ...]]:
    keys: set[tuple[Any, ...]] = set()
    records = Record.objects.filter(form=upload.form, year=upload.year).exclude(upload_id=upload.pk)
    for answers in records.values_list("answers", flat=True).iterator(chunk_size=2000):
        key = _duplicate_key(definition, answers or {})
        if key is not None:
            keys.add(key)
    return keys


def _problem(fields: list[int], question: str, rule: str, severity: str, message: str) -> dict[str, Any]:
    return {"fields": fields, "question": question, "rule": rule, "severity": severity, "message": message}


def _build_row(ctx: _Context, upload: Upload, number: int, row: list[str]) -> tuple[Record | None, UploadRow]:
    if ctx.cells.flat is not None:  # a flat file: decoded by column (flat.py)
        answers, cell_errors, problems = ctx.cells.flat.decode(row)
    else:
        cells = ctx.cells.cells(row)
        answers, cell_errors = ctx.decoder.decode(cells)
        problems = [_problem([n], ctx.decoder.question_of.get(n, ""), f"cell.{n}", "hard", message)
                    for n, message in sorted(cell_errors.items())]
    definition = ctx.definition
    result = UploadRow(upload=upload, row_number=number, status="refused")
    for question_id in (definition.owner_question, definition.manager_question):
        code = answers.get(question_id) if question_id else None
        if code and str(code) not in ctx.allowed_orgs:
            fields = definition.question(question_id).all_template_fields() if question_id else []
            problems.append(_problem(fields, question_id or "", "organisation", "refuse",
                                     f"You cannot upload records for the organisation {code}."))
    extra = {
        f"{role}_organisation_provider_type": getattr(ctx.allowed_orgs.get(str(answers.get(q) or "")), "provider_type", None)
        for role, q in (("owning", definition.owner_question), ("managing", definition.manager_question)) if q
    }
    evaluation = definition.evaluate(answers, context=EvalContext(today=ctx.today, extra=extra))
    stored = evaluation.answers
    record_date = date.fromisoformat(stored[definition.date_question]) \
        if definition.date_question and stored.get(definition.date_question) else None
    window = _window_problem(ctx, upload.year, record_date)
    if window:
        fields = definition.question(definition.date_question).all_template_fields() if definition.date_question else []
        problems.append(_problem(fields, definition.date_question or "", "window", "refuse", window))
    for problem in evaluation.problems:
        problems.append(_problem(problem.template_fields, problem.fields[0].key if problem.fields else "",
                                 problem.rule_id, problem.severity, problem.message))
    key = _duplicate_key(definition, stored)
    if key is not None:
        if key in ctx.seen:
            result.duplicate_of = f"row {ctx.seen[key]}"
        elif key in ctx.existing:
            result.duplicate_of = "an existing record"
        ctx.seen.setdefault(key, number)
    if ctx.cells.flat is not None:
        ctx.cells.flat.name_columns(problems)  # each problem names the file's column it belongs to
    result.problems = problems
    if any(p["severity"] == "refuse" for p in problems):
        return None, result
    has_errors = bool(cell_errors) or any(p["severity"] in ("hard", "soft") for p in problems)
    result.status = "in_progress" if has_errors or evaluation.status != "completed" else "completed"
    owner = ctx.allowed_orgs.get(str(stored.get(definition.owner_question or "") or "")) or ctx.user.organisation
    manager = ctx.allowed_orgs.get(str(stored.get(definition.manager_question or "") or "")) or owner
    record = Record(
        form=upload.form, year=upload.year, status=evaluation.status if not cell_errors else "in_progress",
        answers=stored, derived=evaluation.derived_json(), confirmations={},
        owning_organisation=owner, managing_organisation=manager,
        reference=_reference(definition, stored), search_text=_search_text(definition, stored),
        record_date=record_date, visible=False, source_channel="upload", upload_id=upload.pk, upload_row=number,
        created_by=ctx.user, updated_by=ctx.user,
    )
    return record, result


def _commit_chunk(upload: Upload, records: list[Record], results: list[UploadRow], processed: int) -> None:
    with transaction.atomic():
        created = Record.objects.bulk_create(records)
        by_row = {record.upload_row: record.pk for record in created}
        for result in results:
            result.record_id = by_row.get(result.row_number)
        UploadRow.objects.bulk_create(results)
        RecordChange.objects.bulk_create(
            [RecordChange(record_id=record.pk, user=upload.user, channel="upload", changed={}) for record in created]
        )
        Upload.objects.filter(pk=upload.pk).update(processed_rows=processed, updated_at=timezone.now())


def process_rows(upload: Upload, definition: Definition, *, today: date | None = None) -> None:
    """Phase 2: evaluate and store every row after the last committed one, chunk by chunk."""
    last = UploadRow.objects.filter(upload=upload).aggregate(last=Max("row_number"))["last"] or 0
    done = UploadRow.objects.filter(upload=upload).count()
    user = upload.user
    layout = TableLayout(upload.kind, list(upload.headers), 0)
    ctx = _Context(
        definition=definition, decoder=RowDecoder(definition, get_plugin(definition.collection).codecs),
        cells=RowCells.for_upload(upload, definition), user=user,
        allowed_orgs={org.code: org for org in related_organisations_for(user=user)},
        today=today or timezone.localdate(),
    )
    ctx.existing = _existing_keys(definition, upload)
    records: list[Record] = []
    results: list[UploadRow] = []
    pause = _chunk_pause()
    for number, row in _file_rows(upload, layout):
        record, result = _build_row(ctx, upload, number, row)
        if number <= last:
            continue  # committed before a restart: only its duplicate key was needed
        done += 1
        results.append(result)
        if record is not None:
            records.append(record)
        if len(results) >= CHUNK_ROWS:
            _commit_chunk(upload, records, results, done)
            records, results = [], []
            if pause:
                time.sleep(pause)
    _commit_chunk(upload, records, results, done)
    _finish(upload)


def _file_rows(upload: Upload, layout: TableLayout) -> Iterator[tuple[int, list[str]]]:
    from .table import read_layout

    real = read_layout(Path(upload.stored_path), upload.filename)
    yield from data_rows(Path(upload.stored_path), real, upload.filename)


def _finish(upload: Upload) -> None:
    upload.refresh_from_db()
    upload.summary = {**(upload.summary or {}), **summarise(upload)}
    upload.status = UploadStatus.READY
    upload.processed_rows = upload.total_rows
    upload.save(update_fields=["summary", "status", "processed_rows", "updated_at"])


def summarise(upload: Upload) -> dict[str, Any]:
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
    top = sorted(groups.items(), key=lambda kv: -kv[1])[:50]
    counts_out: dict[str, Any] = dict(counts)
    counts_out["problem_groups"] = [
        dict(zip(("question", "severity", "message"), key.split("\x1f"), strict=True)) | {"rows": n} for key, n in top
    ]
    return counts_out


def process_upload(upload_id: int, *, today: date | None = None) -> None:
    """The whole background job for one upload (called by the Celery task inside the collection's schema)."""
    upload = Upload.objects.get(pk=upload_id)
    schema = str(connection.schema_name)  # type: ignore[attr-defined]
    definition = definition_for(schema, upload.form, upload.year)
    if upload.status in (UploadStatus.WAITING, UploadStatus.CHECKING):
        Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.CHECKING)
        check_upload(upload, definition)
    if upload.status == UploadStatus.PROCESSING:
        process_rows(upload, definition, today=today)


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
