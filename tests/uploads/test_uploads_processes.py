"""Rows decoded and evaluated by worker processes (uploads/evaluating.py): the same stored results as in one
process, file order kept, errors and dead workers reported, bounded read-ahead, no orphans."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.definitions import EvalContext
from dcp_platform.records.copying import json_text, plain_json_value, stored_json
from dcp_platform.records.models import Record
from dcp_platform.registry import definition_for
from dcp_platform.uploads import evaluating
from dcp_platform.uploads.models import Upload, UploadRow, UploadStatus
from dcp_platform.uploads.services import processing
from django.core.exceptions import ImproperlyConfigured

from .test_uploads_processing import TODAY, bench, upload_file

REPO = Path(__file__).resolve().parents[2]
# The tests below replace evaluate_row, which is all that reads the work.
STAND_IN_WORK: Any = object()


def numbered_rows(count: int) -> Iterator[tuple[int, list[str]]]:
    for number in range(1, count + 1):
        yield number, [str(number)]


def evaluated_in_this_process(work: Any, number: int, row: list[str]) -> evaluating.EvaluatedRow:
    """A stand-in for evaluate_row that says which process evaluated the row (forked workers inherit it)."""
    return evaluating.EvaluatedRow(
        number=number, problems=[], rule_problems=[], refused=False, row_status="completed",
        record_status="completed", answers_json=row[0], derived_json="{}", record_date=None, duplicate_key=None,
        owning_organisation_id=None, managing_organisation_id=None, reference=str(os.getpid()), search_text="",
    )


def failing_at_row_250(work: Any, number: int, row: list[str]) -> evaluating.EvaluatedRow:
    if number == 250:
        raise ValueError("row 250 breaks the code")
    return evaluated_in_this_process(work, number, row)


def killed_at_row_250(work: Any, number: int, row: list[str]) -> evaluating.EvaluatedRow:
    if number == 250:
        os.kill(os.getpid(), signal.SIGKILL)
    return evaluated_in_this_process(work, number, row)


def test_worker_processes_evaluate_rows_elsewhere_and_give_them_back_in_file_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(evaluating, "evaluate_row", evaluated_in_this_process)
    rows = list(evaluating.evaluated_rows(STAND_IN_WORK, numbered_rows(1234), processes=2))
    assert [row.number for row in rows] == list(range(1, 1235))
    assert [row.answers_json for row in rows] == [str(n) for n in range(1, 1235)]
    workers = {row.reference for row in rows}
    assert str(os.getpid()) not in workers and len(workers) == 2
    assert multiprocessing.active_children() == []  # shut down with processing
    in_here = list(evaluating.evaluated_rows(STAND_IN_WORK, numbered_rows(3), processes=1))
    assert {row.reference for row in in_here} == {str(os.getpid())}


def test_an_error_in_a_worker_is_raised_to_the_task_and_no_worker_is_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluating, "evaluate_row", failing_at_row_250)
    received = []
    with pytest.raises(ValueError, match="row 250 breaks the code"):
        for row in evaluating.evaluated_rows(STAND_IN_WORK, numbered_rows(1000), processes=2):
            received.append(row.number)
    assert received == list(range(1, 201))  # the batches before the failing one, in order; nothing after
    assert multiprocessing.active_children() == []


def test_a_worker_killed_outright_fails_processing_instead_of_leaving_it_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(evaluating, "evaluate_row", killed_at_row_250)
    with pytest.raises(BrokenProcessPool):
        for _ in evaluating.evaluated_rows(STAND_IN_WORK, numbered_rows(1000), processes=2):
            pass
    assert multiprocessing.active_children() == []


def test_only_a_few_batches_are_read_ahead_of_the_rows_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays flat however long the file: rows are read from the file only a few batches ahead."""
    monkeypatch.setattr(evaluating, "evaluate_row", evaluated_in_this_process)
    read = 0

    def counted(count: int) -> Iterator[tuple[int, list[str]]]:
        nonlocal read
        for numbered in numbered_rows(count):
            read += 1
            yield numbered

    most_ahead = 0
    for row in evaluating.evaluated_rows(STAND_IN_WORK, counted(20_000), processes=2):
        most_ahead = max(most_ahead, read - row.number)
    assert read == 20_000
    assert most_ahead <= (2 * evaluating.BATCHES_IN_FLIGHT + 1) * evaluating.BATCH_ROWS


