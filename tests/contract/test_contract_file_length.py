"""No Python file of the platform, the API or the admin is over 800 lines (issue 16, point 3): a file that
long holds more than one thing, and a newcomer cannot read it in one sitting. Split it by what it does.
Generated migrations are left out (no one reads them as code)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIMIT = 800
FOLDERS = ("platform", "api", "admin_ui")


def _sources() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (REPO / folder).rglob("*.py")
                  if "migrations" not in path.parts and ".venv" not in path.parts)


def test_no_source_file_is_over_800_lines() -> None:
    sources = _sources()
    assert len(sources) > 100, "the folders were not found"
    too_long = {str(path.relative_to(REPO)): count for path in sources
                if (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert not too_long, f"over {LIMIT} lines (split them by what they do): {too_long}"
