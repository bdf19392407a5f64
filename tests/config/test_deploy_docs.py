"""docs/deploy cannot rot: the units run real `tp-bridge` commands with options that exist,
nginx's body limit and static folders are the service's, and the production table names
every setting the service reads (and no other)."""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest

from config import settings as settings_module
from config.cli import main
from config.settings import Settings
from config.wsgi import create_app
from tests.e2e.serve import TP_BRIDGE

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "docs" / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
INSTALLED = "/opt/tp-bridge/.venv/bin/tp-bridge"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def _exec_start(path: Path) -> list[str]:
    # A template's instance (%i) is a port number.
    return shlex.split(_unit(path)["Service"]["ExecStart"].replace("%i", "8001"))


def test_there_are_units_for_the_service_the_daemon_and_the_worker():
    commands = {tuple(_exec_start(p)[1:3]) for p in UNITS}
    assert {("serve", "--host"), ("sync", "daemon"), ("outbox", "work")} <= commands


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_unit_runs_a_real_command_with_real_options(unit):
    program, *args = _exec_start(unit)
    assert program == INSTALLED
    # click parses the line as `tp-bridge` would: an unknown command or option, or a bad
    # value (a port out of range), raises here.
    group: click.Group = main
    while isinstance(command := group.get_command(click.Context(group), args[0]), click.Group):
        group, args = command, args[1:]
    assert command is not None, args[0]
    command.make_context(command.name, args[1:])
    # And the installed script knows the command (the entry point is wired).
    words = [command.name] if group is main else [group.name, command.name]
    shown = subprocess.run(
        [TP_BRIDGE, *words, "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_each_unit_restarts_on_failure_and_writes_only_its_state_folder(unit):
    service = _unit(unit)["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] == "tp-bridge" and service["EnvironmentFile"]
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["ReadWritePaths"] == "/var/lib/tp-bridge"
    # Only gunicorn does something useful on SIGHUP; the daemon and the worker would end.
    assert ("ExecReload" in service) == (_exec_start(unit)[1] == "serve")


def _size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


NGINX = (DEPLOY / "nginx.conf").read_text()


def test_nginx_refuses_what_the_service_refuses():
    (limit,) = re.findall(r"client_max_body_size\s+(\S+);", NGINX)
    assert _size(limit) == Settings().max_body_bytes


def test_nginx_forwards_the_headers_the_service_trusts_and_keeps_metrics_inside():
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Host"):
        assert re.search(rf"proxy_set_header {header} ", NGINX), header
    assert re.search(r"location = /metrics \{\s*deny all;", NGINX)


def test_nginx_serves_each_static_folder_from_the_services_own_folder(tmp_path):
    app = create_app(Settings(secret_key="s" * 48, database_url=f"sqlite:///{tmp_path}/x.db"))
    folders = {
        rule.rule.removesuffix("<path:filename>"): Path(
            app.blueprints[rule.endpoint.split(".")[0]].static_folder  # type: ignore[arg-type]
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint.endswith(".static") and "." in rule.endpoint
    }
    aliases = {
        prefix: Path(alias.replace("/opt/tp-bridge/", f"{REPO}/"))
        for prefix, alias in re.findall(r"location (/\S+/static/) \{\s*alias (\S+);", NGINX)
    }
    assert aliases == {prefix: folder.resolve() for prefix, folder in folders.items()}


def _variables_read() -> set[str]:
    """Every TP_ variable Settings.from_env reads: the names spelled in config/settings.py
    and those it builds (rate limits, wallets)."""
    source = Path(settings_module.__file__).read_text()
    spelled = set(re.findall(r'"(TP_[A-Z_]+)"', source)) - {"TP_"}
    built = {f"TP_RATE_LIMIT_{name.upper()}" for name in settings_module.RATE_LIMIT_DEFAULTS}
    wallets = settings_module._APPLE_SETTINGS + settings_module._GOOGLE_SETTINGS
    return spelled | built | {f"TP_{name.upper()}" for name in wallets}


def test_the_production_table_names_every_setting_and_no_other():
    table = (DEPLOY / "README.md").read_text().split("## Production settings", 1)[1]
    documented = set(re.findall(r"^\| `(TP_[A-Z_]+)` \|", table, re.MULTILINE))
    assert documented == _variables_read()
