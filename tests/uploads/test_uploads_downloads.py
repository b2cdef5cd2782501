"""The upload page's empty files to fill in: one per open form and year, a CSV of the definition's flat names."""

from __future__ import annotations

import csv
import io
from typing import Any

from dcp_platform.registry import definition_for
from dcp_platform.uploads.flat import flat_file_for, flat_headers
from dcp_platform.uploads.models import Upload, UploadRow
from dcp_platform.uploads.reading import MAX_ROWS
from django.core.files.uploadedfile import SimpleUploadedFile


def header_row(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf"), "no byte order mark: Excel would not read the file as UTF-8"
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def post_file(client: Any, form_year: str, name: str, data: bytes) -> Upload:
    response = client.post("/uploads/new/", {"form_year": form_year, "file": SimpleUploadedFile(name, data, "text/csv")})
    assert response.status_code == 302, response.content.decode()[:2000]
    upload_id = int(response["Location"].rstrip("/").split("/")[-1])
    return Upload.objects.get(pk=upload_id)  # tasks run eagerly in tests: already checked


def csv_bytes(headers: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


# ---------------------------------------------------------------------------------------------- upload page


def test_the_upload_page_links_an_empty_file_per_open_form_and_states_the_limits(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    page = client_for("core", make_user(make_org())).get("/uploads/new/").content.decode()
    assert 'href="/uploads/empty/lettings/2026.csv"' in page
    assert "Download an empty file for Lettings log 2026 to 2027 (CSV)" in page
    assert "official numbered template for 2026 to 2027" in page  # this year has one, and it is accepted
    assert "no more than 30 MB" in page and f"at most {MAX_ROWS:,} rows" in page and "150,000" in page
    assert "up to 2,000 characters" in page


def test_a_collection_without_a_numbered_template_does_not_mention_one(
    client_for: Any, hclic: Any, make_org: Any, make_user: Any
) -> None:
    page = client_for("hclic", make_user(make_org(provider_type="LA"))).get("/uploads/new/").content.decode()
    assert 'href="/uploads/empty/cases/2026.csv"' in page
    assert "numbered template" not in page


# ---------------------------------------------------------------------------------------------- the download


def test_the_empty_file_is_a_csv_attachment_of_the_definitions_flat_names(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    client = client_for("core", make_user(make_org()))
    response = client.get("/uploads/empty/lettings/2026.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="core-lettings-2026-2027-flat.csv"'
    assert response.content == flat_file_for("core", "lettings", 2026)[1]
    assert header_row(response.content) == flat_headers(definition_for("core", "lettings", 2026))
    assert client.get("/uploads/empty/lettings/2019.csv").status_code == 404
    assert client.get("/uploads/empty/cases/2026.csv").status_code == 404  # another collection's form


def test_the_empty_file_needs_a_member_of_the_collection(
    client_for: Any, hclic: Any, make_org: Any, make_user: Any
) -> None:
    assert client_for("hclic").get("/uploads/empty/cases/2026.csv").status_code == 302  # to sign in
    association = make_user(make_org(provider_type="PRP"))  # cannot take part in an LA-only collection
    assert client_for("hclic", association).get("/uploads/empty/cases/2026.csv").status_code == 403


def test_the_empty_file_filled_in_is_read_without_asking_about_columns(
    client_for: Any, core: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org(), role="data_coordinator")
    client = client_for("core", user)
    data = client.get("/uploads/empty/lettings/2026.csv").content
    headers = header_row(data)
    code = user.organisation.code
    row = {"owning_organisation_id": code, "managing_organisation_id": code, "needstype": "1", "renewal": "0",
           "startdate": "01/06/2026", "rent_type": "0", "tenancycode": "FLAT-1", "hhmemb": "1", "age1": "34"}
    assert set(row) <= set(headers), set(row) - set(headers)
    upload = post_file(client, "lettings:2026", "filled.csv", data + csv_bytes(headers, [row]).split(b"\r\n", 1)[1])
    assert (upload.kind, upload.status) == ("flat", "ready"), upload.message
    assert "ignored_columns" not in upload.summary
    assert UploadRow.objects.filter(upload=upload).count() == 1
