"""Computing the stored figures from the records with SQL aggregation: one pass over a year's records into a
narrow temporary table, then one GROUPING SETS query per measure over it.

`refresh_changed()` runs every minute (Celery beat, `playback.refresh_changed_figures`): it finds the forms and
years whose records changed since its last run and recomputes their figures, so a figure is at most about a
minute (plus one refresh) behind the records. Dashboards never aggregate a year's records on a request.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dcp_platform.playback.measures import Measure, MeasureSet, Source, measures_for
from dcp_platform.playback.models import (
    CONFIRMED,
    HOURS_TO_COMPLETE,
    MONTHS,
    RECORDS,
    Figure,
    FigureRefresh,
    RefreshState,
    Scope,
)
from dcp_platform.records.models import RecordStatus

# Records saved in the same moment as the last run may commit after it: look this far back again.
OVERLAP = timedelta(seconds=90)
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
# GROUPING(org, region, area): 1 for each column a grouping set leaves out.
_SCOPES = {3: Scope.ORGANISATION, 5: Scope.REGION, 6: Scope.AREA, 7: Scope.NATIONAL}


class _Base:
    """One pass over a year's records into a narrow temporary table: the organisation, its region, status,
    channel, month of the record's date, hours from first save to last, confirmed soft warnings, and one text
    column per answer or derived value the measures read. Every measure then aggregates
    that table, so a year's JSON documents are read and parsed once, not once per measure."""

    TABLE = "playback_base"

    def __init__(self, measure_set: MeasureSet) -> None:
        self.measure_set = measure_set
        self.columns: dict[tuple[str, str], str] = {}
        sources: list[Source] = [measure_set.area] if measure_set.area else []
        for measure in measure_set.measures:
            sources += [s for s in (measure.of, measure.by) if s is not None]
            sources += [source for source, _codes in (*measure.where, *measure.answers)]
        for source in sources:
            self.columns.setdefault((source.column, source.id), f"c{len(self.columns)}")

    def create(self, *, form: str, year: int) -> None:
        # Column names are ours (answers | derived, c0, c1...); question ids are bound parameters.
        selected = ", ".join(f"(r.{column} ->> %s) AS {name}" for (column, _id), name in self.columns.items())
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.TABLE} ON COMMIT DROP AS "  # noqa: S608
                "SELECT r.owning_organisation_id AS org, o.region AS region, r.status AS status, "
                "r.source_channel AS channel, to_char(r.record_date, 'YYYY-MM') AS month, "
                "extract(epoch FROM r.updated_at - r.created_at) / 3600 AS hours, "
                "CASE WHEN r.confirmations <> '{}'::jsonb THEN r.confirmations END AS confirmations"
                f"{', ' if selected else ''}{selected} "
                "FROM records_record r LEFT JOIN accounts_organisation o ON o.id = r.owning_organisation_id "
                "WHERE r.form = %s AND r.year = %s AND r.visible AND r.deleted_at IS NULL",
                [*[source_id for (_column, source_id) in self.columns], form, year])
            cursor.execute(f"ANALYZE {self.TABLE}")

    def text(self, source: Source) -> str:
        return f"b.{self.columns[(source.column, source.id)]}"

    def number(self, source: Source) -> tuple[str, list[Any]]:
        text = self.text(source)
        return f"(CASE WHEN {text} ~ %s THEN {text}::numeric END)", [_NUMBER]

    def select(self, *, key: str, key_params: list[Any], value: str, value_params: list[Any], where: str,
               where_params: list[Any], completed_only: bool = True, also_from: str = "") -> tuple[str, list[Any]]:
        area = self.text(self.measure_set.area) if self.measure_set.area is not None else "NULL::text"
        status = "AND b.status = %s" if completed_only else ""
        sql = (
            f"SELECT b.org AS org, b.region AS region, {area} AS area, {key} AS k, {value} AS v "  # noqa: S608
            f"FROM {self.TABLE} b{also_from} WHERE true {status} {where}"
        )
        return sql, [*key_params, *value_params, *([RecordStatus.COMPLETED] if completed_only else []),
                     *where_params]


def _measure_sql(base: _Base, measure: Measure) -> tuple[str, list[Any], str]:
    """The rows one measure is computed from (org, region, area, breakdown key k, value v) and its aggregate."""
    if measure.by is not None:
        key, answered = base.text(measure.by), f"AND {base.text(measure.by)} IS NOT NULL"
    else:
        key, answered = "''", ""
    if measure.kind == "count":
        sql, params = base.select(key=key, key_params=[], value="1", value_params=[], where=answered, where_params=[])
        return sql, params, "count(*)"
    if measure.kind in ("mean", "median"):
        assert measure.of is not None
        value, value_params = base.number(measure.of)
        number_sql, number_params = base.number(measure.of)
        sql, params = base.select(key=key, key_params=[], value=value, value_params=value_params,
                                  where=f"{answered} AND {number_sql} IS NOT NULL", where_params=number_params)
        aggregate = "avg(v)" if measure.kind == "mean" else "percentile_cont(0.5) WITHIN GROUP (ORDER BY v)"
        return sql, params, aggregate
    if measure.kind == "share":
        tests = " AND ".join(f"{base.text(source)} = ANY(%s)" for source, _codes in measure.where)
        test_params = [list(codes) for _source, codes in measure.where]
        known = " ".join(f"AND {base.text(source)} IS NOT NULL" for source, _codes in measure.where)
        sql, params = base.select(key=key, key_params=[], value=f"(CASE WHEN {tests} THEN 100.0 ELSE 0 END)",
                                  value_params=test_params, where=f"{answered} {known}", where_params=[])
        return sql, params, "avg(v)"
    # share_per_question: one set of rows per question, its id as the breakdown key.
    parts: list[str] = []
    all_params: list[Any] = []
    for source, codes in measure.answers:
        sql, params = base.select(key="%s", key_params=[source.id],
                                  value=f"(CASE WHEN {base.text(source)} = ANY(%s) THEN 100.0 ELSE 0 END)",
                                  value_params=[list(codes)], where=f"AND {base.text(source)} IS NOT NULL",
                                  where_params=[])
        parts.append(sql)
        all_params.extend(params)
    return " UNION ALL ".join(parts), all_params, "avg(v)"


