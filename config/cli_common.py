"""Helpers shared by the ``tp-bridge`` command modules."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from config.settings import Settings, SettingsError
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
