"""Measures a collection defines next to its definitions: `<definitions>/measures/<form>_<year>.yaml`.

A measures file names questions and derived values of the definition; the platform computes the figures
(`services.refresh_figures`) and shows them. The platform knows measure *kinds*, never a collection's questions:

    area: la                      # optional: the answer that says a record's local authority
    measures:
      - id: median_weekly_rent
        title: Median weekly basic rent
        kind: median              # count | share | mean | median | share_per_question
        of: wrent                 # mean and median: a number question or derived value
        by: beds                  # optional: one figure per answer of this question (its options label them)
        unit: money               # number | money | days | percent (share kinds are always percent)
      - id: lettings_to_homeless_households
        kind: share
        where: {homeless: [11]}   # share of records answering these codes, among those that answered
      - id: dont_know_or_refused
        kind: share_per_question
        answers: {illness: [3], hb: [10]}   # per question: share answering one of these codes

A year without its own file uses the newest earlier year's (measures carry on like definitions do); imported
history older than every file uses the oldest file.
Every name is checked against the definition when the file is read, so a measure cannot name a question
that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dcp_platform.definitions import Definition
from dcp_platform.registry import definitions_for, get_plugin

KINDS = ("count", "share", "mean", "median", "share_per_question")
UNITS = ("number", "money", "days", "percent")
_NUMERIC_TYPES = {"integer", "decimal", "money"}
_MEASURE_KEYS = {"id", "title", "kind", "of", "by", "where", "answers", "unit", "description"}


class MeasuresError(ValueError):
    pass


@dataclass(frozen=True)
class Source:
    """Where a record keeps a value: its answers or its derived values (both JSON columns), and its labels."""

    id: str
    column: str  # "answers" | "derived"
    label: str
    labels: dict[str, str] = field(default_factory=dict)  # stored code as text -> option label


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    kind: str
    unit: str
    description: str = ""
    of: Source | None = None
    by: Source | None = None
    where: tuple[tuple[Source, tuple[str, ...]], ...] = ()
    answers: tuple[tuple[Source, tuple[str, ...]], ...] = ()

    @property
    def is_share(self) -> bool:
        return self.kind in ("share", "share_per_question")

    def key_label(self, key: str) -> str:
        """The words for one figure's breakdown key (an option's label, a question's words)."""
        if self.kind == "share_per_question":
            for source, _codes in self.answers:
                if source.id == key:
                    return source.label
        if self.by is not None:
            return self.by.labels.get(key, key)
        return key or self.title


@dataclass(frozen=True)
class MeasureSet:
    form: str
    year: int  # the year of the file (it may serve later years too)
    area: Source | None
    measures: tuple[Measure, ...]

    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)


def _source(definition: Definition, name: Any, *, where: str, numeric: bool = False,
            option_labels: dict[str, str] | None = None) -> Source:
    if not isinstance(name, str):
        raise MeasuresError(f"{where}: expected the id of a question or derived value, got {name!r}")
    question = definition.questions.get(name)
    if question is not None:
        if question.group is not None:
            raise MeasuresError(f"{where}: '{name}' is asked once per {question.group} item; measures read "
                                "questions asked once per record")
        if numeric and question.type not in _NUMERIC_TYPES:
            raise MeasuresError(f"{where}: '{name}' is a {question.type} question, not a number")
        labels = {str(option.code): option.label for option in question.options}
        return Source(id=name, column="answers", label=question.label, labels=labels or (option_labels or {}))
    for derived in definition.derived:
        if derived.id == name:
            if derived.group is not None:
                raise MeasuresError(f"{where}: '{name}' is derived once per {derived.group} item")
            return Source(id=name, column="derived", label=derived.label or name, labels=option_labels or {})
    raise MeasuresError(f"{where}: the definition has no question or derived value '{name}'")


def _codes(value: Any, *, where: str) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise MeasuresError(f"{where}: give at least one answer code")
    return tuple(str(code) for code in values)


def _conditions(definition: Definition, raw: Any, *, where: str) -> tuple[tuple[Source, tuple[str, ...]], ...]:
    if not isinstance(raw, dict) or not raw:
        raise MeasuresError(f"{where}: expected a mapping of question id to answer codes")
    return tuple(
        (_source(definition, name, where=where), _codes(codes, where=f"{where} {name}")) for name, codes in raw.items()
    )


