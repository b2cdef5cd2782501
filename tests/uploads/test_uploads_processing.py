"""Processing an upload in the database: hidden records that know their row, no doubles, organisations."""

from __future__ import annotations

import gc
import importlib.util
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.records.models import Record
from dcp_platform.registry import definition_for
from dcp_platform.uploads import services
from dcp_platform.uploads.models import Upload, UploadRow, UploadStatus

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 1)


def bench() -> Any:
    spec = importlib.util.spec_from_file_location("bulk_upload_bench", REPO / "benchmarks/bulk_upload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def upload_file(user: Any, path: Path) -> services.Received:
    with open(path, "rb") as handle:
        return services.receive_file(user=user, form="lettings", year=2026, handle=handle, filename=path.name)


@pytest.fixture
def uploader(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(), role="data_coordinator")


def test_template_rows_become_hidden_records_that_know_their_row(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), uploader.organisation.code, 30)
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    assert upload.status == UploadStatus.READY, upload.message
    records = Record.objects.filter(upload_id=upload.pk)
    assert records.count() == 30 and not records.filter(visible=True).exists()
    assert sorted(records.values_list("upload_row", flat=True)) == list(range(3, 33))
    assert records.first().answers["owning_organisation_id"] == uploader.organisation.code  # type: ignore[union-attr]
    assert UploadRow.objects.filter(upload=upload).count() == 30
    # Running the job again (a redelivered task) adds nothing.
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    services.process_upload(upload.pk, today=TODAY)
    assert Record.objects.filter(upload_id=upload.pk).count() == 30
    assert services.confirm_upload(upload) == 30
    assert Record.objects.filter(upload_id=upload.pk, visible=True).count() == 30


