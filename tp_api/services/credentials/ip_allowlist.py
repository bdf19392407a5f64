"""IP allowlists of partner keys, admin-API keys and OAuth clients (seed 002).

A credential with an allowlist is refused from any other address, even with the right
secret: a leaked key is useless outside the seller's own servers. The address is the one
the request came from after the trusted proxies (``TP_TRUSTED_PROXIES``) are peeled off,
so behind a load balancer the client's address is checked, not the balancer's.

Each refusal is logged, and written to the account's audit trail once per credential and
address per ``AUDIT_EVERY`` per process, so a client retrying in a loop cannot flood it.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from tp_api.db import utcnow, write_transaction
from tp_api.services import audit_trail
from tp_api.services.actors import Actor
from tp_api.services.errors import Forbidden, InvalidInput, Said

log = logging.getLogger(__name__)

MAX_ENTRIES = 50
AUDIT_EVERY = timedelta(minutes=10)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressNotAllowed(Forbidden):
    """A right credential used from an address outside its allowlist."""

    default_code = "ip_not_allowed"


def parse_allowlist(entries: Iterable[str] | None) -> str:
    """The stored form of an allowlist: normalised networks, space-separated, de-duplicated
    in the order given; ``""`` (anywhere) for None or an empty list. Raises InvalidInput
    naming the first entry that is no address or CIDR range."""
    if entries is None:
        return ""
    networks: list[str] = []
    for entry in entries:
        text = str(entry).strip()
        try:
            # strict=False: "10.0.0.7/24" means the network it lies in, as firewalls read it.
            network = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise InvalidInput(
                Said("{entry!r} is not an IP address or CIDR range", entry=text[:60]),
                code="invalid_ip_range",
            ) from None
        if network not in networks:
            networks.append(network)
    if len(networks) > MAX_ENTRIES:
        raise InvalidInput(
            Said("At most {limit} addresses or ranges", limit=MAX_ENTRIES),
            code="too_many_ip_ranges",
        )
    return " ".join(networks)


def replace(
    row: Any,
    allowed_ips: Iterable[str],
    *,
    account_id: int,
    actor: Actor,
    subject: tuple[str, int, str],
) -> None:
    """Give a credential row (a partner key, API key or OAuth client, read in the caller's
    write transaction) a new allowlist, audited as ``<kind>.updated`` when it changed."""
    allowlist = parse_allowlist(allowed_ips)
    if row.allowed_ips == allowlist:
        return
    change = {"allowedIps": [row.allowed_ips, allowlist]}
    row.allowed_ips = allowlist
    row.save(only=[type(row).allowed_ips])
    audit_trail.record(account_id, actor, f"{subject[0]}.updated", subject, change)


def as_list(allowlist: str) -> list[str]:
    """A stored allowlist as the list the APIs show."""
    return allowlist.split()


@lru_cache(maxsize=1024)
def _networks(allowlist: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry) for entry in allowlist.split())


def allows(allowlist: str, address: str) -> bool:
    """Whether ``address`` may use a credential with this allowlist (empty: anywhere)."""
    if not allowlist:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # no address we can read (a unix socket): not on anyone's list
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:192.0.2.1 from a dual-stack socket is 192.0.2.1
    return any(ip in network for network in _networks(allowlist))


_audited: dict[tuple[str, int, str], datetime] = {}


def enforce(
    allowlist: str,
    address: str,
    *,
    account_id: int,
    subject: tuple[str, int, str],
    message: str,
) -> None:
    """Raise AddressNotAllowed (with ``message``, the API's own wording) unless ``address``
    is on the credential's allowlist; the refusal is logged and audited."""
    if allows(allowlist, address):
        return
    kind, credential_id, label = subject
    log.warning(
        "auth: %s %s (%s) refused from %s: not on its allowlist",
        kind,
        credential_id,
        label,
        address,
    )
    _audit(account_id, subject, address)
    raise AddressNotAllowed(message, details={"address": address})


def _audit(account_id: int, subject: tuple[str, int, str], address: str) -> None:
    now = utcnow()
    memo = (subject[0], subject[1], address[:64])
    last = _audited.get(memo)
    if last is not None and now - last < AUDIT_EVERY:
        return
    if len(_audited) >= 10_000:
        _audited.clear()
    _audited[memo] = now
    actor = Actor("address", None, address[:64])
    with write_transaction():
        audit_trail.record(
            account_id,
            actor,
            f"{subject[0]}.address_refused",
            subject,
            {"address": [None, address]},
        )
