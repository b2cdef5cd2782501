"""Reads for the dashboards: stored figures (never a whole year's records on a request) and, for one
organisation, a few counts over its own records through `records_visible_to`."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from dcp_platform.access import dashboard_organisations_for, is_department_reader
from dcp_platform.accounts.models import AuditEvent, Organisation, ProviderType, Region, User
from dcp_platform.accounts.selectors import organisation_descendant_ids
from dcp_platform.cms.windows import live_windows
from dcp_platform.playback.measures import Measure, MeasureSet, measures_for
from dcp_platform.playback.models import (
    CONFIRMED,
    HOURS_TO_COMPLETE,
    MONTHS,
    RECORDS,
    Figure,
    FigureRefresh,
    Scope,
)
from dcp_platform.records.models import Channel, Record, RecordStatus
from dcp_platform.records.selectors import records_visible_to
from dcp_platform.registry import definitions_for, get_plugin

# Peer figures need at least this many other organisations, so no one organisation's figure can be read off.
MINIMUM_PEERS = 5


def current_collection_slug() -> str:
    return str(getattr(connection, "schema_name", "public"))


__all__ = ["dashboard_organisations_for", "is_department_reader"]  # re-exported for the views


def form_years(*, slug: str) -> list[tuple[str, int, str]]:
    """(form, year, title) of every form and year that has measures, newest first."""
    titles = {spec.id: spec.title for spec in get_plugin(slug).forms}
    found = [(form, year, titles.get(form, form)) for (form, year) in definitions_for(slug)
             if measures_for(slug, form, year) is not None]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def refreshed_at(*, form: str, year: int) -> Any:
    row = FigureRefresh.objects.filter(form=form, year=year).first()
    return row.refreshed_at if row else None


# ----------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class PeerFigures:
    organisations: int
    lower_quartile: float
    median: float
    upper_quartile: float


@dataclass
class MeasureRow:
    key: str
    label: str
    value: float | None
    records: int
    peers: PeerFigures | None = None
    previous: float | None = None


@dataclass
class MeasureView:
    measure: Measure
    rows: list[MeasureRow] = field(default_factory=list)


def _figures(*, form: str, year: int, scope: str, scope_keys: Iterable[str] | None = None,
             measures: Iterable[str] | None = None) -> QuerySet[Figure]:
    figures = Figure.objects.filter(form=form, year=year, scope=scope)
    if scope_keys is not None:
        figures = figures.filter(scope_key__in=list(scope_keys))
    if measures is not None:
        figures = figures.filter(measure__in=list(measures))
    return figures


def _by_measure_and_key(figures: Iterable[Figure]) -> dict[tuple[str, str], Figure]:
    return {(f.measure, f.key): f for f in figures}


def _sort_keys(measure: Measure, keys: Iterable[str]) -> list[str]:
    order: list[str] = []
    if measure.kind == "share_per_question":
        order = [source.id for source, _codes in measure.answers]
    elif measure.by is not None:
        order = list(measure.by.labels)

    def position(key: str) -> tuple[int, float, str]:
        if key in order:
            return (0, order.index(key), key)
        try:
            return (1, float(key), key)
        except ValueError:
            return (2, 0, key)

    return sorted(set(keys), key=position)


def _family_ids(organisation: Organisation) -> set[int]:
    """The organisation, its children and its parents: none of them is its own peer."""
    family = organisation_descendant_ids(organisation_id=organisation.pk) | {organisation.pk}
    parent = organisation.parent
    while parent is not None and parent.pk not in family:
        family.add(parent.pk)
        parent = parent.parent
    return family


def peer_organisation_ids(*, organisation: Organisation) -> tuple[list[int], str]:
    """Other organisations (not its parents or children) of the same kind and region taking part in this
    collection, and their description.

    An organisation with no region is compared with its kind nationally (and the page says so)."""
    peers = Organisation.objects.filter(
        participations__collection__schema_name=current_collection_slug(), provider_type=organisation.provider_type,
    ).exclude(pk__in=_family_ids(organisation))
    kind = ProviderType(organisation.provider_type).label.lower() if organisation.provider_type in ProviderType.values \
        else "organisations"
    if organisation.region:
        peers = peers.filter(region=organisation.region)
        where = f"in {Region(organisation.region).label}"
    else:
        where = "in England (your organisation has no region)"
    return list(peers.values_list("pk", flat=True).distinct()), f"Other {kind} organisations {where}"


def _peer_figures(values: list[float]) -> PeerFigures | None:
    if len(values) < MINIMUM_PEERS:
        return None
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return PeerFigures(organisations=len(values), lower_quartile=lower, median=median, upper_quartile=upper)


def organisation_measures(*, slug: str, form: str, year: int, organisation: Organisation,
                          peer_ids: list[int]) -> list[MeasureView]:
    """Each measure for the organisation, with its peers' quartiles and its own previous year's figure."""
    measure_set = measures_for(slug, form, year)
    if measure_set is None:
        return []
    own = _by_measure_and_key(_figures(form=form, year=year, scope=Scope.ORGANISATION,
                                       scope_keys=[str(organisation.pk)]))
    previous = _by_measure_and_key(_figures(form=form, year=year - 1, scope=Scope.ORGANISATION,
                                            scope_keys=[str(organisation.pk)]))
    peer_values: dict[tuple[str, str], list[float]] = defaultdict(list)
    measure_ids = [measure.id for measure in measure_set.measures]
    for figure in _figures(form=form, year=year, scope=Scope.ORGANISATION, scope_keys=[str(i) for i in peer_ids],
                           measures=measure_ids):
        if figure.value is not None:
            peer_values[(figure.measure, figure.key)].append(figure.value)
    views: list[MeasureView] = []
    for measure in measure_set.measures:
        keys = [key for (m, key) in [*own, *peer_values] if m == measure.id]
        view = MeasureView(measure=measure)
        for key in _sort_keys(measure, keys):
            mine = own.get((measure.id, key))
            before = previous.get((measure.id, key))
            view.rows.append(MeasureRow(
                key=key, label=measure.key_label(key), value=mine.value if mine else None,
                records=mine.records if mine else 0, peers=_peer_figures(peer_values.get((measure.id, key), [])),
                previous=before.value if before else None,
            ))
        views.append(view)
    return views


@dataclass
class ScopeColumn:
    scope: str
    key: str
    label: str


def area_measures(*, slug: str, form: str, year: int, columns: list[ScopeColumn]) -> list[tuple[MeasureView, list[dict[str, MeasureRow]]]]:
    """Each measure with one row per breakdown key and one figure per column (England, each region, ...)."""
    measure_set = measures_for(slug, form, year)
    if measure_set is None:
        return []
    found: dict[tuple[str, str, str, str], Figure] = {}
    for scope in {column.scope for column in columns}:
        keys = [column.key for column in columns if column.scope == scope]
        for figure in _figures(form=form, year=year, scope=scope, scope_keys=keys):
            found[(figure.scope, figure.scope_key, figure.measure, figure.key)] = figure
    result: list[tuple[MeasureView, list[dict[str, MeasureRow]]]] = []
    for measure in measure_set.measures:
        keys = _sort_keys(measure, {k for (_s, _sk, m, k) in found if m == measure.id})
        view = MeasureView(measure=measure)
        table: list[dict[str, MeasureRow]] = []
        for key in keys:
            cells: dict[str, MeasureRow] = {}
            for column in columns:
                cell = found.get((column.scope, column.key, measure.id, key))
                cells[f"{column.scope}:{column.key}"] = MeasureRow(
                    key=key, label=measure.key_label(key), value=cell.value if cell else None,
                    records=cell.records if cell else 0)
            view.rows.append(MeasureRow(key=key, label=measure.key_label(key), value=None, records=0))
            table.append(cells)
        result.append((view, table))
    return result


def region_columns(*, form: str, year: int) -> list[ScopeColumn]:
    regions = set(_figures(form=form, year=year, scope=Scope.REGION, measures=[RECORDS])
                  .values_list("scope_key", flat=True))
    return [ScopeColumn(Scope.NATIONAL, "", "England")] + [
        ScopeColumn(Scope.REGION, code, label) for code, label in Region.choices if code in regions]


def measure_by_area(*, slug: str, form: str, year: int, measure_id: str) -> tuple[Measure, str, list[tuple[str, list[MeasureRow]]]]:
    """One measure for every local authority: the collection's `area` answer, or else each local authority
    organisation (a collection whose records each belong to one council). Rows: (area name, figures by key)."""
    measure_set = measures_for(slug, form, year)
    if measure_set is None:
        raise KeyError(measure_id)
    measure = measure_set.measure(measure_id)
    if measure_set.area is not None:
        scope, names, heading = Scope.AREA, dict(measure_set.area.labels), "Local authority"
    else:
        scope, heading = Scope.ORGANISATION, "Local authority"
        names = {str(pk): name for pk, name in Organisation.objects.filter(
            provider_type=ProviderType.LOCAL_AUTHORITY,
            participations__collection__schema_name=current_collection_slug()).values_list("pk", "name")}
    figures: dict[str, dict[str, Figure]] = defaultdict(dict)
    for figure in _figures(form=form, year=year, scope=scope, measures=[measure_id]):
        if figure.scope_key in names or scope == Scope.AREA:
            figures[figure.scope_key][figure.key] = figure
    keys = _sort_keys(measure, {k for by_key in figures.values() for k in by_key})
    rows = []
    for area in sorted(figures, key=lambda a: names.get(a, a)):
        rows.append((names.get(area, area), [
            MeasureRow(key=k, label=measure.key_label(k), value=figures[area][k].value if k in figures[area] else None,
                       records=figures[area][k].records if k in figures[area] else 0) for k in keys]))
    return measure, heading, rows


# ----------------------------------------------------------------------------------------------- progress


STATUS_LABELS = dict(RecordStatus.choices)
CHANNEL_LABELS = dict(Channel.choices)


@dataclass
class Progress:
    by_status: dict[str, int]
    by_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def completed(self) -> int:
        return self.by_status.get(RecordStatus.COMPLETED, 0)

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.completed / self.total if self.total else None


def _progress_of(figures: Iterable[Figure]) -> Progress:
    by_status: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    for figure in figures:
        status, _, channel = figure.key.partition(":")
        by_status[status] += int(figure.value or 0)
        by_channel[channel] += int(figure.value or 0)
    return Progress(by_status=dict(by_status), by_channel=dict(by_channel))


def progress(*, form: str, year: int, scope: str, scope_key: str = "") -> Progress:
    return _progress_of(_figures(form=form, year=year, scope=scope, scope_keys=[scope_key], measures=[RECORDS]))


def progress_by_organisation(*, form: str, year: int) -> list[tuple[Organisation, Progress]]:
    """Every organisation taking part, with its records by status and channel (none yet: all zeros)."""
    figures: dict[str, list[Figure]] = defaultdict(list)
    for figure in _figures(form=form, year=year, scope=Scope.ORGANISATION, measures=[RECORDS]):
        figures[figure.scope_key].append(figure)
    organisations = Organisation.objects.filter(
        participations__collection__schema_name=current_collection_slug()).distinct().order_by("name")
    return [(organisation, _progress_of(figures.get(str(organisation.pk), []))) for organisation in organisations]


def _closed_windows(year: int, today: date) -> list[Any]:
    return [window for window in live_windows(year) if window.submission_deadline < today]


def _in_closed_windows(windows: list[Any]) -> Q:
    condition = Q(pk__in=[])
    for window in windows:
        condition |= Q(record_date__gte=window.period_start, record_date__lte=window.period_end)
    return condition


def overdue_records(*, user: User, organisation: Organisation, form: str, year: int, today: date) -> QuerySet[Record]:
    """The organisation's unfinished records whose window's submission deadline has passed."""
    windows = _closed_windows(year, today)
    return (records_visible_to(user=user)
            .filter(owning_organisation=organisation, form=form, year=year)
            .exclude(status=RecordStatus.COMPLETED)
            .filter(_in_closed_windows(windows)).order_by("record_date"))


def late_returns_by_organisation(*, user: User, form: str, year: int, today: date) -> dict[int, int]:
    """Unfinished records past their window's deadline, per owning organisation (the list analysts chase)."""
    windows = _closed_windows(year, today)
    if not windows:
        return {}
    rows = (records_visible_to(user=user).filter(form=form, year=year)
            .filter(status__in=[RecordStatus.NOT_STARTED, RecordStatus.IN_PROGRESS])
            .filter(_in_closed_windows(windows))
            .values("owning_organisation_id").annotate(n=Count("id")))
    return {row["owning_organisation_id"]: row["n"] for row in rows if row["owning_organisation_id"]}


