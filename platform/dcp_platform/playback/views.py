"""Dashboards: an organisation's (its coordinator, the department, support) and the department's view of a
collection year (analysts and support). Each table can be downloaded as CSV (`?download=<table id>`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dcp_platform.access import department_reader_required
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.playback import selectors
from dcp_platform.playback.exporters import Table, csv_response
from dcp_platform.playback.measures import MeasureSet
from dcp_platform.playback.models import Scope
from dcp_platform.records.models import Channel, RecordStatus

CHANNELS = [Channel.WEB, Channel.UPLOAD, Channel.API]


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "playback/no_access.html", {"message": message}, status=403)


def _measure_set(form: str, year: int) -> MeasureSet:
    measure_set = selectors.measure_set_for(slug=selectors.current_collection_slug(), form=form, year=year)
    if measure_set is None or (form, year) not in {(f, y) for f, y, _t in _form_years()}:
        raise Http404("No measures for this form and year")
    return measure_set


def _form_years() -> list[tuple[str, int, str]]:
    return selectors.form_years(slug=selectors.current_collection_slug())


def _title(form: str, year: int) -> str:
    for f, y, title in _form_years():
        if (f, y) == (form, year):
            return f"{title}, {year} to {year + 1}"
    return f"{form} {year}"


def _page(request: HttpRequest, template: str, tables: list[Table], context: dict[str, Any],
          filename: str) -> HttpResponse:
    wanted = request.GET.get("download")
    if wanted:
        for table in tables:
            if table.id == wanted:
                return csv_response(table, filename=f"{filename}-{table.id}")
        raise Http404("No such table")
    return render(request, template, {**context, "tables": {table.id: table for table in tables}})


def _progress_tables(progress: selectors.Progress, prefix: str) -> list[Table]:
    by_status = Table(id=f"{prefix}status", caption="Records by status", headers=["Status", "Records"],
                      units=["", "number"], chart=[1])
    for status, label in RecordStatus.choices:
        by_status.add(label, progress.by_status.get(status, 0))
    by_channel = Table(id=f"{prefix}channel", caption="Records by how they were sent",
                       headers=["Channel", "Records", "Share of records"], units=["", "number", "percent"], chart=[1])
    for channel in CHANNELS:
        count = progress.by_channel.get(channel, 0)
        by_channel.add(Channel(channel).label, count, 100 * count / progress.total if progress.total else None)
    return [by_status, by_channel]


@login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisations = list(selectors.dashboard_organisations_for(user=user)[:50])
    department = selectors.is_department_reader(user=user)
    if not organisations and not department:
        return _forbidden(request, "Dashboards are for data coordinators, the department's analysts and support.")
    return render(request, "playback/index.html", {
        "form_years": _form_years(), "organisations": [] if department else organisations,
        "department": department,
    })


def _peer_table(view: selectors.MeasureView, *, index: int) -> Table:
    unit = view.measure.unit
    table = Table(
        id=f"measure_{index}", caption=view.measure.title,
        headers=["", "Your organisation", "Peers: lower quartile", "Peers: median", "Peers: upper quartile",
                 "Peer organisations", "Your previous year"],
        units=["", unit, unit, unit, unit, "number", unit], chart=[1, 3],
    )
    for row in view.rows:
        peers = row.peers
        table.add(row.label, row.value, peers.lower_quartile if peers else None, peers.median if peers else None,
                  peers.upper_quartile if peers else None, peers.organisations if peers else "Fewer than 5",
                  row.previous)
    return table


@login_required
def organisation_dashboard(request: HttpRequest, form: str, year: int, code: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    allowed = selectors.dashboard_organisations_for(user=user)
    if not allowed.exists() and not selectors.is_department_reader(user=user):
        return _forbidden(request, "Dashboards are for data coordinators, the department's analysts and support.")
    organisation: Organisation | None = allowed.filter(code=code).first()
    if organisation is None:
        raise Http404("No such organisation")  # says nothing of organisations the user may not see
    _measure_set(form, year)
    slug = selectors.current_collection_slug()
    today = timezone.localdate()
    progress = selectors.progress(form=form, year=year, scope=Scope.ORGANISATION, scope_key=str(organisation.pk))
    tables = _progress_tables(progress, "")
    trend = Table(id="months", caption="Records by month of their date", headers=["Month", "Records", "Completed"],
                  units=["", "number", "number"], chart=[1, 2])
    for month, total, completed in selectors.monthly_trend(organisation=organisation, form=form, year=year):
        trend.add(f"{month:%B %Y}", total, completed)
    warnings = Table(id="soft_warnings", caption="Soft warnings confirmed most often",
                     headers=["Warning", "Records"], units=["", "number"], chart=[1])
    for text, count in selectors.frequent_soft_warnings(organisation=organisation, form=form, year=year, slug=slug):
        warnings.add(text, count)
    problems = Table(id="upload_problems", caption="Problems bulk uploads found most often",
                     headers=["Problem", "Kind", "Rows"], units=["", "", "number"], chart=[2])
    for severity, message, count in selectors.frequent_upload_problems(organisation=organisation, form=form, year=year):
        problems.add(message, "Error" if severity == "hard" else "Warning", count)
    peer_ids, peer_group = selectors.peer_organisation_ids(organisation=organisation)
    measures = selectors.organisation_measures(slug=slug, form=form, year=year, organisation=organisation,
                                               peer_ids=peer_ids)
    measure_tables = [_peer_table(view, index=n) for n, view in enumerate(measures, 1)]
    overdue = selectors.overdue_records(user=user, organisation=organisation, form=form, year=year, today=today)
    context = {
        "title": _title(form, year), "organisation": organisation, "form": form, "year": year,
        "progress": progress, "overdue_count": overdue.count(), "overdue": list(overdue[:20]),
        "hours_to_complete": selectors.median_hours_to_complete(organisation=organisation, form=form, year=year),
        "peer_group": peer_group, "minimum_peers": selectors.MINIMUM_PEERS,
        "measure_tables": measure_tables, "refreshed_at": selectors.refreshed_at(form=form, year=year),
        "department": selectors.is_department_reader(user=user),
    }
    return _page(request, "playback/organisation.html", [*tables, trend, warnings, problems, *measure_tables],
                 context, filename=f"{organisation.code}-{form}-{year}")


def _region_table(view: selectors.MeasureView, cells: list[dict[str, selectors.MeasureRow]],
                  columns: list[selectors.ScopeColumn], index: int) -> Table:
    unit = view.measure.unit
    keys = [f"{c.scope}:{c.key}" for c in columns]
    if len(view.rows) == 1 and view.rows[0].key == "":
        table = Table(id=f"measure_{index}", caption=view.measure.title, headers=["Area", "Figure", "Records"],
                      units=["", unit, "number"], chart=[1])
        for column, key in zip(columns, keys, strict=True):
            cell = cells[0][key]
            table.add(column.label, cell.value, cell.records)
        return table
    table = Table(id=f"measure_{index}", caption=view.measure.title, headers=["", *[c.label for c in columns]],
                  units=["", *[unit] * len(columns)], chart=[1])
    for row, by_column in zip(view.rows, cells, strict=True):
        table.add(row.label, *[by_column[key].value for key in keys])
    return table


@department_reader_required
def department(request: HttpRequest, form: str, year: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    measure_set = _measure_set(form, year)
    slug = selectors.current_collection_slug()
    national = selectors.progress(form=form, year=year, scope=Scope.NATIONAL)
    tables = _progress_tables(national, "national_")
    columns = selectors.region_columns(form=form, year=year)
    measure_tables = [
        _region_table(view, cells, columns, n)
        for n, (view, cells) in enumerate(selectors.area_measures(slug=slug, form=form, year=year, columns=columns), 1)
    ]
    late = selectors.late_returns_by_organisation(user=user, form=form, year=year, today=timezone.localdate())
    outstanding = Table(
        id="outstanding", caption="Outstanding and late returns by organisation",
        headers=["Organisation", "Records", "Completed", "Not completed", "Late", "Completion rate"],
        units=["", "number", "number", "number", "number", "percent"],
    )
    take_up = Table(id="take_up", caption="Take-up of each channel by organisation",
                    headers=["Organisation", *[Channel(c).label for c in CHANNELS]], units=["", *["percent"] * 3])
    links: list[tuple[str, str]] = []
    rows = selectors.progress_by_organisation(form=form, year=year)
    rows.sort(key=lambda item: (-late.get(item[0].pk, 0), -(item[1].total - item[1].completed), item[0].name))
    for organisation, progress in rows:
        outstanding.add(organisation.name, progress.total, progress.completed, progress.total - progress.completed,
                        late.get(organisation.pk, 0),
                        progress.completion_rate if progress.total else "No records yet")
        take_up.add(organisation.name, *[
            100 * progress.by_channel.get(c, 0) / progress.total if progress.total else None for c in CHANNELS])
        links.append((organisation.name, organisation.code))
    context = {
        "title": _title(form, year), "form": form, "year": year, "progress": national,
        "measure_tables": list(zip(measure_tables, measure_set.measures, strict=True)),
        "refreshed_at": selectors.refreshed_at(form=form, year=year), "has_area": measure_set.area is not None,
        "organisation_links": sorted(links),
    }
    return _page(request, "playback/department.html", [*tables, *measure_tables, outstanding, take_up], context,
                 filename=f"england-{form}-{year}")


@department_reader_required
def department_areas(request: HttpRequest, form: str, year: int, measure: str) -> HttpResponse:
    _measure_set(form, year)
    try:
        found, heading, rows = selectors.measure_by_area(slug=selectors.current_collection_slug(), form=form,
                                                         year=year, measure_id=measure)
    except KeyError:
        raise Http404("No such measure") from None
    keys = [row.label for row in rows[0][1]] if rows else []
    single = keys in ([], [found.title])
    table = Table(id="areas", caption=f"{found.title} by local authority",
                  headers=[heading, *(["Figure", "Records"] if single else keys)],
                  units=["", *([found.unit, "number"] if single else [found.unit] * len(keys))],
                  chart=[1] if single else [])
    for name, figures in rows:
        if single:
            table.add(name, figures[0].value, figures[0].records)
        else:
            table.add(name, *[figure.value for figure in figures])
    context = {"title": _title(form, year), "form": form, "year": year, "measure": found,
               "refreshed_at": selectors.refreshed_at(form=form, year=year)}
    return _page(request, "playback/areas.html", [table], context, filename=f"{form}-{year}-{measure}")


@department_reader_required
def service_measures(request: HttpRequest, form: str, year: int) -> HttpResponse:
    _measure_set(form, year)
    today = timezone.localdate()
    weeks = selectors.service_weeks(form=form, year=year, today=today)
    label = "Week beginning"
    take_up = Table(id="take_up", caption="Digital take-up: records created each week by channel",
                    headers=[label, *[Channel(c).label for c in CHANNELS], "Share through the API or upload"],
                    units=["", "number", "number", "number", "percent"], chart=[1, 2])
    completion = Table(id="completion", caption="Completion rate of the records created each week",
                       headers=[label, "Records created", "Completed", "Completion rate"],
                       units=["", "number", "number", "percent"], chart=[3])
    web_time = Table(id="web_time", caption="Median minutes per record in the web form, first save to last",
                     headers=[label, "Median minutes"], units=["", "number"], chart=[1])
    uploads = Table(id="uploads", caption="Bulk upload outcomes each week",
                    headers=[label, "Uploads", "Confirmed", "Rejected or cancelled", "Rows checked",
                             "Rows refused", "Row error rate"],
                    units=["", "number", "number", "number", "number", "number", "percent"], chart=[6])
    sign_in = Table(id="sign_in", caption="Failed sign-ins each week (every collection)",
                    headers=[label, "Wrong email or password", "Wrong security code"],
                    units=["", "number", "number"], chart=[1, 2])
    for week in weeks:
        name = f"{week.start:%-d %b %Y}"
        machine = week.created.get(Channel.API, 0) + week.created.get(Channel.UPLOAD, 0)
        take_up.add(name, *[week.created.get(c, 0) for c in CHANNELS],
                    100 * machine / week.total if week.total else None)
        completion.add(name, week.total, week.completed, 100 * week.completed / week.total if week.total else None)
        web_time.add(name, week.median_web_minutes)
        refused = week.uploads.get("rejected", 0) + week.uploads.get("cancelled", 0)
        uploads.add(name, sum(week.uploads.values()), week.uploads.get("confirmed", 0), refused, week.upload_rows,
                    week.upload_rows_refused,
                    100 * week.upload_rows_refused / week.upload_rows if week.upload_rows else None)
        sign_in.add(name, week.sign_in_failures, week.two_factor_failures)
    definition = selectors.definition_of(slug=selectors.current_collection_slug(), form=form, year=year)
    errors = Table(id="errors_by_question", caption="Upload rows with an error, by question (last 12 weeks)",
                   headers=["Question", "Rows with an error", "Error rate"], units=["", "number", "percent"],
                   chart=[2], note="The web form and the API refuse wrong answers as they are given and keep no "
                                   "record of them, so only bulk upload's errors are counted.")
    for question, rows, checked in selectors.upload_problems_by_question(form=form, year=year, today=today):
        words = definition.questions[question].label if definition and question in definition.questions else question
        errors.add(words, rows, 100 * rows / checked if checked else None)
    api = Table(id="api_keys", caption="API use per key (last 12 weeks)",
                headers=["Key", "Organisation", "Record changes", "Last used"], units=["", "", "number", ""],
                chart=[2])
    for key, organisation, count, last_used in selectors.api_use_by_key(today=today):
        api.add(key, organisation, count, f"{last_used:%-d %b %Y %H:%M}" if last_used else "Never")
    tables = [take_up, completion, web_time, uploads, errors, api, sign_in]
    return _page(request, "playback/service.html", tables, {"title": _title(form, year), "form": form, "year": year},
                 filename=f"service-{form}-{year}")
