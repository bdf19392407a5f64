"""`tp-bridge db restore` of a file that is not a whole tp-bridge backup: one line saying so,
never a traceback, and nothing restored."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from config.backups import BackupError, restore


def _tar(path: Path, members: dict[str, bytes]) -> str:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return str(path)


@pytest.mark.parametrize(
    ("members", "said"),
    [
        (None, "is not a tp-bridge backup: "),
        ({"notes.txt": b"hello"}, "is not a tp-bridge backup (no manifest.json)"),
        ({"manifest.json": b"{"}, "is not a tp-bridge backup (manifest.json is not ours)"),
        ({"manifest.json": b"[1]"}, "is not a tp-bridge backup (manifest.json is not ours)"),
        (
            {"manifest.json": json.dumps({"format": 1, "database": "sqlite"}).encode()},
            "holds no database.sqlite3: not a whole backup",
        ),
    ],
)
def test_a_file_that_is_not_a_whole_backup_is_refused_in_words(tmp_path, members, said):
    archive = tmp_path / "archive.tar"
    if members is None:
        archive.write_text("not a tar file at all")
    else:
        _tar(archive, members)
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with pytest.raises(BackupError) as refused:
        restore(url, str(tmp_path / "files"), str(archive), force=False)
    assert said in str(refused.value)
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").iterdir())
