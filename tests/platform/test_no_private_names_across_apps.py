"""No module imports another app's private (underscored) names: what apps share is public in its owner."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [ROOT / "platform" / "dcp_platform", ROOT / "api" / "dcp_api", ROOT / "admin_ui" / "dcp_admin_ui"]


def _app_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "dcp_platform" else parts[0]


def _crossings() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in package.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                        and node.module.startswith("dcp_") and _app_of(node.module) != _app_of(module):
                    found += [f"{module} imports {node.module}.{alias.name}" for alias in node.names
                              if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_no_app_imports_another_apps_private_names() -> None:
    assert _crossings() == []


def test_the_check_sees_such_an_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "dcp_platform" / "uploads"
    app.mkdir(parents=True)
    (app / "x.py").write_text("from dcp_platform.records.services import _reference\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGES", [tmp_path / "dcp_platform"])
    assert _crossings() == ["dcp_platform.uploads.x imports dcp_platform.records.services._reference"]
