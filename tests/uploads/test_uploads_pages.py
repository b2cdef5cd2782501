"""The bulk upload pages: upload, progress, results, confirmation; other organisations see nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from dcp_platform.records.models import Record
from dcp_platform.registry import definition_for
from dcp_platform.uploads.models import Upload
from django.core.files.uploadedfile import SimpleUploadedFile

REPO = Path(__file__).resolve().parents[2]


def write_template(path: Path, organisation_code: str, rows: int) -> None:
    spec = importlib.util.spec_from_file_location("bulk_upload_bench_pages", REPO / "benchmarks/bulk_upload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.write_template(path, definition_for("core", "lettings", 2026), organisation_code, rows)


def test_upload_a_template_review_results_and_create_records(
    client_for: Any, core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    user = make_user(make_org(), role="data_coordinator")
    client = client_for("core", user)
    assert client.get("/uploads/new/").status_code == 200
    path = tmp_path / "template.csv"
    write_template(path, user.organisation.code, 5)
    response = client.post("/uploads/new/", {
        "form_year": "lettings:2026", "file": SimpleUploadedFile("template.csv", path.read_bytes(), "text/csv"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    upload = Upload.objects.get(organisation=user.organisation)
    # Tasks run eagerly in tests: the upload has been checked by the time the page is shown.
    page = client.get(response["Location"]).content.decode()
    assert upload.filename in page
    upload.refresh_from_db()
    assert upload.status == "ready", upload.message
    assert not Record.objects.filter(upload_id=upload.pk, visible=True).exists()  # hidden until confirmed
    assert client.get(f"/uploads/{upload.pk}/progress/").json()["status"] == "ready"
    response = client.post(f"/uploads/{upload.pk}/confirm/", {"create": "all"})
    assert response.status_code == 302
    assert Record.objects.filter(upload_id=upload.pk, visible=True).count() == 5


def test_bad_files_get_one_clear_message(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    organisation = make_org()
    client = client_for("core", make_user(organisation))
    response = client.post("/uploads/new/", {"form_year": "lettings:2026"})
    assert response.status_code == 400 and "Select a file to upload" in response.content.decode()
    response = client.post("/uploads/new/", {
        "form_year": "lettings:2026", "file": SimpleUploadedFile("notes.txt", b"\x00\x01binary\xff", "text/plain"),
    }, follow=True)
    text = response.content.decode()
    assert "There is a problem" in text or "The file was not accepted" in text
    # This organisation's: browser tests commit their uploads, so a --reuse-db run can meet other tests' ones.
    assert not Upload.objects.filter(organisation=organisation).exclude(status="rejected").exists()
    assert not Record.objects.filter(owning_organisation=organisation).exists()


def test_another_organisation_cannot_see_an_upload(
    client_for: Any, core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    owner = make_user(make_org())
    path = tmp_path / "template.csv"
    write_template(path, owner.organisation.code, 2)
    client_for("core", owner).post("/uploads/new/", {
        "form_year": "lettings:2026", "file": SimpleUploadedFile("template.csv", path.read_bytes(), "text/csv"),
    })
    upload = Upload.objects.get(organisation=owner.organisation)
    stranger = client_for("core", make_user(make_org()))
    assert stranger.get(f"/uploads/{upload.pk}/").status_code == 404
    assert stranger.post(f"/uploads/{upload.pk}/confirm/", {"create": "all"}).status_code == 404
    assert upload.filename not in stranger.get("/uploads/").content.decode()
