"""`platform/` and `collections/` are folders of this repository, never packages: the standard library's
`platform` and `collections` must win from every entry point (manage.py, pytest, Celery, WSGI)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()

CHECK = (
    "import platform, collections, sys; "
    "print(platform.__file__); print(collections.__file__); print(platform.system())"
)


def assert_stdlib(output: str) -> None:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    platform_file, collections_file = Path(lines[-3]).resolve(), Path(lines[-2]).resolve()
    assert STDLIB in platform_file.parents, platform_file
    assert STDLIB in collections_file.parents, collections_file


def run(*args: str, **env: str) -> str:
    result = subprocess.run(
        args, cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dcp_platform.settings", **env},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_no_init_file_in_the_shadowing_folders() -> None:
    for folder in ("platform", "collections", "collections/core", "collections/hclic"):
        assert not (REPO / folder / "__init__.py").exists(), f"{folder}/__init__.py shadows the standard library"


def test_under_pytest() -> None:
    import collections
    import platform

    assert STDLIB in Path(platform.__file__).resolve().parents
    assert STDLIB in Path(collections.__file__).resolve().parents


def test_under_manage_py() -> None:
    assert_stdlib(run(sys.executable, "manage.py", "shell", "-c", CHECK))


def test_under_python_from_the_repo_root() -> None:
    # The repository root first on sys.path is the worst case for shadowing.
    assert_stdlib(run(sys.executable, "-c", "import sys; sys.path.insert(0, '.'); " + CHECK))


def test_under_wsgi() -> None:
    assert_stdlib(run(sys.executable, "-c", "import dcp_platform.wsgi; " + CHECK))


def test_under_celery_worker_app() -> None:
    # The worker loads the app module, then Django; check the same imports a worker process makes.
    out = run(
        sys.executable, "-c",
        "from dcp_platform.celery import app; app.loader.import_default_modules(); " + CHECK,
    )
    assert_stdlib(out)


def test_inside_a_real_celery_worker_process(tmp_path: Path) -> None:
    """Start a real worker (Redis broker) and ask it, through a task, which modules it imported."""
    from dcp_platform.celery import app

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dcp_platform.settings", "DCP_CELERY_EAGER": "false"}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "dcp_platform.celery", "worker", "--pool=solo",
         "--concurrency=1", "--loglevel=warning", "-Q", "stdlib-check", "-n", f"stdlib-check-{os.getpid()}@%h"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        result = app.send_task("dcp.worker_environment", queue="stdlib-check")
        report = result.get(timeout=90)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert STDLIB in Path(report["platform"]).resolve().parents
    assert STDLIB in Path(report["collections"]).resolve().parents
    assert report["system"] == "Linux"


@pytest.mark.parametrize("mode", ["-m pytest", "pytest"])
def test_under_a_nested_pytest_run(mode: str, tmp_path: Path) -> None:
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(
        "import platform, collections\n"
        f"def test_it():\n    assert platform.__file__.startswith({str(STDLIB)!r})\n"
        f"    assert collections.__file__.startswith({str(STDLIB)!r})\n"
    )
    command = [sys.executable, "-m", "pytest"] if mode == "-m pytest" else [str(Path(sys.executable).parent / "pytest")]
    result = subprocess.run(
        [*command, "-q", "-p", "no:cacheprovider", "--rootdir", str(REPO), str(test_file)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dcp_platform.settings.test"},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
