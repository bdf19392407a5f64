"""The wheel is the whole service: built quietly, it carries every template, asset, demo file
and migration, and the installed copy runs on its own (no source tree on the path)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA_DIRS = (
    "pdf/templates",
    "tp_api/web/templates",
    "tp_api/web/static",
    "bridge/web/templates",
    "bridge/web/static",
    "config/demo",
    "tp_api/migrations",
)


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], capture_output=True, text=True, check=True, cwd=REPO
    )
    return [name for name in listed.stdout.split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    # Built from a copy of the tracked files: what a clone has, and no build/ in the worktree.
    source = tmp_path_factory.mktemp("source")
    for name in tracked_files():
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    # Offline: the build backend is the project venv's own setuptools (dev extras).
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=out,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [path] = out.glob("tp_bridge-*.whl")
    return path, built.stdout + built.stderr


@pytest.mark.slow
def test_the_wheel_builds_without_warnings_and_carries_every_data_file(wheel):
    path, log = wheel
    assert "would be ignored" not in log and "warning" not in log.lower(), log
    names = set(zipfile.ZipFile(path).namelist())
    tracked = [name for name in tracked_files() if name.startswith(DATA_DIRS)]
    assert tracked and len(tracked) > 20
    assert [f for f in tracked if f not in names] == []


@pytest.mark.slow
def test_the_installed_wheel_serves_pages_and_renders_tickets_on_its_own(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel[0]),
        ],
        check=True,
        cwd=tmp_path,
    )
    # -P keeps the cwd off sys.path; the wheel's copy comes before the venv's editable
    # install of the source tree, and the check script fails if any module came from elsewhere.
    ran = subprocess.run(
        [
            sys.executable,
            "-P",
            str(Path(__file__).with_name("installed_check.py")),
            str(site),
            f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "installed wheel OK" in ran.stdout
