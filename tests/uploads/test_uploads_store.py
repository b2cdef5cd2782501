"""An upload chunk written in COPY's text format by hand (uploads/store.py) stores what the ORM stores for the
same values, awkward text included."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from dcp_platform.records.copying import random_uuid_texts, stored_json
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.uploads.models import Upload, UploadRow
from dcp_platform.uploads.store import NewRecord, RowResult, store_chunk
from django.forms.models import model_to_dict
from django.utils import timezone

AWKWARD = "back\\slash \\N tab\t newline\n return\r quote\" ünïcode"
ANSWERS = {"tenancycode": AWKWARD, "startdate": "2026-06-01", "persons": [{"age": 34, "sexrab": "F"}], "brent": "1.50"}
DERIVED = {"wrent": "0.75", "hhtype": 3, "note": AWKWARD, "none": None}
PROBLEMS = [{"fields": [7], "question": "tenancycode", "rule": "x", "severity": "hard", "message": AWKWARD}]


def test_a_chunk_stores_what_the_orm_stores(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org, role="data_coordinator")
    upload = Upload.objects.create(form="lettings", year=2026, organisation=org, user=user, filename="f.csv",
                                   stored_path="/nowhere", file_hash="h")
    now = timezone.now()
    records = [
        NewRecord(row_number=3, status="completed", answers_json=stored_json(ANSWERS), derived_json=stored_json(DERIVED),
                  owning_organisation_id=org.pk, managing_organisation_id=org.pk, reference=AWKWARD,
                  search_text=AWKWARD.lower(), record_date=date(2026, 6, 1)),
        NewRecord(row_number=4, status="in_progress", answers_json="{}", derived_json="{}", owning_organisation_id=None,
                  managing_organisation_id=None, reference="", search_text="", record_date=None),
    ]
    results = [RowResult(row_number=3, status="completed", problems=[]),
               RowResult(row_number=4, status="in_progress", problems=PROBLEMS, duplicate_of=AWKWARD),
               RowResult(row_number=5, status="refused", problems=PROBLEMS)]
    store_chunk(upload_id=upload.pk, form="lettings", year=2026, user_id=user.pk, records=records, results=results,
                now=now)

    stored = list(Record.objects.filter(upload_id=upload.pk).order_by("upload_row"))
    assert [r.upload_row for r in stored] == [3, 4]
    for record, new in zip(stored, records, strict=True):
        expected = Record.objects.create(
            form="lettings", year=2026, status=new.status, answers=ANSWERS if new.row_number == 3 else {},
            derived=DERIVED if new.row_number == 3 else {}, confirmations={},
            owning_organisation_id=new.owning_organisation_id, managing_organisation_id=new.managing_organisation_id,
            reference=new.reference, search_text=new.search_text, record_date=new.record_date, visible=False,
            source_channel="upload", upload_id=upload.pk + 1000, upload_row=new.row_number, version=1,
            created_by=user, updated_by=user,
        )
        got, want = model_to_dict(record, exclude=["id"]), model_to_dict(expected, exclude=["id"])
        assert got.pop("upload_id") == upload.pk and want.pop("upload_id") == upload.pk + 1000
        assert got == want
        assert record.public_id != expected.public_id and record.public_id.version == 4
        assert record.created_at == record.updated_at == now
        [change] = RecordChange.objects.filter(record=record)
        assert (change.at, change.user_id, change.channel, change.api_key_id, change.changed) == \
            (now, user.pk, "upload", None, {})

    rows = {row.row_number: row for row in UploadRow.objects.filter(upload=upload)}
    assert {n: (r.status, r.problems, r.duplicate_of) for n, r in rows.items()} == {
        3: ("completed", [], ""), 4: ("in_progress", PROBLEMS, AWKWARD), 5: ("refused", PROBLEMS, ""),
    }
    assert rows[3].record_id == stored[0].pk and rows[4].record_id == stored[1].pk and rows[5].record_id is None


def test_random_uuid_texts_are_distinct_version_4_uuids() -> None:
    texts = random_uuid_texts(2000)
    parsed = [uuid.UUID(text) for text in texts]
    assert [str(u) for u in parsed] == texts
    assert {u.version for u in parsed} == {4} and {u.variant for u in parsed} == {uuid.RFC_4122}
    assert len(set(texts)) == 2000
    assert random_uuid_texts(0) == []
