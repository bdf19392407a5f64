"""Rendered ticket files on disk: written atomically, named only by us.

No name a client sends ever reaches this module: callers pass ids and digests that come from
the database, and :meth:`FileStore.path` refuses anything but a plain file name, so no
request can read outside the store.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class FileStore:
    """A folder of generated files, in sub-folders by kind (``qr``, ``orders``, ...)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def path(self, kind: str, name: str) -> Path:
        """The path of ``kind/name``; both must be plain names."""
        if not _SAFE_NAME.match(kind) or not _SAFE_NAME.match(name) or ".." in name:
            raise ValueError(f"unsafe file name {kind}/{name}")
        return self.root / kind / name

    def exists(self, kind: str, name: str) -> bool:
        return self.path(kind, name).is_file()

    def write(self, kind: str, name: str, data: bytes) -> Path:
        """Write atomically: readers see the old file or the whole new one, never half."""
        target = self.path(kind, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    @contextmanager
    def lock(self, kind: str, name: str) -> Iterator[None]:
        """An exclusive lock across processes on one file name: render it once, not twice."""
        lock_path = self.path(kind, name + ".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
