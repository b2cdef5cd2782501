"""Hand-written inserts (COPY for batches, one statement for a single record) store exactly what save() would:
compared column by column on real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from dcp_platform.records.models import Record, RecordChange
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

ANSWERS = {"tenancycode": "T1", "startdate": "2026-06-01", "persons": [{"age": 34, "sex": "F"}],
           "note": "quotes \" and back\\slashes, tabs\t, newlines\n and ünïcode"}


def _stored(record: Record) -> dict[str, Any]:
    fresh = Record.objects.get(pk=record.pk)
    values = model_to_dict(fresh, exclude=["id"])
    values.update(public_id_matches=fresh.public_id == record.public_id, created_at=fresh.created_at is not None)
    return values


def _history(record: Record) -> list[dict[str, Any]]:
    return list(RecordChange.objects.filter(record=record).order_by("pk").values("user_id", "channel", "api_key_id",
                                                                                   "changed"))


BATCH = [
    {"tenancycode": "T1 quotes \" and back\\slashes, tabs\t, newlines\n and ünïcode", "startdate": "2026-06-01",
     "rent_type": 2, "brent": "400.00"},
    {"owning_organisation_id": "OWNER", "managing_organisation_id": "AGENT", "tenancycode": "T2"},
    {"owning_organisation_id": "OTHER"},  # refused: not an organisation the user may submit for
    {},
    {"persons": [{"age": 34, "sexrab": "F"}, {"age": 7}], "hhmemb": 2, "propcode": "P\t1"},
]


def test_a_batch_stores_what_single_creates_store(core: Any, make_org: Any, make_user: Any) -> None:
    """records_create_many writes rows straight from the checked values (COPY): the rows record_create stores."""
    from dcp_platform.accounts.models import OrganisationRelationship
    from dcp_platform.records.services import NewRecord, RecordResult, record_create, records_create_many

    owner, agent, other = make_org(), make_org(), make_org()
    OrganisationRelationship.objects.create(stock_owner=owner, managing_agent=agent)
    user = make_user(agent, role="data_coordinator")
    codes = {"OWNER": owner.code, "AGENT": agent.code, "OTHER": other.code}
    batch = [{k: codes.get(v, v) if isinstance(v, str) else v for k, v in answers.items()} for answers in BATCH]
    confirmations = [{"x": "y"}] + [{}] * (len(batch) - 1)
    today = date(2026, 11, 24)
    outcomes = records_create_many(
        form="lettings", year=2026, user=user, channel="api", api_key_id=9, today=today,
        new_records=[NewRecord(a, c) for a, c in zip(batch, confirmations, strict=True)],
    )
    assert [type(o).__name__ for o in outcomes] == ["RecordResult", "RecordResult", "OrganisationNotAllowed",
                                                    "RecordResult", "RecordResult"]
    for answers, confirmed, outcome in zip(batch, confirmations, outcomes, strict=True):
        if not isinstance(outcome, RecordResult):
            continue
        single = record_create(form="lettings", year=2026, user=user, answers=answers, confirmations=confirmed,
                               channel="api", api_key_id=9, today=today)
        batched = outcome.record
        assert not batched._state.adding and batched.pk != single.record.pk
        assert _stored(batched) == _stored(single.record)
        assert _history(batched) == _history(single.record)
        # The object handed back is what was stored, its organisations and users at hand without a query.
        fresh = Record.objects.get(pk=batched.pk)
        assert (fresh.public_id, fresh.created_at, fresh.updated_at) == \
            (batched.public_id, batched.created_at, batched.updated_at)
        assert model_to_dict(fresh) == model_to_dict(batched)
        assert RecordChange.objects.get(record=fresh).at >= fresh.created_at
        owner_and_manager = (fresh.owning_organisation, fresh.managing_organisation)
        with CaptureQueriesContext(connection) as queries:
            assert (batched.owning_organisation, batched.managing_organisation) == owner_and_manager
            assert batched.created_by == batched.updated_by == user
        assert not queries.captured_queries
        assert outcome.evaluation.status == batched.status
    later = record_create(form="lettings", year=2026, user=user, today=today).record
    assert later.pk > max(o.record.pk for o in outcomes if isinstance(o, RecordResult))
    assert records_create_many(form="lettings", year=2026, user=user, channel="api", new_records=[]) == []


def test_the_batch_writes_every_column_in_the_models_order() -> None:
    """records_create_many builds each record with the positional constructor and COPYs its columns by name."""
    from dcp_platform.records.writing import CHANGE_COLUMNS, RECORD_COLUMNS

    assert tuple(f.column for f in Record._meta.concrete_fields) == RECORD_COLUMNS
    assert set(CHANGE_COLUMNS) == {f.column for f in RecordChange._meta.concrete_fields if not f.primary_key}


def test_the_upload_store_names_every_column_of_the_tables_it_copies_into() -> None:
    """uploads/store.py writes rows by hand (no model instance per row): a new field must be added there."""
    from dcp_platform.records.writing import CHANGE_COLUMNS, RECORD_COLUMNS
    from dcp_platform.uploads import store
    from dcp_platform.uploads.models import UploadRow

    for model, columns in ((Record, RECORD_COLUMNS), (RecordChange, CHANGE_COLUMNS), (UploadRow, store.ROW_COLUMNS)):
        expected = {f.column for f in model._meta.concrete_fields if not (model is not Record and f.primary_key)}
        assert set(columns) == expected, model.__name__


def test_a_new_record_and_its_history_stored_in_one_statement_equal_saved_ones(
    core: Any, make_org: Any, make_user: Any
) -> None:
    """record_create stores the record and its first history row with one INSERT: the same rows as save()."""
    from dcp_platform.records.services import insert_record_with_history

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
        insert_record_with_history(inserted, change)
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
    from dcp_platform.records.writing import insert_one_sql

    sql = insert_one_sql()
    for model in (Record, RecordChange):
        for field in model._meta.concrete_fields:
            assert f'"{field.column}"' in sql, (model.__name__, field.column)
    assert sql.count("%s") == len(Record._meta.concrete_fields) - 1 + len(RecordChange._meta.concrete_fields) - 2


def test_answers_derived_values_and_history_are_compressed_with_lz4_where_the_server_has_it(core: Any) -> None:
    """Migrations records 0004, 0005 and 0006: lz4 is several times cheaper than the default pglz on every stored
    record and its first history row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        has_lz4 = cursor.fetchone() is not None
        cursor.execute(
            "SELECT attrelid::regclass::text, attname, attcompression FROM pg_attribute "
            "WHERE (attrelid = 'records_record'::regclass AND attname IN ('answers', 'derived')) "
            "OR (attrelid = 'records_recordchange'::regclass AND attname = 'changed')"
        )
        methods = {(table.rpartition(".")[2], column): method for table, column, method in cursor.fetchall()}
    method = "l" if has_lz4 else ""
    assert methods == {("records_record", "answers"): method, ("records_record", "derived"): method,
                       ("records_recordchange", "changed"): method}


