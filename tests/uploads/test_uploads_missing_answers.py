"""A row whose record lacks answers says which ones, so the summary's 'answers to fix' and the report agree
(issue 20, point 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dcp_platform.uploads.models import UploadStatus


def test_the_report_says_which_answers_each_incomplete_row_is_missing(
    client_for: Any, core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    from tests.uploads.test_uploads_review import post_file

    user = make_user(make_org())
    client = client_for("core", user)
    path = tmp_path / "few-answers.csv"
    path.write_text("owning_organisation_id,tenancycode\n"
                    f"{user.organisation.code},T-1\n{user.organisation.code},T-2\n", encoding="utf-8")
    upload = post_file(client, path)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY, upload.message
    assert upload.summary["in_progress"] == 2
    report = client.get(f"/uploads/{upload.pk}/report/").content.decode()
    assert "No rows have problems" not in report
    missing = report.split("Rows with answers missing", 1)[1]
    assert "2 records are not complete" in missing
    assert "What is the tenancy start date?" in missing  # named by its wording, in the form's order
    assert missing.count("Fix this row") == 2
