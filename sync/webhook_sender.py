"""The outbox handler that sends one webhook attempt over HTTP and records its outcome.

Each attempt re-checks where the URL resolves (an endpoint that was public when created can
point somewhere private later), follows no redirects, and waits at most ``timeout_s``. The
domain (tp_api.services.webhooks.webhook_delivery) decides what the answer means; a crash before the
answer is recorded repeats the attempt with the same ``webhook-id``: at least once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from tp_api.db import utcnow
from tp_api.metrics import metrics
from tp_api.models import OutboxEntry
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.delivery import outbox
from tp_api.services.errors import InvalidInput
from tp_api.services.webhooks import webhook_delivery
from tp_api.services.webhooks.url_guard import Resolver, check_destination, resolve
from tp_api.services.webhooks.webhook_delivery import AttemptResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderSettings:
    timeout_s: float = 5.0
    allow_private: bool = False
    resolver: Resolver = resolve


def webhook_handler(
    box: SecretBox, settings: SenderSettings, session: requests.Session | None = None
) -> Callable[[OutboxEntry], None]:
    """A handler for ``deliver_webhook`` jobs."""
    http = session or requests.Session()

    def deliver(job: OutboxEntry) -> None:
        data = outbox.payload(job)
        try:
            delivery_id, attempt = int(data["delivery_id"]), int(data["attempt"])
        except (KeyError, TypeError, ValueError):
            raise outbox.PermanentError(f"malformed webhook job: {data!r}") from None
        outgoing = webhook_delivery.prepare(delivery_id, attempt, box, utcnow())
        if outgoing is None:
            return
        result = send(http, outgoing, settings)
        outcome = webhook_delivery.record(delivery_id, attempt, result, utcnow())
        metrics().webhook_deliveries.labels(outcome).inc()
        log.info(
            "webhook %s attempt %d to %s: %s (%s)",
            outgoing.headers["webhook-id"],
            attempt,
            outgoing.url,
            result.status_code or result.error,
            outcome,
        )

    return deliver


class PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked, not to whatever a second DNS lookup says
    (DNS rebinding), while TLS still verifies the certificate for the URL's host name."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if host_params.get("scheme") == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def pinned_request(url: str, address: str) -> tuple[str, str, str]:
    """(URL with the host replaced by ``address``, the Host header, the host name)."""
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    ip = f"[{address}]" if ":" in address else address
    netloc = f"{ip}:{parts.port}" if parts.port else ip
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc)), host_header, hostname


def send(
    http: requests.Session, outgoing: webhook_delivery.Outgoing, settings: SenderSettings
) -> AttemptResult:
    """POST the request; every failure becomes an AttemptResult, never an exception."""
    started = time.monotonic()
    try:
        addresses = check_destination(
            outgoing.url, allow_private=settings.allow_private, resolver=settings.resolver
        )
        url, host_header, hostname = pinned_request(outgoing.url, addresses[0])
        prefix = url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/"
        mounted = http.adapters.get(prefix)
        if not (isinstance(mounted, PinnedAdapter) and mounted.hostname == hostname):
            # One adapter (and connection pool) per checked address, reused while it holds.
            http.mount(prefix, PinnedAdapter(hostname))
        response = http.post(
            url,
            data=outgoing.body.encode(),
            headers={**outgoing.headers, "Host": host_header},
            timeout=settings.timeout_s,
            allow_redirects=False,
            stream=True,
        )
        try:
            if response.is_redirect:
                # requests has read a redirect's body already (to free the connection).
                excerpt = response.content[: webhook_delivery.EXCERPT_CHARS * 4]
            else:
                excerpt = response.raw.read(webhook_delivery.EXCERPT_CHARS * 4, decode_content=True)
        finally:
            response.close()
        return AttemptResult(
            status_code=response.status_code,
            duration_ms=_ms(started),
            response_excerpt=excerpt.decode("utf-8", "replace")[: webhook_delivery.EXCERPT_CHARS],
        )
    except InvalidInput as refused:
        return AttemptResult(None, _ms(started), error=f"refused: {refused.message}")
    except requests.Timeout:
        return AttemptResult(None, _ms(started), error=f"timed out after {settings.timeout_s} s")
    except requests.RequestException as error:
        return AttemptResult(None, _ms(started), error=f"{type(error).__name__}: {error}"[:500])


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
