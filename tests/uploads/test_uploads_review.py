"""Reviewing an upload in the browser: correcting the column and value mapping, the per-cell error report and
its CSV, confirming a soft problem for every row at once, and fixing a row in the web form."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dcp_platform.records.models import Record
from dcp_platform.registry import definition_for
from dcp_platform.uploads.models import SavedMapping, Upload, UploadRow, UploadStatus
from dcp_platform.uploads.reading import DANGEROUS_PREFIXES
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.uploads.test_uploads_processing import bench

SOFT_RULE = "scharge_value_check"
SOFT_RULES = {SOFT_RULE, "rent_value_check"}
# Template cells that give the benchmark's valid template row soft problems only: a fortnightly rent of £400 and a
# service charge of £200 are unusually high for any landlord (both confirmed, the row is complete).
ONLY_SOFT_SCHARGE = {142: "400.00", 143: "200.00"}


def post_file(client: Any, path: Path) -> Upload:
    response = client.post("/uploads/new/", {
        "form_year": "lettings:2026", "file": SimpleUploadedFile(path.name, path.read_bytes(), "text/csv"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return Upload.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def write_template(path: Path, organisation_code: str, rows: int, overrides: dict[int, str]) -> None:
    definition = definition_for("core", "lettings", 2026)
    numbers = sorted(definition.template_field_map())
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Question", *(f"Field {n}" for n in numbers)])
        writer.writerow(["Field number", *numbers])
        for number in range(rows):
            cells = bench().to_template_codes(definition, bench().template_cells(definition, organisation_code, number))
            cells |= overrides
            writer.writerow(["", *(cells.get(n, "") for n in numbers)])


def selects(page: str) -> dict[str, str | None]:
    """Each <select>'s name -> its selected option's value (None when nothing is selected)."""
    found: dict[str, str | None] = {}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, flags=re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = html.unescape(selected.group(1)) if selected else None
    return found


def value_selects(page: str) -> dict[str, tuple[str, str | None]]:
    """Provider value -> (its <select>'s name, the selected code) on the value matching page."""
    chosen = selects(page)
    return {html.unescape(value): (name, chosen[name])
            for name, value in re.findall(r'<label class="govuk-label" for="([^"]+)">“(.*?)” means</label>', page)}


@pytest.fixture
def uploader(core: Any, make_org: Any, make_user: Any) -> Any:
    return make_user(make_org(), role="data_coordinator")


def test_the_user_corrects_the_proposed_columns_and_values(client_for: Any, uploader: Any, tmp_path: Path) -> None:
    client = client_for("core", uploader)
    path = tmp_path / "provider.csv"
    bench().write_provider(path, uploader.organisation.code, 6)
    upload = post_file(client, path)
    assert upload.status == UploadStatus.NEEDS_MAPPING
    assert f'href="/uploads/{upload.pk}/mapping/"' in client.get(f"/uploads/{upload.pk}/").content.decode()

    page = client.get(f"/uploads/{upload.pk}/mapping/").content.decode()
    proposal = selects(page)
    assert len(proposal) == 15 and proposal["column-6"] == "startdate" and proposal["column-0"] == "tenancycode"
    assert "Do not use this column" in page and "Tenancy Start Date" in page and "“01/06/2026”" in page

    # Two columns filling the same question: an error summary, and every choice is kept as the user made it.
    choices = {name: value or "" for name, value in proposal.items()} | {"column-1": "tenancycode"}
    response = client.post(f"/uploads/{upload.pk}/mapping/", choices)
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and 'href="#column-0"' in page
    assert "both fill" in page and page.count("govuk-form-group--error") == 2
    assert selects(page) == {name: value for name, value in choices.items()}
    upload.refresh_from_db()
    assert upload.status == UploadStatus.NEEDS_MAPPING and upload.column_mapping["1"] == "propcode"

    choices["column-1"] = ""  # Do not use this column
    response = client.post(f"/uploads/{upload.pk}/mapping/", choices)
    assert response.status_code == 302 and response["Location"] == f"/uploads/{upload.pk}/mapping/values/"

    page = client.get(f"/uploads/{upload.pk}/mapping/values/").content.decode()
    values = value_selects(page)
    # Automap's suggestions are pre-selected; values that are already codes are not asked about.
    assert values["AST"][1] == "4" and values["Female"][1] == "F" and values["Social Rent"][1] == "0"
    assert "LS6 1AA" not in values and "2" not in values
    form = {name: code or "" for name, code in values.values()}
    form[values["AST"][0]] = "2"  # the user knows better: Assured – lifetime
    form[values["Female"][0]] = "not-an-option"
    response = client.post(f"/uploads/{upload.pk}/mapping/values/", form)
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert value_selects(page)["AST"][1] == "2"  # nothing the user chose is lost
    form[values["Female"][0]] = "F"
    response = client.post(f"/uploads/{upload.pk}/mapping/values/", form)
    assert response.status_code == 302

    # The task ran (eagerly in tests) with the user's mapping.
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY, upload.message
    assert "1" not in upload.column_mapping and upload.value_mapping["tenancy"] == {"AST": "2"}
    records = Record.objects.filter(upload_id=upload.pk)
    assert records.count() == 6
    assert {r.answers.get("tenancy") for r in records} == {2}
    assert {r.answers["persons"][0].get("sexrab") for r in records} == {"F"}
    assert not any("propcode" in r.answers for r in records)
    saved = SavedMapping.objects.get(organisation_id=uploader.organisation_id, signature=upload.signature)
    assert saved.column_mapping == upload.column_mapping and saved.value_mapping == upload.value_mapping

    # The next file of the same shape is mapped by the saved mapping without asking.
    other = tmp_path / "provider-next.csv"
    bench().write_provider(other, uploader.organisation.code, 4)
    second = post_file(client, other)
    assert second.status == UploadStatus.READY
    assert {r.answers.get("tenancy") for r in Record.objects.filter(upload_id=second.pk)} == {2}


def test_mapping_pages_only_for_an_upload_that_needs_them(client_for: Any, uploader: Any, make_org: Any,
                                                          make_user: Any, tmp_path: Path) -> None:
    path = tmp_path / "provider.csv"
    bench().write_provider(path, uploader.organisation.code, 2)
    upload = post_file(client_for("core", uploader), path)
    stranger = client_for("core", make_user(make_org()))
    assert stranger.get(f"/uploads/{upload.pk}/mapping/").status_code == 404
    assert stranger.post(f"/uploads/{upload.pk}/mapping/values/", {}).status_code == 404
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.READY)
    assert client_for("core", uploader).get(f"/uploads/{upload.pk}/mapping/").status_code == 404


