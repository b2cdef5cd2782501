"""copy_insert stores exactly what save() would: compared column by column on real PostgreSQL."""

from __future__ import annotations

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
