"""Bulk upload, receiving: store the file, check it as a whole, propose or take the column mapping.

A bad file is refused as a whole before anything is stored; a file the platform knows the shape of (the
template, the flat file, a shape mapped before) goes straight to processing, any other waits for its mapping.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection

from dcp_platform.accounts.models import User
from dcp_platform.definitions import Definition
from dcp_platform.records.services import (
    read_only_reason,
)
from dcp_platform.registry import definitions_for
from dcp_platform.tenancy.models import Participation

from ..flat import FLAT_KIND, match_flat
from ..learning import learned_mappings_for, learned_mappings_record
from ..mapping import mapper_for
from ..models import SavedMapping, Upload, UploadStatus
from ..other_forms import other_form_problem
from ..reading import FileRejected, kind_of
from ..reports import scan_column_values, target_label, targets_by_key
from ..table import TableLayout, data_rows, scan
from ..template import match_template


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


# ---------------------------------------------------------------------------------------------- mapping


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