def _evaluate_in_a_daemon(results: Any) -> None:
    rows = evaluating.evaluated_rows(STAND_IN_WORK, numbered_rows(300), processes=2)
    results.put([row.number for row in rows])


def test_a_daemonic_process_such_as_a_celery_task_can_start_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery's prefork pool runs tasks in daemonic processes, which multiprocessing would not let fork."""
    monkeypatch.setattr(evaluating, "evaluate_row", evaluated_in_this_process)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    daemon = context.Process(target=_evaluate_in_a_daemon, args=(results,), daemon=True)
    daemon.start()
    assert results.get(timeout=60) == list(range(1, 301))
    daemon.join(timeout=30)
    assert daemon.exitcode == 0


ORPHAN_SCRIPT = """
import os, sys, time
import django
django.setup()
from dcp_platform.uploads import evaluating

def slow(work, number, row):
    time.sleep(0.01)
    return evaluating.EvaluatedRow(number, [], [], False, "completed", "completed", "{}", "{}", None, None, None,
                                   None, str(os.getpid()), "")

evaluating.evaluate_row = slow
for row in evaluating.evaluated_rows(object(), ((n, [""]) for n in range(1, 100_000)), processes=2):
    if row.number == 150:
        print(" ".join(sorted({str(p.pid) for p in __import__("multiprocessing").active_children()})), flush=True)
"""


def test_workers_die_with_the_task_process_when_it_is_killed_outright() -> None:
    """A task process killed outright (SIGKILL, out of memory) cannot shut its workers down: they must not be
    left waiting for rows forever."""
    task = subprocess.Popen(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True, env=os.environ.copy(),
        start_new_session=True,  # killed alone, not with a process group
    )
    try:
        assert task.stdout is not None
        workers = [int(pid) for pid in task.stdout.readline().split()]
        assert len(workers) == 2
        task.kill()
        task.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
            time.sleep(0.05)
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        task.kill()


def stored(upload: Upload) -> list[Any]:
    records = {r.upload_row: r for r in Record.objects.filter(upload_id=upload.pk)}
    rows = []
    for row in UploadRow.objects.filter(upload=upload).order_by("row_number"):
        record = records.get(row.row_number)
        rows.append((
            row.row_number, row.status, row.problems, row.duplicate_of, row.record_id is not None,
            None if record is None else (
                record.status, record.answers, record.derived, record.owning_organisation_id,
                record.managing_organisation_id, record.reference, record.search_text, record.record_date,
                record.visible, record.upload_row,
            ),
        ))
    return rows