def _records_sql(base: _Base) -> tuple[str, list[Any], str]:
    sql, params = base.select(key="(b.status || ':' || b.channel)", key_params=[], value="1", value_params=[],
                              where="", where_params=[], completed_only=False)
    return sql, params, "count(*)"


def _months_sql(base: _Base) -> tuple[str, list[Any], str]:
    # Every record with a date, by "YYYY-MM:all" and, when completed, "YYYY-MM:completed" too.
    sql, params = base.select(
        key="(b.month || ':' || k.kind)", key_params=[], value="1", value_params=[],
        where="AND b.month IS NOT NULL AND (k.kind = 'all' OR b.status = %s)", where_params=[RecordStatus.COMPLETED],
        completed_only=False, also_from=", (VALUES ('all'), ('completed')) AS k(kind)")
    return sql, params, "count(*)"


def _hours_sql(base: _Base) -> tuple[str, list[Any], str]:
    # Completed records: hours from their first save to their last.
    sql, params = base.select(key="''", key_params=[], value="b.hours", value_params=[], where="", where_params=[])
    return sql, params, "percentile_cont(0.5) WITHIN GROUP (ORDER BY v)"


def _confirmed_sql(base: _Base) -> tuple[str, list[Any], str]:
    # Every record (finished or not), once per soft warning its users confirmed (the confirmation's key).
    sql, params = base.select(key="left(c.key, 100)", key_params=[], value="1", value_params=[],
                              where="AND b.confirmations IS NOT NULL", where_params=[], completed_only=False,
                              also_from=", jsonb_object_keys(b.confirmations) AS c(key)")
    return sql, params, "count(*)"


def _aggregate(sql: str, params: list[Any], aggregate: str, *, form: str, year: int, measure: str) -> list[Figure]:
    query = (  # fragments are our own SQL; every value is a bound parameter
        f"WITH base AS ({sql}) "  # noqa: S608
        f"SELECT GROUPING(org, region, area), org, region, area, k, {aggregate}, count(*) FROM base "
        "GROUP BY GROUPING SETS ((org, k), (region, k), (area, k), (k))"
    )
    figures: list[Figure] = []
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for grouping, org, region, area, key, value, records in cursor.fetchall():
            scope = _SCOPES[grouping]
            scope_key = {Scope.ORGANISATION: org, Scope.REGION: region, Scope.AREA: area, Scope.NATIONAL: ""}[scope]
            if scope_key is None or (scope != Scope.NATIONAL and scope_key == ""):
                continue  # records of no organisation, organisations of no region, records of no area
            figures.append(Figure(
                form=form, year=year, measure=measure, scope=scope, scope_key=str(scope_key), key=str(key or ""),
                value=None if value is None else float(value), records=records,
            ))
    return figures


def refresh_figures(*, slug: str, form: str, year: int) -> int:
    """Recompute every figure of one form's year in the current collection schema; returns how many rows."""
    measure_set = measures_for(slug, form, year)
    if measure_set is None:
        return 0
    started = time.perf_counter()
    base = _Base(measure_set)
    with transaction.atomic():
        base.create(form=form, year=year)
        figures = _aggregate(*_records_sql(base), form=form, year=year, measure=RECORDS)
        for measure_id, built_in in ((MONTHS, _months_sql), (HOURS_TO_COMPLETE, _hours_sql),
                                     (CONFIRMED, _confirmed_sql)):
            figures.extend(_aggregate(*built_in(base), form=form, year=year, measure=measure_id))
        for measure in measure_set.measures:
            sql, params, aggregate = _measure_sql(base, measure)
            figures.extend(_aggregate(sql, params, aggregate, form=form, year=year, measure=measure.id))
        Figure.objects.filter(form=form, year=year).delete()
        Figure.objects.bulk_create(figures, batch_size=2000)
        FigureRefresh.objects.update_or_create(form=form, year=year, defaults={
            "refreshed_at": timezone.now(), "seconds": time.perf_counter() - started})
    return len(figures)


def _changed_form_years(since: Any) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        if since is None:
            cursor.execute("SELECT DISTINCT form, year FROM records_record")
        else:  # the updated_at index finds the few records changed since
            cursor.execute("SELECT DISTINCT form, year FROM records_record WHERE updated_at > %s", [since])
        return [(form, int(year)) for form, year in cursor.fetchall()]


def refresh_changed(*, slug: str) -> list[tuple[str, int]]:
    """Recompute the figures of every form and year with records changed since the last run (all, the first time)."""
    state = RefreshState.objects.first() or RefreshState.objects.create(seen_until=None)
    started = timezone.now()
    since = None if state.seen_until is None else state.seen_until - OVERLAP
    changed = _changed_form_years(since)
    for form, year in changed:
        refresh_figures(slug=slug, form=form, year=year)
    RefreshState.objects.filter(pk=state.pk).update(seen_until=started)
    return changed
