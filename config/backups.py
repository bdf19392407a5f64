"""Backups of an installation: the database and the ticket file store, in one tar archive.

The archive holds ``manifest.json`` (what is inside), the database (``database.sqlite3``,
a copy made by SQLite's online backup API, or ``database.pgdump``, ``pg_dump``'s custom
format) and the file store's files under ``files/``. Both are taken while the service runs:
SQLite's backup API and ``pg_dump`` each read one consistent snapshot, and the stored files
are named by the ticket versions they show, so a file newer than the snapshot is harmless.

Secrets are not in it (TP_SECRET_KEY and the old keys, wallet certificates): see
docs/deploy/backups.md.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from tp_api.db import open_database

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
FILES_PREFIX = "files/"
# Lock files and half-written temporary files belong to running processes, not to the data.
_SKIPPED_DIRS = {"locks"}


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


def backup(database_url: str, files_dir: str, archive: str) -> dict[str, object]:
    """Write the database and the file store to ``archive``; returns the manifest.

    The archive appears whole or not at all (written beside, then renamed)."""
    target = Path(archive).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tp-backup-") as work:
        dump = Path(work) / "database"
        kind = _dump_database(database_url, dump)
        files = sorted(_stored_files(Path(files_dir)))
        manifest: dict[str, object] = {
            "format": FORMAT,
            "database": kind,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": len(files),
        }
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            tar.add(dump, arcname=SQLITE_MEMBER if kind == "sqlite" else POSTGRES_MEMBER)
            for path in files:
                tar.add(path, arcname=FILES_PREFIX + path.relative_to(files_dir).as_posix())
        os.replace(partial, target)
    return manifest


def restore(database_url: str, files_dir: str, archive: str, *, force: bool) -> dict[str, object]:
    """Put the database and the files of ``archive`` back; returns its manifest.

    Refuses a database that already has a schema, or a file store with files in it, unless
    ``force``: then the database's tables are replaced and the files overwritten."""
    try:
        opened = tarfile.open(archive, "r")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{archive} is not a tp-bridge backup: {_first_line(error)}") from None
    with opened as tar:
        manifest = _read_manifest(tar)
        kind = _database_kind(database_url)
        if manifest["database"] != kind:
            raise BackupError(
                f"{archive} holds a {manifest['database']} database; TP_DATABASE_URL is {kind}"
            )
        if not force:
            _require_empty(database_url, Path(files_dir))
        with tempfile.TemporaryDirectory(prefix=".tp-restore-") as work:
            member = SQLITE_MEMBER if kind == "sqlite" else POSTGRES_MEMBER
            try:
                tar.extract(member, work, filter="data")
            except KeyError:
                raise BackupError(f"{archive} holds no {member}: not a whole backup") from None
            _load_database(database_url, Path(work) / member, clean=force)
        _extract_files(tar, Path(files_dir))
    return manifest


def _database_kind(database_url: str) -> str:
    return "sqlite" if database_url.lower().startswith("sqlite:") else "postgresql"


def _sqlite_path(database_url: str) -> str:
    # open_database parses the URL exactly as the service does (relative and absolute forms).
    return str(open_database(database_url, max_connections=1).database)


def _dump_database(database_url: str, dump: Path) -> str:
    kind = _database_kind(database_url)
    if kind == "sqlite":
        source = sqlite3.connect(_sqlite_path(database_url), timeout=30)
        target = sqlite3.connect(dump)
        try:
            # One step (pages=-1) under one read transaction: a consistent snapshot, even with
            # the service writing meanwhile (WAL readers do not block writers).
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run_tool(
            "pg_dump",
            database_url,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={dump}",
        )
    return kind


def _load_database(database_url: str, dump: Path, *, clean: bool) -> None:
    if _database_kind(database_url) == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(_sqlite_path(database_url), timeout=30)
        try:
            # The backup API writes into the live file through SQLite's own locking, so the
            # WAL and other connections stay coherent (copying the file over them would not).
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    _run_tool(
        "pg_restore",
        database_url,
        *(["--clean", "--if-exists"] if clean else []),
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(dump),
    )


def _run_tool(name: str, database_url: str, *args: str) -> None:
    """Run PostgreSQL's ``name`` (pg_dump, pg_restore) on ``database_url``; BackupError with
    its words if it fails. The password goes in the environment, not on the command line,
    where every user of the machine could read it."""
    parts = urlsplit(database_url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{host}")
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH): install PostgreSQL's client tools of "
            "the server's major version or newer (Debian: postgresql-client)"
        )
    done = subprocess.run(  # noqa: S603 (a fixed program, arguments as a list, no shell)
        [program, *args, f"--dbname={urlunsplit(parts)}"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip()}")


def _stored_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        for name in names:
            if not name.startswith(".tmp-") and not name.endswith(".lock"):
                yield Path(folder) / name


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _first_line(error: Exception) -> str:
    # tarfile lists every compression it tried, a line each; the first says enough.
    return str(error).splitlines()[0].rstrip(":") or type(error).__name__


def _read_manifest(tar: tarfile.TarFile) -> dict[str, object]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"{tar.name!r} is not a tp-bridge backup (no {MANIFEST})")
    try:
        manifest = json.loads(member.read())
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict):
        raise BackupError(f"{tar.name!r} is not a tp-bridge backup ({MANIFEST} is not ours)")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _require_empty(database_url: str, files_dir: Path) -> None:
    db = open_database(database_url, max_connections=1)
    try:
        with db.connection_context():
            tables = db.get_tables()
    finally:
        db.close_all()
    if tables:
        raise BackupError(
            "the database already has tables: restore into an empty database, or pass --force "
            "to replace them"
        )
    if any(_stored_files(files_dir)):
        raise BackupError(
            f"{files_dir} already holds files: restore into an empty folder, or pass --force "
            "to overwrite them"
        )


def _extract_files(tar: tarfile.TarFile, files_dir: Path) -> None:
    members = [m for m in tar.getmembers() if m.name.startswith(FILES_PREFIX) and m.isfile()]
    files_dir.mkdir(parents=True, exist_ok=True)
    for member in members:
        member.name = member.name.removeprefix(FILES_PREFIX)
        # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
        tar.extract(member, files_dir, filter="data")
