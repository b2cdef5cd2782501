"""The upload summary names questions in their wording, never by id (issue 20, point 3)."""

from __future__ import annotations

from typing import Any

from dcp_platform.uploads.models import Upload, UploadStatus


def test_the_problems_by_question_table_shows_the_question_wording(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org())
    upload = Upload.objects.create(
        form="lettings", year=2026, organisation=user.organisation, user=user, filename="ours.csv",
        stored_path="", file_hash="x" * 64, kind="columns", status=UploadStatus.READY,
        summary={"completed": 0, "in_progress": 2, "refused": 0, "duplicates": 0, "problem_groups": [
            {"question": "owning_organisation_id", "severity": "hard", "message": "Not one of yours", "rows": 2},
            {"question": "nationality_all", "severity": "hard", "message": "Not a country", "rows": 1},
        ]},
    )
    html = client_for("core", user).get(f"/uploads/{upload.pk}/").content.decode()
    table = html.split("Problems, by question", 1)[1].split("</table>", 1)[0]
    assert "owning_organisation_id" not in table and "nationality_all" not in table
    assert "Which organisation owns this property?" in table
