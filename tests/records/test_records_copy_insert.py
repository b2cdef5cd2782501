"""copy_insert stores exactly what save() would: compared column by column on real PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from dcp_platform.records.copying import copy_insert
from dcp_platform.records.models import Record, RecordChange
from django.forms.models import model_to_dict

ANSWERS = {"tenancycode": "T1", "startdate": "2026-06-01", "persons": [{"age": 34, "sex": "F"}],
           "note": "quotes \" and back\\slashes, tabs\t, newlines\n and ünïcode"}


def _stored(record: Record) -> dict[str, Any]:
    fresh = Record.objects.get(pk=record.pk)
    values = model_to_dict(fresh, exclude=["id"])
    values.update(public_id_matches=fresh.public_id == record.public_id, created_at=fresh.created_at is not None)
    return values


def test_records_and_history_stored_by_copy_equal_saved_ones(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    user = make_user(org)

    def new_record() -> Record:
        return Record(form="lettings", year=2026, status="in_progress", answers=ANSWERS, derived={"renttype": 1},
                      confirmations={"rule:x": "t"}, owning_organisation=org, managing_organisation=org,
                      reference="T1", search_text="t1", visible=False, source_channel="api", created_by=user,
                      updated_by=user)

    saved, copied = new_record(), new_record()
    saved.save()
    copy_insert([copied])
    assert copied.pk is not None and copied.pk != saved.pk and not copied._state.adding
    assert _stored(copied) == _stored(saved)
    fresh = Record.objects.get(pk=copied.pk)
    assert fresh.answers == ANSWERS and fresh.updated_at == copied.updated_at

    RecordChange.objects.create(record=saved, user=user, channel="api", changed={"a": [None, 1]})
    copy_insert([RecordChange(record=copied, user=user, channel="api", changed={"a": [None, 1]})])
    [from_save] = RecordChange.objects.filter(record=saved).values("user_id", "channel", "api_key_id", "changed")
    [from_copy] = RecordChange.objects.filter(record=copied).values("user_id", "channel", "api_key_id", "changed")
    assert from_copy == from_save


def test_many_rows_get_distinct_ids_from_the_sequence(core: Any, make_org: Any, make_user: Any) -> None:
    org = make_org()
    records = [Record(form="lettings", year=2026, owning_organisation=org, reference=f"R{n}") for n in range(50)]
    copy_insert(records)
    later = Record.objects.create(form="lettings", year=2026, owning_organisation=org)
    ids = [r.pk for r in records]
    assert len(set(ids)) == 50 and later.pk > max(ids)
    assert list(Record.objects.filter(owning_organisation=org, pk__in=ids).order_by("pk")
                .values_list("reference", flat=True)) == [f"R{n}" for n in range(50)]
    copy_insert([])  # nothing to do


def test_the_upload_store_names_every_column_of_the_tables_it_copies_into() -> None:
    """uploads/store.py lists its columns by hand (no model instance per row): a new field must be added there."""
    from dcp_platform.uploads import store
    from dcp_platform.uploads.models import UploadRow

    for model, columns in ((Record, store._RECORD_COLUMNS), (RecordChange, store._CHANGE_COLUMNS),
                           (UploadRow, store._ROW_COLUMNS)):
        expected = {f.column for f in model._meta.concrete_fields if not (model is not Record and f.primary_key)}
        assert set(columns) == expected, model.__name__


def test_a_new_record_and_its_history_stored_in_one_statement_equal_saved_ones(
    core: Any, make_org: Any, make_user: Any
) -> None:
    """record_create stores the record and its first history row with one INSERT: the same rows as save()."""
    from dcp_platform.records.services import _insert_with_history
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = make_org()
    user = make_user(org)

    def new_record() -> Record:
        return Record(form="lettings", year=2026, status="in_progress", answers=ANSWERS, derived={"renttype": 1},
                      confirmations={"rule:x": "t"}, owning_organisation=org, managing_organisation=org,
                      reference="T1", search_text="t1", record_date=date(2026, 6, 1), visible=False,
                      source_channel="api", upload_id=7, upload_row=3, created_by=user, updated_by=user)

    saved, inserted = new_record(), new_record()
    saved.upload_row = 4
    saved.save()
    RecordChange.objects.create(record=saved, user=user, channel="api", api_key_id=5, changed={"a": [None, 1]})
    change = RecordChange(record=inserted, user=user, channel="api", api_key_id=5, changed={"a": [None, 1]})
    with CaptureQueriesContext(connection) as queries:
        _insert_with_history(inserted, change)
    assert len([q for q in queries.captured_queries if "INSERT" in q["sql"]]) == 1
    assert inserted.pk is not None and inserted.pk != saved.pk and not inserted._state.adding
    assert change.pk is not None and change.record_id == inserted.pk and not change._state.adding
    expected = _stored(saved)
    expected["upload_row"] = 3
    assert _stored(inserted) == expected
    fresh = Record.objects.get(pk=inserted.pk)
    assert fresh.created_at == inserted.created_at and fresh.updated_at == inserted.updated_at
    [from_save] = RecordChange.objects.filter(record=saved).values("user_id", "channel", "api_key_id", "changed")
    [from_insert] = RecordChange.objects.filter(record=inserted).values("user_id", "channel", "api_key_id", "changed")
    assert from_insert == from_save
    assert RecordChange.objects.get(pk=change.pk).at == change.at


def test_the_one_statement_insert_names_every_column() -> None:
    from dcp_platform.records.services import _insert_with_history_sql

    sql, record_fields, change_fields = _insert_with_history_sql()
    assert {f.column for f in record_fields} | {"id"} == {f.column for f in Record._meta.concrete_fields}
    assert {f.column for f in change_fields} | {"id", "record_id"} == {f.column for f in RecordChange._meta.concrete_fields}
    assert sql.count("%s") == len(record_fields) + len(change_fields)
