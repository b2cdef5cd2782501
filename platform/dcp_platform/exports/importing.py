"""Previous years' records in: the old service's downloads loaded as submitted records of their organisations.

Rows are read by the converter (exports.convert), placed with their organisations (by the code or id the file
gives, else by name) and written through the records write path (`records_create_many`, as every channel), in
batches. Each row's key (the old service's record id, or a hash of the row when the file has none) is kept in
`ImportedRecord`, so importing the same file again creates nothing new. A row that cannot be placed or is refused
stops nothing else: the report says which and why.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.db import transaction

from dcp_platform.accounts.models import Organisation, User
from dcp_platform.exports.columns import Layout
from dcp_platform.exports.convert import (
    CORE_CODES,
    CORE_LABELS,
    JSON_LINES,
    TEMPLATE,
    CoreCsvReader,
    ReadRow,
    read_json_lines,
    read_template,
)
from dcp_platform.exports.models import ImportedRecord
from dcp_platform.exports.writing import CODES, LABELS
from dcp_platform.records.services import NewRecord, RecordWriteRefused, records_create_many

BATCH = 500


@dataclass
class ImportReport:
    created: int = 0
    already_imported: int = 0
    not_placed: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)
    refused: list[tuple[int, str]] = field(default_factory=list)
    cell_problems: list[tuple[int, str]] = field(default_factory=list)  # imported without these cells

    def lines(self) -> list[str]:
        lines = [f"{self.created} records created, {self.already_imported} already imported"]
        lines += [f"row {n}: not placed: {why}" for n, why in self.not_placed]
        lines += [f"row {n}: refused: {why}" for n, why in self.refused]
        lines += [f"row {n}: imported without {why}" for n, why in self.cell_problems]
        return lines


class _Organisations:
    """Organisations by code (an old service's id is kept as the organisation's code) or by name."""

    def __init__(self) -> None:
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, Organisation | None] = {}
        for organisation in Organisation.objects.all():
            self.by_code[organisation.code.strip().lower()] = organisation
            name = organisation.name.strip().lower()
            self.by_name[name] = None if name in self.by_name else organisation  # two of one name: ambiguous

    def find(self, code: Any, name: Any) -> Organisation | None:
        if code not in (None, ""):
            found = self.by_code.get(str(code).strip().lower())
            if found is not None:
                return found
        if name:
            return self.by_name.get(str(name).strip().lower())
        return None


def _key(row: ReadRow) -> str:
    given = row.record.get("record.id")
    if given:
        return f"id:{given}"
    text = json.dumps([row.answers, row.record], sort_keys=True, default=str)
    return "row:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _rows(*, layout: Layout, source: str, handle: IO[bytes], codecs: Any) -> Iterator[ReadRow]:
    if source == TEMPLATE:
        return read_template(layout.definition, handle, codecs or {})
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    if source == JSON_LINES:
        return read_json_lines(text)
    if source not in (CORE_CODES, CORE_LABELS):
        raise ValueError(f"cannot import {source}")
    return CoreCsvReader(layout, LABELS if source == CORE_LABELS else CODES).rows(text)


def import_records(
    *, layout: Layout, source: str, handle: IO[bytes], user: User, codecs: Any = None, batch: int = BATCH,
) -> ImportReport:
    """Load a file's records into the current collection (the caller sets the schema). `user` is recorded as
    their creator and must be allowed to submit for every organisation (support)."""
    definition = layout.definition
    origin = f"{source}:{definition.form}:{definition.year}"
    organisations = _Organisations()
    report = ImportReport()
    rows = _rows(layout=layout, source=source, handle=handle, codecs=codecs)
    owner_q, manager_q = definition.owner_question, definition.manager_question
    while True:
        chunk = list(islice(rows, batch))
        if not chunk:
            return report
        keyed = [(_key(row), row) for row in chunk]
        known = set(ImportedRecord.objects.filter(source=origin, key__in=[k for k, _ in keyed])
                    .values_list("key", flat=True))
        placed: list[tuple[str, ReadRow]] = []
        for key, row in keyed:
            if key in known:
                report.already_imported += 1
                continue
            known.add(key)  # the same record twice in one file
            owner = organisations.find(row.answers.get(owner_q) if owner_q else None,
                                       row.record.get("record.owning_organisation_name"))
            manager = organisations.find(row.answers.get(manager_q) if manager_q else None,
                                         row.record.get("record.managing_organisation_name")) or owner
            if owner is None:
                named = row.record.get("record.owning_organisation_name") or (row.answers.get(owner_q) if owner_q else "")
                report.not_placed.append((row.row_number, f"no organisation matches “{named or 'blank'}”"))
                continue
            if owner_q:
                row.answers[owner_q] = owner.code
            if manager_q and manager is not None:
                row.answers[manager_q] = manager.code
            report.cell_problems += [(row.row_number, f"{name} ({why})") for name, why in row.problems.items()]
            placed.append((key, row))
        if not placed:
            continue
        with transaction.atomic():
            outcomes = records_create_many(
                form=definition.form, year=definition.year, user=user, channel="system", historical=True,
                new_records=[NewRecord(answers=row.answers, confirmations={}) for _, row in placed],
            )
            imported = []
            for (key, row), outcome in zip(placed, outcomes, strict=True):
                if isinstance(outcome, RecordWriteRefused):
                    report.refused.append((row.row_number, str(outcome) or type(outcome).__name__))
                    continue
                imported.append(ImportedRecord(source=origin, key=key, record_id=outcome.record.pk))
            ImportedRecord.objects.bulk_create(imported)
            report.created += len(imported)