def _own_figures(*, organisation: Organisation, form: str, year: int, measure: str) -> QuerySet[Figure]:
    return _figures(form=form, year=year, scope=Scope.ORGANISATION, scope_keys=[str(organisation.pk)],
                    measures=[measure])


def median_hours_to_complete(*, organisation: Organisation, form: str, year: int) -> float | None:
    """Median hours from a record's first save to its last save, among its completed records (stored figure)."""
    figure = _own_figures(organisation=organisation, form=form, year=year, measure=HOURS_TO_COMPLETE).first()
    return figure.value if figure is not None else None


def monthly_trend(*, organisation: Organisation, form: str, year: int) -> list[tuple[date, int, int]]:
    """(month, records, completed records) by the month of the record's date (stored figures)."""
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    for figure in _own_figures(organisation=organisation, form=form, year=year, measure=MONTHS):
        month, _, kind = figure.key.partition(":")
        counts[date.fromisoformat(f"{month}-01")][kind] = int(figure.value or 0)
    return [(month, by_kind.get("all", 0), by_kind.get("completed", 0)) for month, by_kind in sorted(counts.items())]


def frequent_soft_warnings(*, organisation: Organisation, form: str, year: int,
                           slug: str, limit: int = 10) -> list[tuple[str, int]]:
    """The soft warnings the organisation's users confirmed most often (their titles), with how many records."""
    definition = definitions_for(slug).get((form, year))
    counts = [(figure.key, int(figure.value or 0)) for figure in
              _own_figures(organisation=organisation, form=form, year=year, measure=CONFIRMED)]
    rules = {rule.id: rule for rule in definition.validations} if definition else {}
    by_rule: Counter[str] = Counter()
    for key, count in counts:
        rule_id = key if key in rules else key.rsplit(".", 1)[0]
        rule = rules.get(rule_id)
        by_rule[(rule.title or rule.message) if rule else rule_id] += count
    return by_rule.most_common(limit)