def test_history_json_writes_the_text_of_a_single_creates_history() -> None:
    """History rows of API batches are written with orjson (writing.first_history_json): the text json_text writes
    for writing.changed_answers({}, answers), which single creates store (`json` keeps the text as written); what
    orjson cannot write as json_text does goes to json_text."""
    from dcp_platform.records.copying import json_text, stored_json
    from dcp_platform.records.writing import changed_answers, first_history_json

    answers = {**ANSWERS, "zz": None, "a": 1, "é": "x", "bb": ["x", 2], "big": 2**70, "whole": 2, "no": False,
               "code": 2**63 - 1, "neg": -(2**63), "empty": "", "list": []}
    assert first_history_json(answers) == json_text(changed_answers({}, answers))
    assert first_history_json(dict(reversed(answers.items()))) == json_text(changed_answers({}, answers))
    for value in ({"n": 2**64}, {"s": type("Text", (str,), {})("x")}, [1, {"d": "2026-01-01"}]):
        assert stored_json(value) == json_text(value)
    with pytest.raises(TypeError):
        stored_json({"day": date(2026, 6, 1)})  # refused, as json_text refuses it


def test_derived_values_and_history_are_stored_as_the_json_text_written(core: Any, make_org: Any) -> None:
    """Migration records 0006: `json` columns keep the text as written (jsonb would parse it into its own form)
    and give back the values written, through the ORM and through hand-written COPY."""
    from dcp_platform.records.copying import copy_rows, json_text, take_ids
    from dcp_platform.records.writing import RECORD_COLUMNS

    derived = {"zeta": "1.50", "alpha": [1, None], "note": ANSWERS["note"], "n": 3}
    saved = Record.objects.create(form="lettings", year=2026, answers={"a": 1}, derived=derived)
    change = RecordChange.objects.create(record=saved, channel="api", changed={"b": [None, 2], "a": [None, 1]})
    [pk] = take_ids(Record, 1)
    row = [getattr(saved, Record._meta.get_field(name).attname) for name in RECORD_COLUMNS]
    row[0], row[1], row[6] = pk, uuid.uuid4(), json_text(derived)
    row[5] = json_text(row[5])
    row[7] = json_text(row[7])
    copy_rows(Record, RECORD_COLUMNS, [row])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_typeof(derived)::text, derived::text FROM records_record WHERE id = %s", [pk])
        assert cursor.fetchone() == ("json", json_text(derived))
        cursor.execute("SELECT pg_typeof(changed)::text FROM records_recordchange WHERE id = %s", [change.pk])
        assert cursor.fetchone() == ("json",)
    assert Record.objects.get(pk=saved.pk).derived == derived == Record.objects.get(pk=pk).derived
    assert list(Record.objects.get(pk=pk).derived) == list(derived)  # the order written
    assert RecordChange.objects.get(pk=change.pk).changed == {"b": [None, 2], "a": [None, 1]}
    assert list(Record.objects.filter(pk=pk).values_list("derived", flat=True)) == [derived]