def test_error_report_pages_and_a_csv_with_no_formula_in_it(client_for: Any, uploader: Any, tmp_path: Path) -> None:
    client = client_for("core", uploader)
    path = tmp_path / "hostile.csv"
    bench().write_provider(path, uploader.organisation.code, 150)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = lines[0]
    hostile = {"Number of Bedrooms": "=1+1", "Basic Rent": "@SUM(1)", "Lead Tenant Age": "\t=2+2", "Service Charge": "-2+3"}
    for line in lines[1:]:
        line[header.index("Number of Bedrooms")] = "lots"  # a problem in every row, to fill two pages
    for column, text in hostile.items():
        lines[1][header.index(column)] = text
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    upload = post_file(client, path)
    mapping = {name: v or "" for name, v in selects(client.get(f"/uploads/{upload.pk}/mapping/").content.decode()).items()}
    # Columns of numbers with words in them are not matched automatically: the user matches them.
    mapping |= {f"column-{header.index(h)}": key for h, key in (
        ("Number of Bedrooms", "beds"), ("Lead Tenant Age", "age1"), ("Basic Rent", "brent"), ("Service Charge", "scharge"))}
    assert client.post(f"/uploads/{upload.pk}/mapping/", mapping).status_code == 302
    values = value_selects(client.get(f"/uploads/{upload.pk}/mapping/values/").content.decode())
    assert client.post(f"/uploads/{upload.pk}/mapping/values/", {n: c or "" for n, c in values.values()}).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY, upload.message

    # The problems table only (rows missing answers have a table of their own below it).
    first = client.get(f"/uploads/{upload.pk}/report/").content.decode().split("Rows with answers missing")[0]
    rows_on_first = {int(n) for n in re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', first)}
    assert rows_on_first == set(range(2, 102)), first[-6000:]  # 100 rows a page, header is line 1
    assert "Page 1 of 2" in first and "=1+1" in first and "Number of Bedrooms" in first and "Fix this row" in first
    second = client.get(f"/uploads/{upload.pk}/report/?page=2").content.decode().split("Rows with answers missing")[0]
    assert {int(n) for n in re.findall(r'govuk-table__cell--numeric">(\d+)</td>', second)} == set(range(102, 152))

    response = client.get(f"/uploads/{upload.pk}/report.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    report = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert report[0] == ["Row", "Field numbers", "Column", "Value in the file", "Problem", "Severity"]
    by_column = {line[2]: line for line in report[1:] if line[0] == "2"}
    assert by_column["Number of Bedrooms"][3] == "'=1+1" and by_column["Number of Bedrooms"][5] == "Error"
    assert by_column["Basic Rent"][3] == "'@SUM(1)"
    assert by_column["Lead Tenant Age"][3] == "'\t=2+2"
    assert by_column["Service Charge"][3] == "'-2+3"
    assert {line[0] for line in report[1:]} >= {"2", "151"}
    assert not [cell for line in report for cell in line if cell.startswith(DANGEROUS_PREFIXES)]


def test_a_soft_problem_is_confirmed_for_all_rows_at_once(client_for: Any, uploader: Any, make_org: Any,
                                                          make_user: Any, tmp_path: Path) -> None:
    client = client_for("core", uploader)
    path = tmp_path / "soft.csv"
    write_template(path, uploader.organisation.code, 3, ONLY_SOFT_SCHARGE)
    upload = post_file(client, path)
    rows = list(UploadRow.objects.filter(upload=upload))
    assert [row.status for row in rows] == ["in_progress"] * 3
    assert all({p["rule"] for p in row.problems} == SOFT_RULES for row in rows), rows[0].problems
    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert page.count("Confirm for all 3 rows") == 2 and f'value="{SOFT_RULE}"' in page

    assert client_for("core", make_user(make_org())).post(
        f"/uploads/{upload.pk}/confirm-soft/", {"rule": SOFT_RULE}).status_code == 404
    response = client.post(f"/uploads/{upload.pk}/confirm-soft/", {"rule": SOFT_RULE}, follow=True)
    assert "Confirmed for 3 rows." in response.content.decode()
    assert response.content.decode().count("Confirm for all 3 rows") == 1

    rows = list(UploadRow.objects.filter(upload=upload))
    assert [(row.status, [p["rule"] for p in row.problems]) for row in rows] == [("in_progress", ["rent_value_check"])] * 3
    client.post(f"/uploads/{upload.pk}/confirm-soft/", {"rule": "rent_value_check"})
    rows = list(UploadRow.objects.filter(upload=upload))
    assert [(row.status, row.problems) for row in rows] == [("completed", [])] * 3
    records = Record.objects.filter(upload_id=upload.pk)
    assert {r.status for r in records} == {"completed"} and not any(r.visible for r in records)
    assert all(set(r.confirmations) >= SOFT_RULES for r in records)
    upload.refresh_from_db()
    assert upload.summary["completed"] == 3 and upload.summary["in_progress"] == 0
    assert not upload.summary["problem_groups"]
    assert "Confirm for all" not in client.get(f"/uploads/{upload.pk}/").content.decode()


def test_confirming_for_all_rows_is_left_to_a_worker_and_the_page_follows_it(
    client_for: Any, uploader: Any, tmp_path: Path
) -> None:
    from dcp_platform.uploads.services import finish_confirming_soft_problem, start_confirming_soft_problem

    client = client_for("core", uploader)
    path = tmp_path / "soft.csv"
    write_template(path, uploader.organisation.code, 2, ONLY_SOFT_SCHARGE)
    upload = post_file(client, path)
    # What the view does before the worker takes over: the upload is busy, nothing is confirmed yet.
    assert start_confirming_soft_problem(upload, rule_id=SOFT_RULE, user_id=uploader.pk)
    assert not start_confirming_soft_problem(upload, rule_id=SOFT_RULE, user_id=uploader.pk)
    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "Confirming answers" in page and "This page updates by itself" in page
    assert '<meta http-equiv="refresh" content="3">' in page and "Confirm for all" not in page
    assert client.post(f"/uploads/{upload.pk}/confirm-soft/", {"rule": SOFT_RULE}).status_code == 404
    assert client.post(f"/uploads/{upload.pk}/confirm/", {"create": "all"}).status_code == 404
    assert client.get(f"/uploads/{upload.pk}/progress/").json()["status"] == "confirming"
    assert all({p["rule"] for p in row.problems} == SOFT_RULES for row in UploadRow.objects.filter(upload=upload))

    finish_confirming_soft_problem(upload.pk, rule_id=SOFT_RULE, user_id=uploader.pk)
    finish_confirming_soft_problem(upload.pk, rule_id=SOFT_RULE, user_id=uploader.pk)  # a redelivered task
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY and "confirming" not in upload.summary
    assert upload.summary["soft_confirmation"] == {"rule": SOFT_RULE, "confirmed": 2, "refused": 0}
    assert [[p["rule"] for p in row.problems] for row in UploadRow.objects.filter(upload=upload)] == [
        ["rent_value_check"]] * 2
    page = client.get(f"/uploads/{upload.pk}/").content.decode()
    assert "Confirmed for 2 rows." in page and "http-equiv" not in page


def test_a_row_is_fixed_in_the_web_form(client_for: Any, uploader: Any, make_org: Any, make_user: Any,
                                        tmp_path: Path) -> None:
    client = client_for("core", uploader)
    path = tmp_path / "fix.csv"
    write_template(path, uploader.organisation.code, 2, ONLY_SOFT_SCHARGE)
    upload = post_file(client, path)
    record = Record.objects.get(upload_id=upload.pk, upload_row=3)
    report = client.get(f"/uploads/{upload.pk}/report/").content.decode()
    # "Fix this row" opens the record's first failing question, not its task list.
    assert f'href="/records/{record.public_id}/fix/"' in report
    assert "/questions/" in client.get(f"/records/{record.public_id}/fix/")["Location"]
    # The hidden record opens in the web form for the uploading organisation, and for nobody else.
    assert client.get(f"/records/{record.public_id}/").status_code == 200
    assert client_for("core", make_user(make_org())).get(f"/records/{record.public_id}/").status_code == 404
    assert f"/records/{record.public_id}/" not in client.get("/records/").content.decode()  # still not listed

    # Answer both "are you sure?" questions in the web form.
    definition = definition_for("core", "lettings", 2026)
    for rule in sorted(SOFT_RULES):
        page_id = definition.question(definition.rule(rule).fields[0]).page_id
        response = client.post(f"/records/{record.public_id}/confirm/{rule}/", {"confirm": "yes", "page": page_id})
        assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "completed" and not record.visible

    client.get(f"/uploads/{upload.pk}/")  # coming back to the upload brings its rows up to date
    fixed, untouched = UploadRow.objects.filter(upload=upload).order_by("row_number")
    assert (fixed.status, fixed.problems) == ("completed", [])
    assert untouched.status == "in_progress" and {p["rule"] for p in untouched.problems} == SOFT_RULES
    upload.refresh_from_db()
    assert upload.summary["completed"] == 1 and upload.summary["in_progress"] == 1
    assert f'href="/records/{record.public_id}/fix/"' not in client.get(f"/uploads/{upload.pk}/report/").content.decode()

    # Records of an upload that is no longer under review do not open while hidden.
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.CANCELLED)
    assert client.get(f"/records/{record.public_id}/").status_code == 404


def test_a_confirmation_whose_worker_died_is_found_and_finished(client_for: Any, uploader: Any, tmp_path: Path) -> None:
    """A worker that starts re-queues confirmations left without progress (tasks.resume_stalled_uploads), with
    what was being confirmed and for whom, instead of leaving the upload busy until the broker redelivers."""
    from dcp_platform.uploads.services import (
        StalledConfirmation,
        finish_confirming_soft_problem,
        stalled_confirmations,
        start_confirming_soft_problem,
    )
    from django.utils import timezone

    path = tmp_path / "soft.csv"
    write_template(path, uploader.organisation.code, 2, ONLY_SOFT_SCHARGE)
    upload = post_file(client_for("core", uploader), path)
    assert start_confirming_soft_problem(upload, rule_id=SOFT_RULE, user_id=uploader.pk)
    assert stalled_confirmations(older_than_seconds=60) == []  # just started: its worker may be busy with it
    Upload.objects.filter(pk=upload.pk).update(updated_at=timezone.now() - timedelta(minutes=10))  # then it died
    stalled = stalled_confirmations(older_than_seconds=60)
    assert stalled == [StalledConfirmation(upload.pk, SOFT_RULE, uploader.pk)]
    finish_confirming_soft_problem(stalled[0].upload_id, rule_id=stalled[0].rule_id, user_id=stalled[0].user_id)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY and upload.summary["soft_confirmation"]["confirmed"] == 2
    assert stalled_confirmations(older_than_seconds=0) == []
