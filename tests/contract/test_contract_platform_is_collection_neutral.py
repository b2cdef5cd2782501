"""No platform code may name a particular collection: collections plug in through the contract only.

import-linter (.importlinter) forbids the imports; this test also forbids the names, so no
collection-specific branch (`if slug == "hclic"`) can hide in platform code.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLATFORM_CODE = [REPO / "platform", REPO / "admin_ui", REPO / "api"]
COLLECTION_NAMES = re.compile(r"\b(hclic|h-clic|dcp_core|dcp_hclic)\b", re.IGNORECASE)


def platform_files() -> list[Path]:
    files: list[Path] = []
    for root in PLATFORM_CODE:
        for path in root.rglob("*"):
            if path.suffix in {".py", ".html", ".txt", ".js", ".yaml", ".json"} and "migrations" not in path.parts:
                files.append(path)
    return files


def test_platform_code_never_names_a_collection() -> None:
    offenders = []
    for path in platform_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if COLLECTION_NAMES.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "platform code names a collection:\n" + "\n".join(offenders)


def test_the_check_would_catch_a_mention(tmp_path: Path) -> None:
    assert COLLECTION_NAMES.search('if collection.slug == "hclic":')
    assert COLLECTION_NAMES.search("from dcp_core.functions import weekly")
    assert not COLLECTION_NAMES.search("collection_slug = plugin.slug")
