"""A real Celery worker killed (SIGKILL) in the middle of a file, then a fresh worker: the upload finishes with
every row stored exactly once.

How the job survives the kill: the task is `acks_late`, so while a worker runs it the message sits in Redis'
"unacked" set. A killed worker never acknowledges it; a worker that starts later puts every unacked message
older than the broker's `visibility_timeout` back on its queue (kombu does this when it starts polling and then
every ~100 s). The fresh worker then runs `process_upload` again, which resumes after the last committed chunk.
The test workers use `DCP_CELERY_VISIBILITY_TIMEOUT=2`; production keeps the default of an hour (see the "Bulk
upload" section of docs/performance.md for what that means for recovery time).

Isolation: the workers and the test talk through their own Redis database (`DCP_TEST_WORKER_REDIS_DB`, default
15) and a queue name unique to this run, and use the test database of this pytest session.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from celery import Celery
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.records.models import Record, RecordChange
from dcp_platform.registry import definition_for
from dcp_platform.uploads.models import Upload, UploadRow, UploadStatus
from dcp_platform.uploads.services import processing
from django.conf import settings
from django.db import connection

from .test_uploads_processing import TODAY, bench, upload_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ROWS = 3 * processing.CHUNK_ROWS  # three chunks (1,500 rows)
CHUNK_PAUSE = 2.0  # seconds the worker sleeps after each chunk: the window in which it is killed
VISIBILITY_TIMEOUT = 2  # seconds before an unacknowledged task may be handed to another worker
REDIS_DB = int(os.environ.get("DCP_TEST_WORKER_REDIS_DB", "15"))
FIRST_DATA_ROW = 3  # the template has two header rows


def _redis_url(db: int) -> str:
    parts = urlsplit(settings.REDIS_URL)
    return parts._replace(path=f"/{db}").geturl()


def _test_database_url() -> str:
    """The database of this pytest session (test_<name>), which the worker subprocesses must use."""
    parts = urlsplit(settings.DATABASE_URL)
    return parts._replace(path="/" + str(connection.settings_dict["NAME"])).geturl()


class Workers:
    """Starts real `celery worker` processes, each in its own process group, and always stops them."""

    def __init__(self, queue: str, log_dir: Path, **extra_env: str) -> None:
        self.queue, self.log_dir = queue, log_dir
        self.started: list[subprocess.Popen[bytes]] = []
        broker = _redis_url(REDIS_DB)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dcp_platform.settings",
            "DATABASE_URL": _test_database_url(),
            "DCP_CELERY_EAGER": "false",
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            "DCP_CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "DCP_UPLOAD_CHUNK_PAUSE": str(CHUNK_PAUSE),
            "DCP_SKIP_DEFINITION_CHECK": "1",
            "DCP_CELERY_QUEUE": queue,  # tasks the workers send themselves (re-queued uploads) stay on this run's queue
            **extra_env,
        }

    def start(self) -> subprocess.Popen[bytes]:
        number = len(self.started) + 1
        log = open(self.log_dir / f"worker{number}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "dcp_platform.celery", "worker", "--pool=prefork",
             "--concurrency=1", "--loglevel=info", "-Q", self.queue, "-n", f"{self.queue}-{number}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self.started.append(process)
        return process

    @staticmethod
    def group_members(process: subprocess.Popen[bytes]) -> list[int]:
        """Live (not zombie) processes of the worker's process group: its main process and pool children."""
        members = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # the process ended while we looked
            state, process_group = fields[0], int(fields[2])
            if process_group == process.pid and state != "Z":
                members.append(int(stat.parent.name))
        return members

    def group_alive(self, process: subprocess.Popen[bytes]) -> bool:
        return bool(self.group_members(process))

    def kill(self, process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the worker's whole process group and wait until none of it runs any more."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while self.group_alive(process) and time.monotonic() < deadline:
            time.sleep(0.05)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in sorted(self.log_dir.glob("*.log"))
        )

    def stop_all(self) -> None:
        for process in self.started:
            if self.group_alive(process):
                self.kill(process)


def _unacked_for(client: redis.Redis, queue: str) -> dict[bytes | str, float]:
    """Delivery tag -> delivery time of the messages of `queue` that a worker took and never acknowledged."""
    found: dict[bytes | str, float] = {}
    for tag, payload in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(payload)
        if routing_key == queue:
            found[tag] = float(client.zscore("unacked_index", tag) or 0)
    return found


def _wait_for(condition: Callable[[], bool], timeout: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{workers.logs()}")
        time.sleep(0.05)


@pytest.fixture
def run_id() -> str:
    return f"upload-kill-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def broker(run_id: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(_redis_url(REDIS_DB))
    yield client
    # Leave nothing of this run in the broker database, whatever happened: its queue, its bindings, its
    # result, and its message if a worker took it and never acknowledged it.
    client.delete(run_id, f"_kombu.binding.{run_id}", f"_kombu.binding_permanent.{run_id}",
                  f"celery-task-meta-{run_id}-task")
    for tag in _unacked_for(client, run_id):
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)
    client.close()


