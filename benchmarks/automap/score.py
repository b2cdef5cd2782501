"""Score the automatic mapper on the labelled benchmark files.

    DJANGO_SETTINGS_MODULE=dcp_platform.settings .venv/bin/python benchmarks/automap/score.py [--set NAME] [-v]

Sets: `original` (files/, labels.json: the first six house styles), `tuning` and `kept_aside` (the harder
benchmark of issue 25: real kinds of export, labelled before the mapper was tuned; kept_aside was never looked
at while tuning). Default: all three, each reported on its own.

Columns right = columns whose proposal equals the label (a column labelled [] is right when left unmapped)
/ all columns. Mapped right = mapped columns whose proposed fields equal the label / mapped columns.
`-v` lists the misses of the original and tuning sets only: the kept-aside set's misses are printed only with
`--show-kept-aside` (for the final measurement), so that tuning never looks at them.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SETS = ("original", "tuning", "kept_aside")


@dataclass
class Score:
    columns: int = 0
    mapped: int = 0
    correct: int = 0  # mapped and right
    unmapped: int = 0
    unmapped_right: int = 0  # left unmapped and labelled []
    files: int = 0
    seconds: float = 0.0
    wrong: list[tuple[str, str, list[int], list[int]]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Mapped columns that are right / mapped columns."""
        return self.correct / self.mapped if self.mapped else 0.0

    @property
    def columns_right(self) -> float:
        return (self.correct + self.unmapped_right) / self.columns if self.columns else 0.0

    @property
    def unmapped_share(self) -> float:
        return self.unmapped / self.columns if self.columns else 0.0


def _labels(name: str) -> dict[str, list[tuple[str, list[int]]]]:
    """file name -> [(header, label fields)] in column order."""
    if name == "original":
        raw: dict[str, dict[str, list[int]]] = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
        return {file: list(columns.items()) for file, columns in raw.items()}
    labelled = json.loads((HERE / name / "labels.json").read_text(encoding="utf-8"))
    return {file: [(c["column"], c["fields"]) for c in info["columns"]] for file, info in labelled.items()}


def _files(name: str) -> Path:
    return HERE / "files" if name == "original" else HERE / name / "files"


def score_set(definition: Any, name: str, propose: Any = None) -> Score:
    """Score one set. `propose(definition, path)` defaults to the platform's `propose_for_file`."""
    if propose is None:
        from dcp_platform.uploads.mapping import propose_for_file  # noqa: PLC0415 - Django is set up by then

        propose = propose_for_file
    result = Score()
    for file, columns in _labels(name).items():
        started = time.perf_counter()
        proposals = propose(definition, _files(name) / file)
        result.seconds += time.perf_counter() - started
        result.files += 1
        assert [p["column"] for p in proposals] == [header for header, _ in columns], file
        for proposal, (header, expected) in zip(proposals, columns, strict=True):
            result.columns += 1
            got = list(proposal["fields"])
            if not got:
                result.unmapped += 1
                if expected:
                    result.wrong.append((file, header, expected, []))
                else:
                    result.unmapped_right += 1
                continue
            result.mapped += 1
            if got == expected:
                result.correct += 1
            else:
                result.wrong.append((file, header, expected, got))
    return result


def score(definition: Any) -> Score:
    """The original six files (kept for the first benchmark's floor)."""
    return score_set(definition, "original")


def main() -> None:
    import django  # noqa: PLC0415 - only when run as a script

    sys.path.insert(0, str(HERE.parents[1]))
    django.setup()
    from dcp_platform.registry import definition_for  # noqa: PLC0415 - after django.setup()

    definition = definition_for("core", "lettings", 2026)
    chosen = [sys.argv[sys.argv.index("--set") + 1]] if "--set" in sys.argv else list(SETS)
    for name in chosen:
        result = score_set(definition, name)
        print(f"{name}: {result.files} files, {result.columns} columns, columns right {result.columns_right:.1%}, "
              f"mapped right {result.accuracy:.1%} ({result.correct}/{result.mapped}), unmapped "
              f"{result.unmapped_share:.1%}, {1000 * result.seconds / result.files:.0f} ms per file")
        if "-v" in sys.argv and (name != "kept_aside" or "--show-kept-aside" in sys.argv):
            for file, column, expected, got in result.wrong:
                print(f"  {file}: {column!r} expected {expected} got {got}")


if __name__ == "__main__":
    main()
