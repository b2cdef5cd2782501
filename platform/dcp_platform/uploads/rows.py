"""One raw row of an upload -> template cells (field number -> text), using the upload's column mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dcp_platform.definitions import Definition

from .automap import Target, to_template_cells
from .flat import FLAT_KIND, FlatDecoder
from .mapping import mapper_for

# Template cells remembered per provider column (dates and references are unique: emptied when full).
SPLIT_MEMO_SIZE = 512

if TYPE_CHECKING:
    from .models import Upload


@dataclass
class RowCells:
    by_field: list[tuple[int, int]]  # (column index, field number): template columns
    by_target: list[tuple[int, Target, dict[str, str]]]  # (column index, target, provider value -> code)
    flat: FlatDecoder | None = None  # a flat file (flat.py) is decoded by column, not field
    # Official template columns whose codes differ from the stored ones (field -> template text -> code).
    template_codes: dict[int, dict[str, str]] | None = None
    # Remembered template cells per target and provider text (see field_values): a column repeats a few values.
    _split: dict[int, dict[str, tuple[tuple[int, str], ...]]] = field(default_factory=dict, repr=False)

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
        cells = {number: row[index] for index, number in self.by_field if index < len(row)}
        # Cells from the official template carry its codes; provider columns were mapped to stored codes.
        for number, table in (self.template_codes or {}).items():
            text = cells.get(number)
            if text:
                cells[number] = table.get(text.strip().upper(), table.get(text.strip(), text))
        for index, target, values in self.by_target:
            raw = row[index] if index < len(row) else ""
            if values:
                raw = values.get(raw.strip().lower(), raw)
            cells.update(to_template_cells(target, raw))
        return cells

    def field_values(self, row: list[str], width: int) -> list[str | None]:
        """`cells` as a list indexed by field number, `width` long (None where no column gives the field; fields
        past the end are left out): what `RowDecoder.decode_values` reads."""
        values: list[str | None] = [None] * width
        length = len(row)
        codes = self.template_codes or {}
        for index, number in self.by_field:
            if index < length and number < width:
                values[number] = row[index]
        # Cells from the official template carry its codes; provider columns were mapped to stored codes.
        for number, table in codes.items():
            if number < width:
                text = values[number]
                if text:
                    values[number] = table.get(text.strip().upper(), table.get(text.strip(), text))
        split = self._split
        for position, (index, target, mapped) in enumerate(self.by_target):
            raw = row[index] if index < length else ""
            if mapped:
                raw = mapped.get(raw.strip().lower(), raw)
            memo = split.get(position)
            if memo is None:
                memo = split[position] = {}
            made = memo.get(raw)
            if made is None:
                if len(memo) >= SPLIT_MEMO_SIZE:
                    memo.clear()
                made = memo[raw] = tuple(to_template_cells(target, raw).items())
            for number, text in made:
                if number < width:
                    values[number] = text
        return values
