"""The person who uploaded a file is told when it has been processed: its counts and a link, once only."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from typing import Any

from dcp_platform.notifications import kinds
from dcp_platform.notifications.models import Notification
from dcp_platform.registry import definition_for
from dcp_platform.uploads import services
from dcp_platform.uploads.models import Upload, UploadStatus

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 1)


def bench() -> Any:
    spec = importlib.util.spec_from_file_location("bulk_upload_bench_n", REPO / "benchmarks/bulk_upload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_processed_upload_notifies_its_uploader_once_with_counts_and_a_link(
    core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    uploader = make_user(make_org(), role="data_coordinator")
    someone_else = make_user(uploader.organisation)
    path = tmp_path / "template.csv"
    bench().write_template(path, definition_for("core", "lettings", 2026), uploader.organisation.code, 12)
    with open(path, "rb") as handle:
        received = services.receive_file(user=uploader, form="lettings", year=2026, handle=handle,
                                         filename="lettings-june.csv")
    assert not Notification.objects.filter(user=uploader).exists()
    services.process_upload(received.upload.pk, today=TODAY)
    upload = Upload.objects.get(pk=received.upload.pk)
    assert upload.status == UploadStatus.READY

    sent = Notification.objects.get(user=uploader, kind=kinds.UPLOAD_PROCESSED)
    assert sent.title == "Your upload lettings-june.csv has been processed"
    assert "12 rows checked (12 complete)" in sent.body
    assert sent.link.startswith("http://core.") and sent.link.endswith(f"/uploads/{upload.pk}/")
    assert sent.collection_slug == "core"
    assert sent.dedupe_key == f"upload_processed:core:{upload.pk}"
    assert not Notification.objects.filter(user=someone_else).exists()

    # A redelivered job that finishes the upload again tells nobody twice.
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    services.process_upload(upload.pk, today=TODAY)
    assert Notification.objects.filter(user=uploader, kind=kinds.UPLOAD_PROCESSED).count() == 1