@pytest.fixture
def uploads_to_remove(core: Any) -> Iterator[list[Upload]]:
    """The test's data is committed (the workers must see it), so it is removed afterwards, even on failure."""
    uploads: list[Upload] = []
    yield uploads
    connection.set_tenant(core)  # type: ignore[attr-defined]
    for upload in uploads:
        Record.objects.filter(upload_id=upload.pk).delete()  # with their history
        Path(upload.stored_path).unlink(missing_ok=True)
        Upload.objects.filter(pk=upload.pk).delete()  # with its row results
        # Users and organisations are deactivated, never deleted (other schemas may refer to them).
        User.objects.filter(pk=upload.user_id).update(is_active=False)
        Organisation.objects.filter(pk=upload.organisation_id).update(active=False)


def _template_upload(make_org: Any, make_user: Any, tmp_path: Path, uploads_to_remove: list[Upload]) -> Upload:
    """A received (not yet processed) upload of a valid ROWS-row CORE template file, removed after the test."""
    user = make_user(make_org(), role="data_coordinator")
    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), user.organisation.code, ROWS)
    upload = upload_file(user, path).upload
    uploads_to_remove.append(upload)
    return upload


def _send_and_kill_mid_file(workers: Workers, sender: Celery, upload: Upload, task_id: str) -> None:
    """Start a worker, send it the upload, and SIGKILL it (no warm shutdown, no requeue) once a chunk is in."""
    first = workers.start()
    sender.send_task("uploads.process_upload", args=["core", upload.pk, TODAY.isoformat()], queue=workers.queue,
                     task_id=task_id, headers={"_schema_name": "core"})
    _wait_for(lambda: 0 < Upload.objects.get(pk=upload.pk).processed_rows < ROWS or not workers.group_alive(first),
              45, "the first worker to commit a chunk", workers)
    assert workers.group_alive(first), "the first worker died on its own\n" + workers.logs()
    workers.kill(first)
    assert not workers.group_alive(first)


def test_a_killed_worker_is_replaced_and_the_upload_finishes_with_every_row_once(
    core: Any, make_org: Any, make_user: Any, tmp_path: Path, run_id: str, broker: redis.Redis,
    uploads_to_remove: list[Upload],
) -> None:
    upload = _template_upload(make_org, make_user, tmp_path, uploads_to_remove)
    workers = Workers(run_id, tmp_path)
    sender = Celery("upload-kill-test", broker=_redis_url(REDIS_DB))
    task_id = f"{run_id}-task"

    def state() -> Upload:
        return Upload.objects.get(pk=upload.pk)

    try:
        # 1. Catch the first worker in the middle of the file, then SIGKILL it.
        _send_and_kill_mid_file(workers, sender, upload, task_id)
        killed_at = time.time()

        at_kill = state()
        assert at_kill.status == UploadStatus.PROCESSING, workers.logs()
        assert at_kill.total_rows == ROWS
        assert 0 < at_kill.processed_rows < ROWS
        committed = at_kill.processed_rows
        # What was committed is whole: records and row results of the finished chunks, nothing of the next one.
        assert UploadRow.objects.filter(upload=upload).count() == committed
        assert Record.objects.filter(upload_id=upload.pk).count() == committed

        # 2. The task is not lost: the killed worker's message waits, unacknowledged, in the broker.
        unacked = _unacked_for(broker, run_id)
        assert len(unacked) == 1, unacked
        assert broker.llen(run_id) == 0  # and it is not on the queue yet
        delivered_at = next(iter(unacked.values()))

        # 3. A fresh worker (started once the message is older than the visibility timeout) takes it over.
        time.sleep(max(0.0, delivered_at + VISIBILITY_TIMEOUT + 0.5 - time.time()))
        second = workers.start()
        _wait_for(lambda: state().status == UploadStatus.READY or not workers.group_alive(second),
                  45, "the fresh worker to finish the upload", workers)
        assert state().status == UploadStatus.READY, workers.logs()
        # It acknowledged the task once finished: nothing is left for a third worker to redo.
        _wait_for(lambda: not _unacked_for(broker, run_id), 10, "the fresh worker to acknowledge the task", workers)
        assert broker.llen(run_id) == 0
        workers.kill(second, signal.SIGTERM)
    finally:
        workers.stop_all()
        sender.close()

    # 4. Nothing lost, nothing doubled.
    done = state()
    assert done.status == UploadStatus.READY and done.processed_rows == done.total_rows == ROWS
    expected_rows = set(range(FIRST_DATA_ROW, FIRST_DATA_ROW + ROWS))
    results = list(UploadRow.objects.filter(upload=upload).values_list("row_number", "status", "record_id"))
    assert len(results) == ROWS and {number for number, _, _ in results} == expected_rows
    accepted = {number: record_id for number, status, record_id in results if status != "refused"}
    assert len(accepted) == ROWS, done.summary  # every generated row is valid enough to be stored
    records = list(Record.objects.filter(upload_id=upload.pk).values_list("pk", "upload_row", "created_at"))
    assert len(records) == len(accepted)
    # Every record knows its upload and row, and its row result points back at it.
    assert {row: pk for pk, row, _ in records} == accepted
    assert RecordChange.objects.filter(record_id__in=[pk for pk, _, _ in records]).count() == len(records)
    assert done.summary["completed"] + done.summary["in_progress"] == ROWS

    # 5. The fresh worker resumed after the last committed chunk; it did not start the file again.
    first_rows = set(range(FIRST_DATA_ROW, FIRST_DATA_ROW + committed))
    before = {row for _, row, created in records if created.timestamp() < killed_at}
    assert before == first_rows