def test_rows_evaluated_by_worker_processes_are_stored_exactly_as_by_one_process(
    core: Any, make_org: Any, make_user: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partly broken file (cell errors, hard and soft problems, rows for another organisation, dates outside
    the window, duplicates within the file) processed in one process, then again by two worker processes."""
    user = make_user(make_org(), role="data_coordinator")
    stranger = make_org()
    path = tmp_path / "broken.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), user.organisation.code, 400, varied=True)
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    chance = random.Random(4)
    for row in rows[2:]:
        if chance.random() < 0.6:
            for _ in range(chance.randint(1, 4)):
                row[chance.randrange(1, len(row))] = chance.choice(
                    ["", "31/02/2026", "99", "abc", "-5", stranger.code, "1", "2", "2025", "9999.99", "=1+1"])
    for _ in range(20):
        rows[chance.randrange(2, len(rows))] = list(rows[chance.randrange(2, len(rows))])
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    upload = upload_file(user, path).upload

    def processed(processes: int) -> tuple[list[Any], dict[str, Any]]:
        monkeypatch.setenv("DCP_UPLOAD_PROCESSES", str(processes))
        Record.objects.filter(upload_id=upload.pk).delete()
        UploadRow.objects.filter(upload=upload).delete()
        Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING, processed_rows=0, summary={})
        processing.process_upload(upload.pk, today=TODAY)
        finished = Upload.objects.get(pk=upload.pk)
        assert finished.status == UploadStatus.READY
        return stored(upload), finished.summary

    monkeypatch.setattr(processing, "PROCESSES_FROM_ROWS", 0)
    spawned: list[int] = []

    def evaluated_rows(work: Any, rows: Any, *, processes: int) -> Iterator[evaluating.EvaluatedRow]:
        spawned.append(processes)
        return evaluating.evaluated_rows(work, rows, processes=processes)

    monkeypatch.setattr(processing, "evaluated_rows", evaluated_rows)
    monkeypatch.setenv("DCP_UPLOAD_PROCESSES", "1")
    processing.process_upload(upload.pk, today=TODAY)  # checked once
    in_one, summary_in_one = processed(1)
    in_two, summary_in_two = processed(2)
    assert spawned == [1, 1, 2]
    assert in_two == in_one
    assert summary_in_two == summary_in_one
    statuses = {row[1] for row in in_one}
    rules = {problem["rule"] for row in in_one for problem in row[2]}
    assert statuses == {"completed", "in_progress", "refused"}  # the file tries every outcome
    assert {"organisation", "window"} <= rules and any(rule.startswith("cell.") for rule in rules)
    assert any(row[3] for row in in_one)  # duplicates within the file


def test_answers_and_derived_values_are_encoded_as_json_text_encodes_their_json_form() -> None:
    """Upload rows store answers and derived values encoded by orjson (records.copying.stored_json): the same
    text that records.copying.json_text gives for their JSON form, and what orjson cannot encode falls back."""

    def encode_answers(answers: dict[str, Any]) -> str:
        return stored_json(answers)

    def encode_derived(derived: dict[str, Any]) -> str:
        return stored_json(derived, default=plain_json_value)

    definition = definition_for("core", "lettings", 2026)
    golden = json.loads((REPO / "tests/unit/definitions/data/golden_core.json").read_text())
    for case in golden:  # 80 varied CORE records: dates, money, households, broken ones
        evaluation = definition.evaluate(case["answers"], context=EvalContext(today=TODAY))
        assert encode_derived(evaluation.derived) == json_text(evaluation.derived_json())
        assert encode_answers(evaluation.answers) == json_text(evaluation.answers)
    odd = {"when": date(2026, 6, 1), "at": datetime(2026, 6, 1, 9, 30), "money": Decimal("1.10"),
           "list": [Decimal("2"), date(2026, 1, 2), None, 1, "x"], "flag": True, "ratio": 0.5, "text": "ü \" \t"}
    assert encode_derived(odd) == (
        '{"when":"2026-06-01","at":"2026-06-01T09:30:00","money":"1.10","list":["2","2026-01-02",null,1,"x"],'
        '"flag":true,"ratio":0.5,"text":"ü \\" \\t"}')
    huge = {"people": [{"age": 2**70}], 7: "not a text key"}  # beyond orjson: the standard encoder's text
    assert encode_answers(huge) == json_text(huge) == '{"people":[{"age":1180591620717411303424}],"7":"not a text key"}'
    assert encode_derived({"big": 2**70, "on": date(2026, 6, 1)}) == '{"big":1180591620717411303424,"on":"2026-06-01"}'
    assert encode_answers({"ratio": float("nan")}) == '{"ratio":null}'  # JSON has no NaN
    with pytest.raises(TypeError):
        encode_derived({"other": object()})


def test_the_number_of_processes_comes_from_the_setting_or_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DCP_UPLOAD_PROCESSES", raising=False)
    assert evaluating.worker_processes() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("DCP_UPLOAD_PROCESSES", " 3 ")
    assert evaluating.worker_processes() == 3
    for wrong in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("DCP_UPLOAD_PROCESSES", wrong)
        with pytest.raises(ImproperlyConfigured, match="DCP_UPLOAD_PROCESSES must be a whole number of 1 or more"):
            evaluating.worker_processes()
