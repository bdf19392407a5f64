"""``tp-bridge db backup`` and ``tp-bridge db restore`` (config/backups.py does the work)."""

from __future__ import annotations

import click

from config import backups
from config.cli_common import echo_json
from config.settings import Settings


def install(db_group: click.Group) -> None:
    """Add the backup commands to the ``db`` group."""
    db_group.add_command(backup)
    db_group.add_command(restore)


@click.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(settings: Settings, archive: str) -> None:
    """Write the database and the ticket file store to ARCHIVE (a tar file), while the service
    runs. PostgreSQL needs pg_dump. Secrets are not included (docs/deploy/backups.md)."""
    try:
        manifest = backups.backup(settings.database_url, settings.files_dir, archive)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    echo_json({"archive": archive, **manifest})


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Replace the tables of a database that has some, and overwrite stored files.",
)
@click.pass_obj
def restore(settings: Settings, archive: str, force: bool) -> None:
    """Put back the database and the files of ARCHIVE (from `tp-bridge db backup`) into an
    empty database and file store. Stop the service first; then run `tp-bridge db upgrade`
    if this version has newer migrations. PostgreSQL needs pg_restore."""
    try:
        manifest = backups.restore(settings.database_url, settings.files_dir, archive, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    echo_json({"restored": archive, **manifest})
