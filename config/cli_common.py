"""Helpers shared by the ``tp-bridge`` command modules."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from config.metrics import OUTBOX_KINDS, DatabaseFigures, export, start_counting
from config.settings import Settings, SettingsError
from config.waiting_rooms import waiting_rooms
from config.wallets import wallets
from tp_api import migrations
from tp_api.db import connect
from tp_api.services.actors import Actor
from tp_api.services.errors import TicketingError


def command_line_actor() -> Actor:
    """The person running this command, as the audit trail names them."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (a bare container)
        user = ""
    return Actor.command_line(user)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@contextmanager
def database_session(settings: Settings) -> Iterator[None]:
    """Open the configured database for one command, with domain errors shown plainly."""
    db = connect(settings.database_url, max_connections=4)
    try:
        with db.connection_context():
            yield
    except TicketingError as error:
        raise click.ClickException(error.message) from None
    finally:
        db.close_all()


def require_schema(settings: Settings) -> None:
    db = connect(settings.database_url, max_connections=4)
    with db.connection_context():
        waiting = migrations.pending(db)
    if waiting:
        raise click.ClickException(
            f"the database needs migrations ({', '.join(waiting)}): run `tp-bridge db upgrade`"
        )


def production_settings(settings: Settings, *, dev: bool) -> Settings:
    """The settings a long-running command may use: a real secret, unless ``dev``."""
    if dev:
        settings = settings.for_development()
    try:
        settings.require_production_secret()
        # A wallet certificate or key that cannot sign stops the start here, in words, rather
        # than in every forked gunicorn worker or at the first pass.
        wallets(settings)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    return settings


def metrics_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--metrics-port``, ``--metrics-host`` and ``--metrics-textfile`` of a long-running
    command (the sync daemon, the outbox worker)."""
    command = click.option(
        "--metrics-textfile",
        type=click.Path(dir_okay=False),
        help="Write the metrics to this file every 15 s (node_exporter's textfile collector).",
    )(command)
    command = click.option(
        "--metrics-host",
        default="127.0.0.1",
        show_default=True,
        help="The address of --metrics-port.",
    )(command)
    return click.option(
        "--metrics-port",
        type=click.IntRange(1, 65535),
        help="Serve the metrics at http://HOST:PORT/metrics (docs/operations.md).",
    )(command)


def start_metrics(
    settings: Settings, *, host: str, port: int | None, textfile: str | None
) -> Callable[[], None]:
    """Count this process's work in its metrics and export them (port and/or textfile);
    returns what stops the export (the textfile's last write)."""
    start_counting()
    if port is None and not textfile:
        return lambda: None
    figures = DatabaseFigures(waiting_rooms(settings).line, OUTBOX_KINDS)
    try:
        return export(figures, host=host, port=port, textfile=textfile)
    except OSError as error:
        raise click.ClickException(f"cannot serve the metrics on {host}:{port}: {error}") from None