def parse_measures(raw: Any, *, definition: Definition, source: str,
                   area_labels: dict[str, str] | None = None) -> MeasureSet:
    """Check a measures file's contents against its definition and build the measures."""
    if not isinstance(raw, dict) or not isinstance(raw.get("measures"), list) or not raw["measures"]:
        raise MeasuresError(f"{source}: expected a mapping with a list of `measures`")
    area = None
    if raw.get("area") is not None:
        area = _source(definition, raw["area"], where=f"{source} area", option_labels=area_labels)
    measures: list[Measure] = []
    seen: set[str] = set()
    for item in raw["measures"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise MeasuresError(f"{source}: every measure needs an id")
        where = f"{source} measure '{item['id']}'"
        unknown = set(item) - _MEASURE_KEYS
        if unknown:
            raise MeasuresError(f"{where}: unknown keys {sorted(unknown)}")
        if item["id"] in seen or item["id"].startswith("_"):
            raise MeasuresError(f"{where}: ids are unique and do not start with _")
        seen.add(item["id"])
        kind = item.get("kind")
        if kind not in KINDS:
            raise MeasuresError(f"{where}: kind must be one of {', '.join(KINDS)}")
        unit = "percent" if kind in ("share", "share_per_question") else str(item.get("unit", "number"))
        if unit not in UNITS:
            raise MeasuresError(f"{where}: unit must be one of {', '.join(UNITS)}")
        needs = {"mean": "of", "median": "of", "share": "where", "share_per_question": "answers"}.get(kind)
        if needs and needs not in item:
            raise MeasuresError(f"{where}: a {kind} measure needs `{needs}`")
        for key in {"of", "where", "answers"} - ({needs} if needs else set()):
            if key in item:
                raise MeasuresError(f"{where}: a {kind} measure does not take `{key}`")
        if kind == "share_per_question" and "by" in item:
            raise MeasuresError(f"{where}: share_per_question is broken down by its questions already")
        measures.append(Measure(
            id=item["id"], title=str(item.get("title") or item["id"]), kind=kind, unit=unit,
            description=str(item.get("description", "")),
            of=_source(definition, item["of"], where=where, numeric=True) if "of" in item else None,
            by=_source(definition, item["by"], where=where) if "by" in item else None,
            where=_conditions(definition, item["where"], where=where) if "where" in item else (),
            answers=_conditions(definition, item["answers"], where=where) if "answers" in item else (),
        ))
    return MeasureSet(form=definition.form, year=definition.year, area=area, measures=tuple(measures))


def _measure_files(slug: str) -> dict[tuple[str, int], Path]:
    folder = get_plugin(slug).definitions_dir / "measures"
    found: dict[tuple[str, int], Path] = {}
    if folder.is_dir():
        for path in folder.glob("*.y*ml"):
            form, _, year = path.stem.rpartition("_")
            if form and year.isdigit():
                found[(form, int(year))] = path
    return found


def _area_labels(slug: str, definition: Definition, name: Any) -> dict[str, str]:
    question = definition.questions.get(name) if isinstance(name, str) else None
    if question is None or not question.options_source:
        return {}
    options = get_plugin(slug).option_sources.get(question.options_source)
    return {str(code): label for code, label in options()} if options else {}


@cache
def measures_for_collection(slug: str) -> dict[tuple[str, int], MeasureSet]:
    """Every measures file of a collection, read and checked against the definition of its form and year."""
    definitions = definitions_for(slug)
    loaded: dict[tuple[str, int], MeasureSet] = {}
    for (form, year), path in sorted(_measure_files(slug).items()):
        definition = definitions.get((form, year))
        if definition is None:
            raise MeasuresError(f"{path}: the collection has no {form} definition for {year}")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise MeasuresError(f"{path}: cannot read YAML: {error}") from error
        area_labels = _area_labels(slug, definition, raw.get("area") if isinstance(raw, dict) else None)
        loaded[(form, year)] = parse_measures(raw, definition=definition, source=str(path), area_labels=area_labels)
    return loaded


def measures_for(slug: str, form: str, year: int) -> MeasureSet | None:
    """The measures of a form's year: its own file, else the newest earlier year's; a year older than every file
    (imported history) uses the oldest file. None when the form has no measures."""
    of_form = {y: s for (f, y), s in measures_for_collection(slug).items() if f == form}
    if not of_form:
        return None
    earlier = [y for y in of_form if y <= year]
    return of_form[max(earlier) if earlier else min(of_form)]