@pytest.mark.parametrize("value", [
    ANSWERS, BATCH[0], BATCH[4], {}, {"a": None, "b": True, "c": [], "d": {}, "e": [[1, "x"], {"f": [None]}]},
    {"float": 1.5}, {"deep": [{"x": [1e-7]}]}, {"huge": 1e300, "whole": 2.0}, {"big": 2**64}, {"small": -(2**63)},
    {"text": type("Text", (str,), {})("x")}, {"code": type("Code", (int,), {})(3)}, {"tuple": (1, "a")},
    {"controls": "".join(map(chr, range(0x30))) + "\u2028\u2029\x7f😀"},
])
def test_record_json_text_writes_json_texts_text(value: dict[str, Any]) -> None:
    """Answers and derived values are written with orjson only where that gives json_text's text to the byte
    (API responses reuse it)."""
    from dcp_platform.records.copying import json_text, record_json_text

    assert record_json_text(value) == json_text(value)


def test_record_json_text_refuses_what_json_text_refuses() -> None:
    from dcp_platform.records.copying import record_json_text

    with pytest.raises(ValueError):
        record_json_text({"n": float("nan")})
    with pytest.raises(TypeError):
        record_json_text({"day": date(2026, 6, 1)})


def test_new_record_makes_what_the_constructor_makes() -> None:
    """records_create_many builds records without Model.__init__ (services.new_record): the same object."""
    import uuid

    from dcp_platform.records.services import new_record
    from django.db.models.signals import post_init, pre_init
    from django.utils import timezone

    assert not pre_init.has_listeners(Record) and not post_init.has_listeners(Record)
    values = (None, uuid.uuid4(), "lettings", 2026, "in_progress", {"a": 1}, {"d": [None]}, {}, 3, 4, "ref", "text",
              date(2026, 6, 1), True, "api", None, None, 1, 5, 5, timezone.now(), timezone.now(), 5, None, None)
    made, built = new_record(values), Record(*values)
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == \
        {k: v for k, v in built.__dict__.items() if k != "_state"}
    assert made._state.fields_cache == built._state.fields_cache == {}  # made on first use (the caller fills it)
    assert vars(made._state) == vars(built._state) and made._state.adding
    assert model_to_dict(made) == model_to_dict(built)


def test_a_batchs_evaluation_contexts_are_build_eval_contexts(core: Any, make_org: Any, make_user: Any) -> None:
    """records_create_many remembers the provider types per pair of organisations (WriteContext.eval_context): each
    record still gets build_eval_context's context, in its own objects."""
    from dcp_platform.records.services import WriteContext, build_eval_context
    from dcp_platform.registry import definition_for

    definition = definition_for("core", "lettings", 2026)
    own, other = make_org(provider_type="LA"), make_org(provider_type="PRP")
    ctx = WriteContext.for_user(make_user(own, role="data_coordinator"), date(2026, 6, 1))
    owner, manager = definition.owner_question, definition.manager_question
    for answers in ({}, {owner: own.code}, {owner: own.code, manager: own.code}, {owner: other.code},
                    {owner: [own.code]}, {owner: own.code}, {manager: "NOSUCH"}, {owner: own.code, manager: None}):
        made = ctx.eval_context(definition, answers)
        expected = build_eval_context(definition=definition, answers=answers, today=ctx.today, known=ctx.allowed)
        assert (made.today, made.extra) == (expected.today, expected.extra), answers
        assert made.extra is not ctx.eval_context(definition, answers).extra
    assert ctx.eval_context(definition, {owner: own.code}).extra["owning_organisation_provider_type"] == "LA"


def test_rows_are_put_in_the_tables_column_order_by_name_and_refused_when_a_column_is_missing() -> None:
    """records.writing owns the column lists (read from the models): a row names every column, none twice."""
    from dcp_platform.records.writing import CHANGE_COLUMNS, history_row

    row = history_row(record_id=1, at=None, user_id=2, channel="api", api_key_id=3, changed="{}")
    assert dict(zip(CHANGE_COLUMNS, row, strict=True)) == {"record_id": 1, "at": None, "user_id": 2, "channel": "api",
                                                          "api_key_id": 3, "changed": "{}"}
    with pytest.raises(TypeError, match="missing \\['changed'\\]"):
        history_row(record_id=1, at=None, user_id=2, channel="api", api_key_id=3)
    with pytest.raises(TypeError, match="unknown \\['extra'\\]"):
        history_row(record_id=1, at=None, user_id=2, channel="api", api_key_id=3, changed="{}", extra=1)
