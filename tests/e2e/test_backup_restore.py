"""`tp-bridge db backup` while the service serves, the data lost, `tp-bridge db restore`:
every row and every stored ticket file is back, and the service goes on from there."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from config.settings import Settings
from config.tickets import ticket_tools
from tests.conftest import BACKENDS, TEST_SECRET
from tests.e2e.scratch_db import installation, wipe
from tests.e2e.serve import TP_BRIDGE, cli, serving
from tests.e2e.traffic import background
from tests.factories import Factory, order_body
from tp_api.db import connect
from tp_api.models import ALL_MODELS
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners

pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
def install(request, tmp_path):
    """An installation's environment: its own database (migrated) and file store."""
    with installation(request.param, tmp_path, "backup") as env:
        yield env


def _seed(env):
    """An event, two paid orders with personalised tickets and a scanner, through the
    services; returns what the HTTP part needs."""
    database = connect(env["TP_DATABASE_URL"], max_connections=4)
    with database.connection_context():
        factory = Factory()
        seller = factory.seller("Backed up")
        event = factory.event(seller, name="Fest")
        tickets = []
        for _ in range(2):
            outcome = factory.order(seller, factory.ticket_type(event), quantity=2)
            tickets += factory.personalise_all(seller, outcome)
        scanner = scanners.create_scanner(seller.id, "Gate A", [event.id])
    database.close_all()
    tools = ticket_tools(Settings(secret_key=TEST_SECRET, files_dir=env["TP_FILES_DIR"]))
    return {
        "key": seller.key,
        "event_id": event.id,
        "scanner": scanner.secret,
        "codes": [ticket_code(tools, t) for t in tickets],
        "references": [t.reference for t in tickets],
    }


def _use(base, seeded):
    """Scan two tickets in and fetch every ticket's QR file (stored on first use)."""
    for code in seeded["codes"][:2]:
        scan = requests.post(
            f"{base}/api/v1/checkin/scan",
            json={"qrPayload": code, "eventId": seeded["event_id"], "gate": "A", "device": "p1"},
            headers={"Authorization": f"Bearer {seeded['scanner']}"},
            timeout=30,
        )
        assert scan.ok and scan.json()["success"], scan.text
    for reference in seeded["references"]:
        assert _qr(base, seeded, reference).headers["Content-Type"] == "image/png"


def _qr(base, seeded, reference):
    link = requests.get(
        f"{base}/tp-api/users/get-ticket",
        params={"key": seeded["key"], "wp_user_id": 7, "ticket_id": reference},
        timeout=30,
    ).json()
    parts = urlsplit(link)
    response = requests.get(f"{base}{parts.path}?{parts.query}", timeout=30)
    assert response.status_code == 200, response.text
    return response


def _rows(url):
    """Every row of every table, as sorted tuples, and the migrations applied."""
    database = connect(url, max_connections=2)
    with database.connection_context():
        rows = {m._meta.table_name: sorted(map(repr, m.select().tuples())) for m in ALL_MODELS}
        rows["schema_migration"] = sorted(
            r[0] for r in database.execute_sql("SELECT name FROM schema_migration")
        )
    database.close_all()
    return rows


def _files(folder):
    root = Path(folder)
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "locks" not in p.parts and not p.name.endswith(".lock")
    }


def _events_read(base, key):
    def read(_n):
        response = requests.get(f"{base}/tp-api/events", params={"key": key}, timeout=30)
        return None if response.status_code == 200 else f"{response.status_code} {response.text}"

    return read


def test_restore_brings_back_every_row_and_file(install, tmp_path):
    env = install
    seeded = _seed(env)
    archive = tmp_path / "backups" / "tp-bridge.tar"
    with serving(env, tmp_path / "server.log", workers=2) as base:
        _use(base, seeded)
        # Whatever the service wrote is what a backup taken now must hold.
        before_rows, before_files = _rows(env["TP_DATABASE_URL"]), _files(env["TP_FILES_DIR"])
        with background(_events_read(base, seeded["key"])) as traffic:
            made = json.loads(cli(env, "db", "backup", str(archive)))
        assert traffic.failures == [] and traffic.done > 0
    assert made["files"] == len(before_files) == len(seeded["references"])
    assert len(before_rows["check_in"]) == 2 and len(before_rows["ticket"]) == 4

    wipe(env["TP_DATABASE_URL"])
    shutil.rmtree(env["TP_FILES_DIR"])
    cli(env, "db", "restore", str(archive))

    assert _rows(env["TP_DATABASE_URL"]) == before_rows
    assert _files(env["TP_FILES_DIR"]) == before_files
    assert cli(env, "db", "status").strip() == "the database is up to date"
    with serving(env, tmp_path / "after.log", workers=1) as base:
        # The restored ids go on where they were: a new order gets new rows, not a clash.
        created = requests.post(
            f"{base}/tp-api/orders/create",
            params={"key": seeded["key"]},
            json=order_body(_type_id(env), wp_order_id="after-restore"),
            timeout=30,
        )
        assert created.status_code == 200, created.text
        # A ticket link given out before the loss still opens its (restored) file.
        assert (
            _qr(base, seeded, seeded["references"][0]).content
            == before_files[
                f"qr/{seeded['references'][0]}-v{_version(env, seeded['references'][0])}.png"
            ]
        )


def _type_id(env):
    from tp_api.models import TicketType

    database = connect(env["TP_DATABASE_URL"], max_connections=2)
    with database.connection_context():
        type_id = TicketType.select(TicketType.id).scalar()
    database.close_all()
    return type_id


def _version(env, reference):
    from tp_api.models import Ticket

    database = connect(env["TP_DATABASE_URL"], max_connections=2)
    with database.connection_context():
        version = Ticket.get(Ticket.reference == reference).version
    database.close_all()
    return version


def test_restore_refuses_a_database_in_use_unless_forced(install, tmp_path):
    env = install
    _seed(env)
    archive = tmp_path / "tp-bridge.tar"
    cli(env, "db", "backup", str(archive))
    before = _rows(env["TP_DATABASE_URL"])
    refused = subprocess.run(
        [TP_BRIDGE, "db", "restore", str(archive)], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "already has tables" in refused.stderr and "--force" in refused.stderr
    cli(env, "db", "restore", "--force", str(archive))
    assert _rows(env["TP_DATABASE_URL"]) == before


def test_a_backup_is_refused_into_the_other_kind_of_database(install, tmp_path):
    env = install
    archive = tmp_path / "tp-bridge.tar"
    cli(env, "db", "backup", str(archive))
    other = (
        "postgresql://postgres@127.0.0.1/none"
        if env["TP_DATABASE_URL"].startswith("sqlite")
        else f"sqlite:///{tmp_path}/other.sqlite3"
    )
    refused = subprocess.run(
        [TP_BRIDGE, "db", "restore", str(archive)],
        env={**env, "TP_DATABASE_URL": other},
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1 and "TP_DATABASE_URL is" in refused.stderr


def test_without_pg_dump_the_backup_says_what_to_install(install, tmp_path):
    env = install
    if env["TP_DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite needs no outside tool")
    failed = subprocess.run(
        [TP_BRIDGE, "db", "backup", str(tmp_path / "x.tar")],
        env={**env, "PATH": str(tmp_path / "empty")},
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "pg_dump is not installed" in failed.stderr and "postgresql-client" in failed.stderr
    assert not (tmp_path / "x.tar").exists()