def test_a_restarted_worker_resumes_a_stalled_upload_without_waiting_for_the_broker(
    core: Any, make_org: Any, make_user: Any, tmp_path: Path, run_id: str, broker: redis.Redis,
    uploads_to_remove: list[Upload],
) -> None:
    """With the production visibility timeout (an hour), the restarted worker re-queues the upload itself."""
    upload = _template_upload(make_org, make_user, tmp_path, uploads_to_remove)
    workers = Workers(run_id, tmp_path, DCP_CELERY_VISIBILITY_TIMEOUT="3600", DCP_UPLOAD_STALE_AFTER="1")
    sender = Celery("upload-stall-test", broker=_redis_url(REDIS_DB))

    def state() -> Upload:
        return Upload.objects.get(pk=upload.pk)

    try:
        _send_and_kill_mid_file(workers, sender, upload, f"{run_id}-task")
        committed = state().processed_rows
        assert 0 < committed < ROWS and state().status == UploadStatus.PROCESSING
        time.sleep(1.5)  # longer than DCP_UPLOAD_STALE_AFTER: the upload now counts as stalled
        second = workers.start()
        _wait_for(lambda: state().status == UploadStatus.READY or not workers.group_alive(second),
                  45, "the restarted worker to finish the upload", workers)
        assert state().status == UploadStatus.READY, workers.logs()
        assert "re-queueing stalled upload" in workers.logs()
        workers.kill(second, signal.SIGTERM)
    finally:
        workers.stop_all()
        sender.close()
    done = state()
    assert done.processed_rows == done.total_rows == ROWS
    assert UploadRow.objects.filter(upload=upload).count() == ROWS
    assert Record.objects.filter(upload_id=upload.pk).count() == ROWS
    assert sorted(Record.objects.filter(upload_id=upload.pk).values_list("upload_row", flat=True)) == \
        list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + ROWS))


def test_chunks_committed_by_the_writer_thread_are_whole_and_a_failed_one_stops_the_file(
    core: Any, make_org: Any, make_user: Any, tmp_path: Path, uploads_to_remove: list[Upload],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside a transaction (as in a worker) chunks are committed by a second thread while the next is built
    (processing._ChunkWriter). A chunk that fails to commit stops the file with the chunks before it whole; the
    next run resumes after them, and the writer's thread does not outlive the run."""
    import threading

    upload = _template_upload(make_org, make_user, tmp_path, uploads_to_remove)
    assert not connection.in_atomic_block  # else chunks are committed in this thread (and this test proves nothing)
    real_commit, calls = processing._commit_chunk, []

    def commit_failing_the_second(*args: Any) -> None:
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        real_commit(*args)

    monkeypatch.setattr(processing, "_commit_chunk", commit_failing_the_second)
    with pytest.raises(RuntimeError, match="went away"):
        processing.process_upload(upload.pk, today=TODAY)
    assert all(name.startswith(f"upload-{upload.pk}-store") for name in calls), calls
    assert Upload.objects.get(pk=upload.pk).processed_rows == processing.CHUNK_ROWS
    assert UploadRow.objects.filter(upload=upload).count() == processing.CHUNK_ROWS
    assert Record.objects.filter(upload_id=upload.pk).count() == processing.CHUNK_ROWS

    monkeypatch.setattr(processing, "_commit_chunk", real_commit)
    processing.process_upload(upload.pk, today=TODAY)
    done = Upload.objects.get(pk=upload.pk)
    assert done.status == UploadStatus.READY and done.processed_rows == ROWS
    rows = list(UploadRow.objects.filter(upload=upload).values_list("row_number", flat=True))
    assert sorted(rows) == list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + ROWS))
    assert sorted(Record.objects.filter(upload_id=upload.pk).values_list("upload_row", flat=True)) == sorted(rows)
    assert not [t for t in threading.enumerate() if t.name.startswith(f"upload-{upload.pk}-store")]
