"""One raw row of an upload -> template cells (field number -> text), using the upload's column mapping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from dcp_platform.definitions import Definition

from .automap import Target, to_template_cells
from .flat import FLAT_KIND, FlatDecoder
from .mapping import mapper_for

# Template cells remembered per provider column (dates and references are unique: emptied when full).
SPLIT_MEMO_SIZE = 512

if TYPE_CHECKING:
    from .models import Upload


# How the template cells of rows of one length are picked: runs of fields filled by consecutive columns, as
# (first field, field after the last, first column), or, when there are many runs, one call picking each field's
# cell from the row with a None after it (fields no column fills read that None).
_Layout = tuple[list[tuple[int, int, int]], Callable[[list[str | None]], tuple[str | None, ...]] | None]
# A row's cells are copied a run at a time when they are in at most this many runs (else one pick per field).
MAX_RUNS = 16


def _layout(by_field: list[tuple[int, int]], length: int, width: int) -> _Layout:
    columns: list[int | None] = [None] * width  # field number -> column
    for index, number in by_field:
        if index < length and number < width:
            columns[number] = index
    runs: list[tuple[int, int, int]] = []
    for number, column in enumerate(columns):
        if column is None:
            continue
        if runs and runs[-1][1] == number and runs[-1][2] + number - runs[-1][0] == column:
            runs[-1] = (runs[-1][0], number + 1, runs[-1][2])
        else:
            runs.append((number, number + 1, column))
    if len(runs) <= MAX_RUNS:
        return runs, None
    picks = [length if column is None else column for column in columns]  # `length`: the None after the cells
    return runs, itemgetter(*picks, length)  # (a tuple, even for one field)


def _as_it_is(target: Target, mapped: dict[str, str]) -> int | None:
    """The field a provider column fills with its text as it is, stripped (see to_template_cells), or None."""
    if mapped or target.kind in ("date", "postcode", "tick", "choices"):
        return None
    return target.fields[0]


@dataclass
class RowCells:
    by_field: list[tuple[int, int]]  # (column index, field number): template columns
    by_target: list[tuple[int, Target, dict[str, str]]]  # (column index, target, provider value -> code)
    flat: FlatDecoder | None = None  # a flat file (flat.py) is decoded by column, not field
    # Official template columns whose codes differ from the stored ones (field -> template text -> code).
    template_codes: dict[int, dict[str, str]] | None = None
    # Per provider column: (column index, target, provider value -> code, template cells remembered per cell text
    # as the file has it, before the value mapping: see field_values; a column repeats a few values), and the field
    # of a column whose text is the field's as it is, stripped (no value mapping, nothing to split), else None.
    _split: list[tuple[int, Target, dict[str, str], dict[str, tuple[tuple[int, str], ...]], int | None]] = field(
        default_factory=list, repr=False)
    # How field_values picks a row's cells (per row length and width: see _layout), and template codes remembered
    # per text.
    _gather: dict[tuple[int, int], _Layout] = field(default_factory=dict, repr=False)
    _codes: list[tuple[int, dict[str, str], dict[str, str]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._codes = [(number, table, {}) for number, table in (self.template_codes or {}).items()]
        self._split = [(index, target, mapped, {}, _as_it_is(target, mapped)) for index, target, mapped in self.by_target]

    @classmethod
    def build(
        cls, definition: Definition, column_mapping: dict[str, str], value_mapping: dict[str, dict[str, Any]]
    ) -> RowCells:
        targets = {target.key: target for target in mapper_for(definition).targets}
        by_field: list[tuple[int, int]] = []
        by_target: list[tuple[int, Target, dict[str, str]]] = []
        for index, key in sorted(column_mapping.items(), key=lambda kv: int(kv[0])):
            if key.startswith("field:"):
                by_field.append((int(index), int(key.removeprefix("field:"))))
            elif key in targets:
                values = {str(k).strip().lower(): str(v) for k, v in (value_mapping.get(key) or {}).items()}
                by_target.append((int(index), targets[key], values))
        maps = definition.template_value_maps()
        return cls(by_field, by_target, template_codes={n: maps[n] for _, n in by_field if n in maps})

    @classmethod
    def for_upload(cls, upload: Upload, definition: Definition) -> RowCells:
        if upload.kind == FLAT_KIND:
            return cls([], [], FlatDecoder.from_mapping(definition, dict(upload.column_mapping), list(upload.headers)))
        return cls.build(definition, dict(upload.column_mapping), dict(upload.value_mapping))

    def cells(self, row: list[str]) -> dict[int, str]:
        """One row's cells by field number, plainly: the reference that `field_values` (what processing uses)
        is tested against (tests/uploads/test_uploads_fast_paths.py)."""
        cells = {number: row[index] for index, number in self.by_field if index < len(row)}
        # Cells from the official template carry its codes; provider columns were mapped to stored codes.
        for number, table in (self.template_codes or {}).items():
            text = cells.get(number)
            if text:
                cells[number] = table.get(text.strip().upper(), table.get(text.strip(), text))
        for index, target, values in self.by_target:
            raw = row[index] if index < len(row) else ""
            if target.kind == "choices":  # a list: the value mapping is per answer named in it
                cells.update(to_template_cells(target, raw, values))
                continue
            if values:
                raw = values.get(raw.strip().lower(), raw)
            cells.update(to_template_cells(target, raw))
        return cells

    def field_values(self, row: list[str], width: int) -> list[str | None]:
        """`cells` as a list indexed by field number, `width` long (None where no column gives the field; fields
        past the end are left out): what `RowDecoder.decode_values` reads."""
        if width < 1:
            return []
        length = len(row)
        layout = self._gather.get((length, width))
        if layout is None:  # once per row length (rows of a file have one length)
            layout = self._gather[(length, width)] = _layout(self.by_field, length, width)
        runs, gather = layout
        values: list[str | None]
        if gather is None:  # a few runs of consecutive columns (a template file: one): copied a run at a time
            values = [None] * width
            for start, end, column in runs:
                values[start:end] = row[column:column + end - start]
        else:
            values = list(gather([*row, None]))
            values.pop()
        # Cells from the official template carry its codes; provider columns were mapped to stored codes.
        for number, table, known in self._codes:
            if number < width:
                text = values[number]
                if text:
                    code = known.get(text)
                    if code is None:
                        if len(known) >= SPLIT_MEMO_SIZE:
                            known.clear()
                        stripped = text.strip()
                        code = known[text] = table.get(stripped.upper(), table.get(stripped, text))
                    values[number] = code
        for index, target, mapped, memo, plain in self._split:
            raw = row[index] if index < length else ""
            if plain is not None:  # to_template_cells(target, raw): this field, stripped (references are unique)
                if plain < width:
                    values[plain] = raw.strip()
                continue
            made = memo.get(raw)
            if made is None:  # the value mapping and the split depend on the text only
                if len(memo) >= SPLIT_MEMO_SIZE:
                    memo.clear()
                if target.kind == "choices":  # a list: the value mapping is per answer named in it
                    made = memo[raw] = tuple(to_template_cells(target, raw, mapped).items())
                else:
                    text = mapped.get(raw.strip().lower(), raw) if mapped else raw
                    made = memo[raw] = tuple(to_template_cells(target, text).items())
            for number, text in made:
                if number < width:
                    values[number] = text
        return values
