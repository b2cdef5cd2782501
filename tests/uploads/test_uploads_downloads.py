"""The upload page's empty files to fill in (a CSV of the definition's flat names per open form and year), and what
the results pages say about a flat file's columns."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from pathlib import Path
from typing import Any

from dcp_platform.registry import definition_for
from dcp_platform.uploads.flat import flat_file_for, flat_headers
from dcp_platform.uploads.models import Upload, UploadRow
from dcp_platform.uploads.reading import MAX_ROWS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

REPO = Path(__file__).resolve().parents[2]


def write_template(path: Path, organisation_code: str, rows: int) -> None:
    """A CORE template file from the bulk upload benchmark's writer."""
    spec = importlib.util.spec_from_file_location("bulk_upload_bench_downloads", REPO / "benchmarks/bulk_upload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.write_template(path, definition_for("core", "lettings", 2026), organisation_code, rows)


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


# ---------------------------------------------------------------------------------------------- results pages


def hclic_row(la: str, reference: str, **answers: Any) -> dict[str, Any]:
    # Reported today: the quarter that holds today is open for new records (the tasks use the real date).
    return {
        "case_reference": reference, "local_authority": la, "reporting_date": timezone.localdate().isoformat(),
        "application_date": "2026-04-01", "assessment_date": "2026-04-10", "current_accommodation": 3,
        "has_support_needs": 0, "prevention_duty": 0, "relief_duty": 1, "relief_start": "2026-04-10",
        "placed_in_temporary_accommodation": 0, "people_1_age": 40, "people_1_sex": "F",
        "people_1_nationality": 1, "people_1_economic_status": 1, **answers,
    }


def report_table(html: str) -> list[list[str]]:
    """The report's body rows as lists of cell texts."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_results_list_the_ignored_columns_and_the_report_names_each_problems_column(
    client_for: Any, hclic: Any, make_org: Any, make_user: Any
) -> None:
    user = make_user(make_org(provider_type="LA"), role="data_coordinator")
    client = client_for("hclic", user)
    la = user.organisation.code
    definition = definition_for("hclic", "cases", 2026)
    headers = [h for h in flat_headers(definition, {"people": 1, "placements": 1}) if h != "prevention_accommodation"]
    headers += ["Our notes", "caseworker"]
    rows = [
        hclic_row(la, "GOOD-1", **{"Our notes": "fine", "caseworker": "AB"}),
        hclic_row(la, "BAD-2", people_1_age="three"),  # a cell that cannot be read
        # A rule that fails on an answer the file has no column for: the prevention duty ended with the
        # household homeless, and where they went (prevention_accommodation) is not the same as before.
        hclic_row(la, "BAD-3", prevention_duty=1, prevention_start="2026-04-10", prevention_end="2026-05-01",
                  prevention_end_reason=2, relief_duty=0, relief_start=""),
    ]
    upload = post_file(client, "cases:2026", "cases.csv", csv_bytes(headers, rows))
    assert (upload.kind, upload.status) == ("flat", "ready"), upload.message
    assert upload.summary["ignored_columns"] == ["Our notes", "caseworker"]

    results = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "Columns we ignored" in results
    assert "<li>Our notes</li>" in results and "<li>caseworker</li>" in results

    by_row = {row.row_number: row for row in UploadRow.objects.filter(upload=upload)}
    assert by_row[2].problems == []
    # The unreadable age is the error; person 1's answers it leaves unasked are listed as not kept (issue 17).
    assert [p["column"] for p in by_row[3].problems if p.get("severity") != "not_kept"] == ["people_1_age"]
    assert [(p["rule"], p["column"]) for p in by_row[4].problems] == [
        ("prevention_homeless_outcome", "prevention_accommodation")]
    report = client.get(f"/uploads/{upload.pk}/report/").content.decode()
    assert ">Field</th>" not in report  # template field numbers mean nothing in a flat file
    lines = [(row[0], row[1], row[2]) for row in report_table(report)]  # row, column, value in the file
    # Person 1's answers that the unreadable age leaves unasked are listed too, as not kept.
    assert lines == [("3", "people_1_age", "three"), ("3", "people_1_nationality", "1"),
                     ("3", "people_1_economic_status", "1"), ("4", "prevention_accommodation (not in the file)", "")]
    download = b"".join(client.get(f"/uploads/{upload.pk}/report.csv").streaming_content).decode("utf-8-sig")
    assert "prevention_accommodation (not in the file)" in download  # the downloaded report names it too

    # Once the records are created, the results still list what was ignored.
    client.post(f"/uploads/{upload.pk}/confirm/", {"create": "all"})
    assert "<li>Our notes</li>" in client.get(f"/uploads/{upload.pk}/").content.decode()


def test_a_template_upload_lists_no_ignored_columns_and_keeps_the_field_numbers(
    client_for: Any, core: Any, make_org: Any, make_user: Any, tmp_path: Path
) -> None:
    user = make_user(make_org(), role="data_coordinator")
    client = client_for("core", user)
    path = tmp_path / "template.csv"
    write_template(path, user.organisation.code, 2)
    upload = post_file(client, "lettings:2026", "template.csv", path.read_bytes())
    assert upload.status == "ready", upload.message
    assert "we ignored" not in client.get(f"/uploads/{upload.pk}/").content.decode()
    assert ">Field</th>" in client.get(f"/uploads/{upload.pk}/report/").content.decode()
