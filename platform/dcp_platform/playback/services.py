"""Computing the stored figures from the records, with SQL aggregation (one pass over a year's records per measure).

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
from dcp_platform.playback.models import RECORDS, Figure, FigureRefresh, RefreshState, Scope
from dcp_platform.records.models import RecordStatus

# Records saved in the same moment as the last run may commit after it: look this far back again.
OVERLAP = timedelta(seconds=90)
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
# GROUPING(org, region, area): 1 for each column a grouping set leaves out.
_SCOPES = {3: Scope.ORGANISATION, 5: Scope.REGION, 6: Scope.AREA, 7: Scope.NATIONAL}


def _text(source: Source) -> str:
    # Column names come from our own Source (answers | derived), never from input; the key is a parameter.
    return f"(r.{source.column} ->> %s)"


def _number(source: Source) -> tuple[str, list[Any]]:
    text = _text(source)
    return f"(CASE WHEN {text} ~ %s THEN {text}::numeric END)", [source.id, _NUMBER, source.id]


def _base(measure_set: MeasureSet, year: int, *, key: str, key_params: list[Any], value: str, value_params: list[Any],
          where: str, where_params: list[Any], completed_only: bool = True) -> tuple[str, list[Any]]:
    if measure_set.area is not None:
        area, area_params = _text(measure_set.area), [measure_set.area.id]
    else:
        area, area_params = "NULL::text", []
    status = "AND r.status = %s" if completed_only else ""
    # Every fragment is our own SQL; every value is a bound parameter.
    columns = f"r.owning_organisation_id AS org, o.region AS region, {area} AS area, {key} AS k, {value} AS v"
    sql = (
        f"SELECT {columns} "  # noqa: S608
        "FROM records_record r LEFT JOIN accounts_organisation o ON o.id = r.owning_organisation_id "
        f"WHERE r.form = %s AND r.year = %s AND r.visible {status} {where}"
    )
    params = [*area_params, *key_params, *value_params, measure_set.form, year]
    if completed_only:
        params.append(RecordStatus.COMPLETED)
    return sql, [*params, *where_params]


def _measure_sql(measure_set: MeasureSet, year: int, measure: Measure) -> tuple[str, list[Any], str]:
    """The rows one measure is computed from (org, region, area, breakdown key k, value v) and its aggregate."""
    if measure.by is not None:
        key, key_params = _text(measure.by), [measure.by.id]
        answered = f"AND {_text(measure.by)} IS NOT NULL"
        answered_params: list[Any] = [measure.by.id]
    else:
        key, key_params, answered, answered_params = "''", [], "", []
    if measure.kind == "count":
        sql, params = _base(measure_set, year, key=key, key_params=key_params, value="1", value_params=[],
                            where=answered, where_params=answered_params)
        return sql, params, "count(*)"
    if measure.kind in ("mean", "median"):
        assert measure.of is not None
        value, value_params = _number(measure.of)
        number_sql, number_params = _number(measure.of)
        sql, params = _base(measure_set, year, key=key, key_params=key_params, value=value, value_params=value_params,
                            where=f"{answered} AND {number_sql} IS NOT NULL",
                            where_params=[*answered_params, *number_params])
        aggregate = "avg(v)" if measure.kind == "mean" else "percentile_cont(0.5) WITHIN GROUP (ORDER BY v)"
        return sql, params, aggregate
    if measure.kind == "share":
        tests = " AND ".join(f"{_text(source)} = ANY(%s)" for source, _codes in measure.where)
        test_params = [p for source, codes in measure.where for p in (source.id, list(codes))]
        known = " ".join(f"AND {_text(source)} IS NOT NULL" for source, _codes in measure.where)
        known_params = [source.id for source, _codes in measure.where]
        sql, params = _base(measure_set, year, key=key, key_params=key_params,
                            value=f"(CASE WHEN {tests} THEN 100.0 ELSE 0 END)", value_params=test_params,
                            where=f"{answered} {known}", where_params=[*answered_params, *known_params])
        return sql, params, "avg(v)"
    # share_per_question: one set of rows per question, its id as the breakdown key.
    parts: list[str] = []
    all_params: list[Any] = []
    for source, codes in measure.answers:
        sql, params = _base(measure_set, year, key="%s", key_params=[source.id],
                            value=f"(CASE WHEN {_text(source)} = ANY(%s) THEN 100.0 ELSE 0 END)",
                            value_params=[source.id, list(codes)],
                            where=f"AND {_text(source)} IS NOT NULL", where_params=[source.id])
        parts.append(sql)
        all_params.extend(params)
    return " UNION ALL ".join(parts), all_params, "avg(v)"


def _records_sql(measure_set: MeasureSet, year: int) -> tuple[str, list[Any], str]:
    sql, params = _base(measure_set, year, key="(r.status || ':' || r.source_channel)", key_params=[], value="1",
                        value_params=[], where="", where_params=[], completed_only=False)
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
    figures = _aggregate(*_records_sql(measure_set, year), form=form, year=year, measure=RECORDS)
    for measure in measure_set.measures:
        sql, params, aggregate = _measure_sql(measure_set, year, measure)
        figures.extend(_aggregate(sql, params, aggregate, form=form, year=year, measure=measure.id))
    with transaction.atomic():
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