def frequent_upload_problems(*, organisation: Organisation, form: str, year: int,
                             limit: int = 10) -> list[tuple[str, str, int]]:
    """The problems bulk uploads of the organisation found most often: (severity, message, rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p->>'severity', coalesce(p->>'title', p->>'message'), count(*) "
            "FROM uploads_upload u JOIN uploads_uploadrow r ON r.upload_id = u.id, "
            "jsonb_array_elements(r.problems) AS p "
            "WHERE u.organisation_id = %s AND u.form = %s AND u.year = %s AND jsonb_typeof(r.problems) = 'array' "
            "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT %s", [organisation.pk, form, year, limit])
        return [(severity or "", message or "", count) for severity, message, count in cursor.fetchall()]


def measure_set_for(*, slug: str, form: str, year: int) -> MeasureSet | None:
    return measures_for(slug, form, year)


# ----------------------------------------------------------------------------------------------- service measures


@dataclass
class Week:
    start: date
    created: dict[str, int] = field(default_factory=dict)  # channel -> records created
    completed: int = 0
    median_web_minutes: float | None = None
    upload_rows: int = 0
    upload_rows_refused: int = 0
    uploads: dict[str, int] = field(default_factory=dict)  # status -> uploads
    sign_in_failures: int = 0
    two_factor_failures: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def service_weeks(*, form: str, year: int, today: date, weeks: int = 12) -> list[Week]:
    """The product team's measures for each of the last `weeks` weeks (Monday to Sunday), oldest first.

    Records are those created in the week (the updated_at index finds them: a record created since is also
    updated since); web time is first save to last save of completed web-form records."""
    first = _monday(today) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    by_week = {first + timedelta(weeks=n): Week(start=first + timedelta(weeks=n)) for n in range(weeks)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_trunc('week', created_at)::date, source_channel, count(*), "
            "count(*) FILTER (WHERE status = %s), "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) / 60) "
            "FILTER (WHERE status = %s AND source_channel = %s) "
            "FROM records_record WHERE form = %s AND year = %s AND visible AND deleted_at IS NULL "
            "AND updated_at >= %s AND created_at >= %s "
            "GROUP BY 1, 2",
            [RecordStatus.COMPLETED, RecordStatus.COMPLETED, Channel.WEB, form, year, since, since])
        for week, channel, count, completed, median in cursor.fetchall():
            if week in by_week:
                by_week[week].created[channel] = count
                by_week[week].completed += completed
                if median is not None:
                    by_week[week].median_web_minutes = float(median)
        cursor.execute(
            "SELECT date_trunc('week', u.created_at)::date, u.status, count(*), sum(u.total_rows) "
            "FROM uploads_upload u WHERE u.form = %s AND u.year = %s AND u.created_at >= %s GROUP BY 1, 2",
            [form, year, since])
        for week, status, count, _rows in cursor.fetchall():
            if week in by_week:
                by_week[week].uploads[status] = count
        cursor.execute(
            "SELECT date_trunc('week', u.created_at)::date, count(*), count(*) FILTER (WHERE r.status = 'refused') "
            "FROM uploads_upload u JOIN uploads_uploadrow r ON r.upload_id = u.id "
            "WHERE u.form = %s AND u.year = %s AND u.created_at >= %s GROUP BY 1", [form, year, since])
        for week, rows, refused in cursor.fetchall():
            if week in by_week:
                by_week[week].upload_rows, by_week[week].upload_rows_refused = rows, refused
    failures = (AuditEvent.objects.filter(at__gte=since, action__in=["sign_in_failed", "two_factor_failed"])
                .annotate(week=TruncWeek("at")).values("week", "action").annotate(n=Count("id")))
    for row in failures:
        week = row["week"].date() if isinstance(row["week"], datetime) else row["week"]
        if week in by_week:
            if row["action"] == "sign_in_failed":
                by_week[week].sign_in_failures = row["n"]
            else:
                by_week[week].two_factor_failures = row["n"]
    return list(by_week.values())


def upload_problems_by_question(*, form: str, year: int, today: date, weeks: int = 12,
                                limit: int = 15) -> list[tuple[str, int, int]]:
    """(question id, upload rows with an error on it, upload rows checked) over the last weeks, most first."""
    since = datetime.combine(_monday(today) - timedelta(weeks=weeks - 1), time.min, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM uploads_upload u JOIN uploads_uploadrow r ON r.upload_id = u.id "
            "WHERE u.form = %s AND u.year = %s AND u.created_at >= %s", [form, year, since])
        (checked,) = cursor.fetchone()
        cursor.execute(
            "SELECT p->>'question', count(DISTINCT r.id) FROM uploads_upload u "
            "JOIN uploads_uploadrow r ON r.upload_id = u.id, jsonb_array_elements(r.problems) AS p "
            "WHERE u.form = %s AND u.year = %s AND u.created_at >= %s AND jsonb_typeof(r.problems) = 'array' "
            "AND p->>'severity' = 'hard' AND p->>'question' IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT %s",
            [form, year, since, limit])
        return [(question, rows, checked) for question, rows in cursor.fetchall()]


def api_use_by_key(*, today: date, weeks: int = 12) -> list[tuple[str, str, int, Any]]:
    """(key name, organisation, record changes sent with it in the last weeks, last used) per API key."""
    since = datetime.combine(_monday(today) - timedelta(weeks=weeks - 1), time.min, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k.name, o.name, count(c.id), k.last_used_at FROM dcp_api_apikey k "
            "LEFT JOIN accounts_organisation o ON o.id = k.organisation_id "
            "LEFT JOIN records_recordchange c ON c.api_key_id = k.id AND c.at >= %s "
            "GROUP BY k.id, k.name, o.name, k.last_used_at ORDER BY 3 DESC, 1", [since])
        return [(key, organisation or "", count, last_used) for key, organisation, count, last_used in cursor.fetchall()]


def definition_of(*, slug: str, form: str, year: int) -> Any:
    return definitions_for(slug).get((form, year))
