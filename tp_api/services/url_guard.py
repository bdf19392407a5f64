"""Where outgoing requests may go: never to private, loopback, link-local or metadata
addresses (SSRF), unless the installation allows it (tests deliver to loopback).

Checked when an endpoint is created and again before every delivery, on the addresses the
host name resolves to at that moment.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from tp_api.services.errors import InvalidInput

Resolver = Callable[[str, int], list[str]]

# Cloud metadata services that are not in a private range everywhere.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class DestinationRefused(InvalidInput):
    default_code = "webhook_url_refused"


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def parse_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL without credentials, or InvalidInput."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput("url is not a valid URL", code="invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url must be an http:// or https:// URL", code="invalid_url")
    if parts.username or parts.password:
        raise InvalidInput("url must not contain credentials", code="invalid_url")
    return parts.scheme, parts.hostname, port


def check_destination(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> list[str]:
    """The addresses ``url`` reaches, or DestinationRefused when any of them is not public."""
    _, host, port = parse_url(url)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError):
        raise DestinationRefused(
            f"The host {host} does not resolve", code="webhook_url_unresolvable"
        ) from None
    if not addresses:
        raise DestinationRefused(
            f"The host {host} does not resolve", code="webhook_url_unresolvable"
        )
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise DestinationRefused(
                    f"The URL points at a private, loopback, link-local or metadata address "
                    f"({address}); webhooks go to public addresses only"
                )
    return addresses


def is_public(address: str) -> bool:
    """Whether an address is a public unicast one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address are judged by that address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_public(str(embedded))
    return not (
        ip in _METADATA
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