def test_the_benchmark_files_rows_are_valid_and_differ(
    core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    """benchmarks/bulk_upload.py measures valid files: every template row is a complete record with no problem,
    every provider row (an export of 15 columns, so a partial record) has no problem either. It varies its rows
    (so remembered results do not flatter it) and the variation must keep them so."""
    definition = definition_for("core", "lettings", 2026)

    def processed(writer: str, varied: bool) -> list[Any]:
        user = make_user(make_org(), role="data_coordinator")
        path = tmp_path / f"{writer}-{varied}.csv"
        if writer == "template":
            bench().write_template(path, definition, user.organisation.code, 30, varied=varied)
        else:
            bench().write_provider(path, user.organisation.code, 30, varied=varied)
        upload = upload_file(user, path).upload
        services.process_upload(upload.pk, today=TODAY)
        upload.refresh_from_db()
        if upload.status == UploadStatus.NEEDS_MAPPING:  # the provider file: as the benchmark does
            bench().accept_proposed_mapping(upload)
            services.process_upload(upload.pk, today=TODAY)
        assert Upload.objects.get(pk=upload.pk).status == UploadStatus.READY
        return list(UploadRow.objects.filter(upload=upload).order_by("row_number"))

    for writer in ("template", "provider"):
        alike, varied = processed(writer, False), processed(writer, True)
        for rows in (alike, varied):
            assert sorted({(p["rule"], p["message"]) for r in rows for p in r.problems}) == [], writer
            expected = "completed" if writer == "template" else "in_progress"
            assert {r.status for r in rows} == {expected}, writer
        dates = {Record.objects.get(pk=r.record_id).answers.get("startdate") for r in varied}
        assert len(dates) == 28, writer  # one per day of the 28 before the file is checked


def test_the_same_file_twice_is_the_same_upload(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "again.csv"
    bench().write_provider(path, uploader.organisation.code, 5)
    first = upload_file(uploader, path)
    second = upload_file(uploader, path)
    assert not first.already_uploaded and second.already_uploaded
    assert second.upload.pk == first.upload.pk


def test_a_refused_file_stores_nothing(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("a,b\n", encoding="utf-8")
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    assert upload.status == UploadStatus.REJECTED and "headers but no rows" in upload.message
    assert not Record.objects.filter(upload_id=upload.pk).exists()


def test_provider_file_is_proposed_then_processed_with_value_mapping(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "provider.csv"
    bench().write_provider(path, uploader.organisation.code, 12)
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    assert upload.status == UploadStatus.NEEDS_MAPPING
    assert upload.column_mapping["6"] == "startdate"  # "Tenancy Start Date" -> the whole date
    services.confirm_mapping(upload, column_mapping=upload.column_mapping, value_mapping={"tenancy": {"AST": 4}})
    services.process_upload(upload.pk, today=TODAY)
    records = Record.objects.filter(upload_id=upload.pk)
    assert records.count() == 12
    assert {r.answers.get("tenancy") for r in records} == {4}
    assert {r.answers.get("startdate") for r in records} == {"2026-06-01"}
    # The next file of the same shape is mapped without asking.
    other = tmp_path / "provider2.csv"
    bench().write_provider(other, uploader.organisation.code, 13)
    second = upload_file(uploader, other)
    services.process_upload(second.upload.pk, today=TODAY)
    assert Upload.objects.get(pk=second.upload.pk).status == UploadStatus.READY


def test_rows_for_another_organisation_are_refused(uploader: Any, make_org: Any, tmp_path: Path) -> None:
    stranger = make_org()
    path = tmp_path / "other_org.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), stranger.code, 3)
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    assert not Record.objects.filter(upload_id=received.upload.pk).exists()
    rows = UploadRow.objects.filter(upload_id=received.upload.pk)
    assert rows.count() == 3 and all(r.status == "refused" for r in rows)
    assert any("cannot upload records for the organisation" in p["message"] for p in rows[0].problems)


def test_duplicates_within_the_file_are_flagged(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "dupes.csv"
    bench().write_provider(path, uploader.organisation.code, 2)
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[1]  # the same tenancy twice
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    services.confirm_mapping(upload, column_mapping=upload.column_mapping, value_mapping={})
    services.process_upload(upload.pk, today=TODAY)
    rows = list(UploadRow.objects.filter(upload=upload))
    assert rows[1].duplicate_of == "row 2"


def test_duplicates_within_the_file_are_flagged_after_a_resume_without_reading_committed_rows_again(
    uploader: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicate of a row committed before the worker died is still found: the keys are stored with the rows."""
    from dcp_platform.uploads import evaluating

    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), uploader.organisation.code, 6)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")  # the first data row (row 3) again
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    assert [r.duplicate_of for r in UploadRow.objects.filter(upload=upload)] == [""] * 6 + ["row 3"]
    assert upload.summary["duplicates"] == 1

    # As a worker killed after committing the rows up to row 5 leaves it: nothing flagged yet.
    Record.objects.filter(upload_id=upload.pk, upload_row__gt=5).delete()
    UploadRow.objects.filter(upload=upload, row_number__gt=5).delete()
    UploadRow.objects.filter(upload=upload).update(duplicate_of="")
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING, processed_rows=3, summary={})
    evaluated: list[int] = []
    evaluate_row = evaluating.evaluate_row

    def counted(work: Any, number: int, row: list[str]) -> Any:
        evaluated.append(number)
        return evaluate_row(work, number, row)

    monkeypatch.setattr(evaluating, "evaluate_row", counted)
    services.process_upload(upload.pk, today=TODAY)
    assert evaluated == [6, 7, 8, 9]  # the committed rows are not evaluated again
    rows = list(UploadRow.objects.filter(upload=upload))
    assert [r.row_number for r in rows] == list(range(3, 10))
    assert [r.duplicate_of for r in rows] == [""] * 6 + ["row 3"]
    assert Record.objects.filter(upload_id=upload.pk).count() == 7
    assert Upload.objects.get(pk=upload.pk).summary["duplicates"] == 1


def test_rows_matching_an_existing_record_are_flagged(uploader: Any, make_org: Any, tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), uploader.organisation.code, 3)
    first = upload_file(uploader, path)
    services.process_upload(first.upload.pk, today=TODAY)
    services.confirm_upload(Upload.objects.get(pk=first.upload.pk))
    # The same tenancies again in a new file, the first of them twice: a duplicate within the file is named as
    # such, though it matches an existing record too.
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")
    again = upload_file(uploader, path)
    assert not again.already_uploaded
    services.process_upload(again.upload.pk, today=TODAY)
    rows = list(UploadRow.objects.filter(upload_id=again.upload.pk).order_by("row_number"))
    assert [row.duplicate_of for row in rows] == ["an existing record"] * 3 + ["row 3"]


def test_template_codes_are_read_as_the_official_template_codes_them(uploader: Any, tmp_path: Path) -> None:
    """The template codes renewal 1 = yes / 2 = no and rent type 1-7, where the stored codes are 1/0 and 0-6."""
    definition = definition_for("core", "lettings", 2026)
    path = tmp_path / "template.csv"
    bench().write_template(path, definition, uploader.organisation.code, 2)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    numbers = lines[1].split(",")
    renewal, rent_type = numbers.index("7"), numbers.index("11")
    cells = lines[2].split(",")
    assert (cells[renewal], cells[rent_type]) == ("2", "1")  # no, social rent as the template writes them
    cells[renewal], cells[rent_type] = "1", "2"  # yes, affordable rent
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    first, second = Record.objects.filter(upload_id=received.upload.pk).order_by("upload_row")
    assert (first.answers["renewal"], first.answers["rent_type"]) == (1, 1)
    assert (second.answers["renewal"], second.answers["rent_type"]) == (0, 0)


def test_the_summary_counted_by_the_database_is_the_summary_of_every_row(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), uploader.organisation.code, 80)
    received = upload_file(uploader, path)
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    assert services.summarise(upload) == services.summarise_in_python(upload)
    # Ties, repeats within a row, more groups than are listed, duplicates and every status.
    rng = random.Random(5)
    messages = [f"Problem {n}" for n in range(70)]
    for row in UploadRow.objects.filter(upload=upload):
        row.problems = [
            {"fields": [1], "question": rng.choice(["age", "sex", ""]), "rule": "r", "message": rng.choice(messages),
             "severity": rng.choice(["hard", "soft", "refuse"])} for _ in range(rng.randrange(0, 6))
        ]
        row.status = rng.choice(["completed", "in_progress", "refused"])
        row.duplicate_of = rng.choice(["", "", "row 3", "an existing record"])
        row.save()
    summary = services.summarise(upload)
    assert summary == services.summarise_in_python(upload)
    assert len(summary["problem_groups"]) == 50 and summary["duplicates"] > 0
    assert len({group["rows"] for group in summary["problem_groups"]}) < 50  # some groups tie


def test_processing_unfreezes_what_it_froze_for_the_collector(uploader: Any, tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), uploader.organisation.code, 3)
    before = gc.get_freeze_count()
    services.process_upload(upload_file(uploader, path).upload.pk, today=TODAY)
    assert gc.get_freeze_count() == before
