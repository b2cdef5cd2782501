"""Big downloads in the background: progress, a download-ready notification, and a signed link that expires."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from dcp_platform.exports.background import file_token, run_export_job
from dcp_platform.exports.models import ExportJob, ExportStatus
from dcp_platform.notifications.models import Notification
from dcp_platform.records.services import record_create

TODAY = date(2026, 11, 24)


def test_past_the_size_a_download_is_made_in_the_background(
    core: Any, make_org: Any, make_user: Any, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DCP_EXPORT_BACKGROUND_ROWS = 1
    org = make_org()
    user = make_user(org)
    for code in ("BG1", "BG2"):
        record_create(form="lettings", year=2026, user=user, today=TODAY, answers={
            "owning_organisation_id": org.code, "managing_organisation_id": org.code, "tenancycode": code})
    client = client_for("core", user)
    response = client.get("/downloads/", {"download": "1", "what": "lettings-2026", "values": "labels"})
    assert response.status_code == 302
    job = ExportJob.objects.get(user_id=user.pk)
    assert response["Location"] == f"/downloads/jobs/{job.pk}/" and job.rows_total == 2
    # The task ran in the test's process (eager in the test settings); running it again changes nothing.
    run_export_job(job.pk, link_base="http://elsewhere.example")
    job.refresh_from_db()
    assert job.status == ExportStatus.READY and job.rows_done == 2
    page = client.get(f"/downloads/jobs/{job.pk}/")
    assert b"Your download is ready" in page.content
    notice = Notification.objects.get(user=user, kind="download_ready")
    assert notice.link.startswith("http://core.dcp.localhost/downloads/files/")
    got = client.get(notice.link.removeprefix("http://core.dcp.localhost"))
    assert got.status_code == 200
    body = b"".join(got.streaming_content).decode("utf-8")
    rows = list(csv.reader(body.removeprefix("\ufeff").splitlines()))
    assert sorted(r[rows[1].index("tenancycode")] for r in rows[2:]) == ["BG1", "BG2"]
    # Another person cannot use the link; an expired or forged one opens nothing.
    other = client_for("core", make_user(org))
    assert other.get(f"/downloads/files/{file_token(job)}/").status_code == 410
    assert client.get("/downloads/files/forged:token/").status_code == 410
    settings.DCP_EXPORT_LINK_DAYS = -1
    assert client.get(f"/downloads/files/{file_token(job)}/").status_code == 410
