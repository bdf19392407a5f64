"""Where outgoing requests may go: never to private, loopback, link-local or metadata
addresses (SSRF), unless the installation allows it (tests deliver to loopback).

Checked when an endpoint is created and again before every delivery, on the addresses the
host name resolves to at that moment.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from tp_api.services.errors import InvalidInput, Said

Resolver = Callable[[str, int], list[str]]

# Cloud metadata services that are not in a private range everywhere.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
# Ranges that are not public but that Python's ipaddress properties (3.11) call global:
# 6to4 relay anycast, deprecated site-local IPv6, local-use NAT64, and a few special-purpose
# blocks listed again in case a Python version's tables differ (IANA special registries).
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "fec0::/10",
        "64:ff9b:1::/48",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
    )
)
# The well-known NAT64 prefix: the last 32 bits are the IPv4 address actually reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Control characters and whitespace: urlsplit quietly drops tab, CR and LF, so such a URL
# would pass the checks here and then fail (or inject a header) at delivery.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f\s]")


class DestinationRefused(InvalidInput):
    default_code = "webhook_url_refused"


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def parse_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL without credentials, or InvalidInput."""
    if _UNSAFE_CHARACTERS.search(url):
        raise InvalidInput("url must not contain spaces or control characters", code="invalid_url")
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
            Said("The host {host} does not resolve", host=host), code="webhook_url_unresolvable"
        ) from None
    if not addresses:
        raise DestinationRefused(
            Said("The host {host} does not resolve", host=host), code="webhook_url_unresolvable"
        )
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise DestinationRefused(
                    Said(
                        "The URL points at a private, loopback, link-local or metadata address "
                        "({address}); webhooks go to public addresses only",
                        address=address,
                    )
                )
    return addresses


def is_public(address: str) -> bool:
    """Whether an address is a public unicast one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address are judged by that address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(str(embedded))
    return not (
        ip in _METADATA
        or any(ip.version == net.version and ip in net for net in _NOT_PUBLIC)
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
