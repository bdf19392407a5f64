"""Every module imports on its own, whatever was imported before it.

A circular import that the app's own import order happens to avoid still breaks a script or
a worker that starts from another module (bench/scan_bench.py did: importing
``tp_api.services.events.catalogue`` first failed inside ``event_catalogue``).
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tp_api", "bridge", "sync", "pdf", "config")

CHECK = """
import importlib, sys
names = sys.argv[1:]
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m.split(".")[0] in {packages!r}]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:  # noqa: BLE001 - every failure is reported
        failed.append(f"{{name}}: {{type(error).__name__}}: {{error}}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            if ".migrations.0" not in info.name:  # migration files are loaded by path
                names.append(info.name)
    return names


def test_every_module_imports_first_in_a_fresh_interpreter():
    names = _modules()
    assert "tp_api.services.events.catalogue" in names and len(names) > 50
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(packages=set(PACKAGES)), *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
