"""'Fix this row' opens the first failing question; 'Create' is offered only when a record can be made; the
progress does not say "0 of ?" (issue 20, point 10)."""

from __future__ import annotations

from typing import Any

from dcp_platform.uploads.models import Upload, UploadStatus


def _upload(user: Any, status: str, **values: Any) -> Upload:
    return Upload.objects.create(
        form="lettings", year=2026, organisation=user.organisation, user=user, filename="ours.csv", stored_path="",
        file_hash=f"{status}{values}".ljust(64, "x")[:64], kind="columns", status=status, **values,
    )


def test_fix_opens_the_first_failing_question(
    client_for: Any, core: Any, make_org: Any, make_user: Any, started_record: Any
) -> None:
    user = make_user(make_org(provider_type="PRP"))
    client = client_for("core", user)
    record = started_record(user)
    # The first unanswered question is the owner's (the form's first page); answer the set-up up to the date.
    response = client.get(f"/records/{record.public_id}/fix/")
    assert response.status_code == 302 and "/questions/" in response["Location"], response["Location"]
    first = response["Location"]
    client.post(first, {"owning_organisation_id": user.organisation.code})
    following = client.get(f"/records/{record.public_id}/fix/")["Location"]
    assert "/questions/" in following and following != first


def test_create_is_offered_only_when_a_record_can_be_made(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org())
    client = client_for("core", user)
    refused_only = _upload(user, UploadStatus.READY, summary={"completed": 0, "in_progress": 0, "refused": 3})
    html = client.get(f"/uploads/{refused_only.pk}/").content.decode()
    assert "Create all records" not in html and "Create the records" not in html
    assert "No record can be created from this file" in html
    complete_only = _upload(user, UploadStatus.READY, summary={"completed": 2, "in_progress": 0, "refused": 0})
    html = client.get(f"/uploads/{complete_only.pk}/").content.decode()
    assert "Create the records" in html and "Create only the complete records" not in html
    mixed = _upload(user, UploadStatus.READY, summary={"completed": 2, "in_progress": 1, "refused": 0})
    html = client.get(f"/uploads/{mixed.pk}/").content.decode()
    assert "Create all records (fix the others on the web)" in html and "Create only the complete records" in html


def test_progress_before_the_count_is_known(client_for: Any, core: Any, make_org: Any, make_user: Any) -> None:
    user = make_user(make_org())
    counting = _upload(user, UploadStatus.CHECKING)
    html = client_for("core", user).get(f"/uploads/{counting.pk}/").content.decode()
    assert "of ? rows" not in html and "Counting the rows in the file." in html
