"""Score the automatic mapper on the labelled benchmark files.

    DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/automap/score.py [-v]

Top-1 accuracy = mapped columns whose proposed fields equal the label / mapped columns.
Unmapped = columns left unmapped / all columns (columns labelled [] count as correct when left unmapped).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Score:
    columns: int = 0
    mapped: int = 0
    correct: int = 0
    unmapped: int = 0
    wrong: list[tuple[str, str, list[int], list[int]]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.mapped if self.mapped else 0.0

    @property
    def unmapped_share(self) -> float:
        return self.unmapped / self.columns if self.columns else 0.0


def score(definition: Any) -> Score:
    from dcp_platform.uploads.mapping import propose_for_file

    labels: dict[str, dict[str, list[int]]] = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    result = Score()
    for name, columns in labels.items():
        proposals = propose_for_file(definition, HERE / "files" / name)
        for proposal in proposals:
            expected = columns[proposal["column"]]
            result.columns += 1
            if not proposal["fields"]:
                result.unmapped += 1
                if expected:
                    result.wrong.append((name, proposal["column"], expected, []))
                continue
            result.mapped += 1
            if proposal["fields"] == expected:
                result.correct += 1
            else:
                result.wrong.append((name, proposal["column"], expected, proposal["fields"]))
    return result


def main() -> None:
    import django

    sys.path.insert(0, str(HERE.parents[1]))
    django.setup()
    from dcp_platform.registry import definition_for

    result = score(definition_for("core", "lettings", 2026))
    print(f"columns {result.columns}, mapped {result.mapped}, top-1 accuracy {result.accuracy:.1%}, "
          f"unmapped {result.unmapped_share:.1%}")
    if "-v" in sys.argv:
        for name, column, expected, got in result.wrong:
            print(f"  {name}: {column!r} expected {expected} got {got}")


if __name__ == "__main__":
    main()
