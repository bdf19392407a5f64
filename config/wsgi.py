"""The composition root of the web service: ``create_app(settings)``."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee
import redis
from flask import Flask, Response, g, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from bridge.web.woo_webhooks import create_shop_webhooks_blueprint
from config import logs
from config.metrics import OUTBOX_KINDS
from config.metrics_http import install_metrics
from config.pages import install_my_tickets
from config.redaction import install_log_scrubbing, redact
from config.settings import Settings
from config.shops import secret_box
from config.tickets import password_links, scan_public_keys, shop_approvals, ticket_tools
from config.waiting_rooms import waiting_rooms
from pdf.pages import RenderJob
from tp_api.db import connect
from tp_api.services.credentials.authenticator import (
    AuthThrottle,
    DatabaseFailures,
    RedisFailures,
    ThrottlePolicy,
)
from tp_api.services.delivery.ticket_files import Render
from tp_api.web import (
    admin,
    affiliate_links,
    api_meta,
    console,
    door_app,
    downloads,
    health,
    oauth,
    partner,
    queue_page,
    queue_poll,
    scanner,
)
from tp_api.web import parts as web_parts
from tp_api.web.rate_limits import install_rate_limits

log = logging.getLogger(__name__)

_PLAIN_TEXT_PREFIXES = ("/tp-api", "/files", "/shops")


def create_app(settings: Settings, *, metrics_port: int | None = None) -> Flask:
    """Build the Flask application for ``settings``: database, blueprints, error handlers,
    metrics (``/metrics`` without a token on ``metrics_port`` only, see config.metrics_http)."""
    # Under gunicorn each worker builds its app after the fork: scrub its logs here too.
    install_log_scrubbing()
    db = connect(settings.database_url, max_connections=settings.db_pool_size)
    app = Flask("tp_bridge")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # The console's session cookie: not readable by scripts, not sent on cross-site
        # requests, and only over https when the service is public on https.
        SESSION_COOKIE_NAME="tp_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
    )
    # Keep the document's field order in responses.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    _install_request_hooks(app, db)
    parts = _web_parts(settings)
    web_parts.install(app, parts)
    install_metrics(
        app,
        token=settings.metrics_token,
        line=parts.waiting_rooms.line,
        outbox_kinds=OUTBOX_KINDS,
        metrics_port=metrics_port,
    )
    _register_error_handlers(app)
    _install_relative_redirects(app)
    _install_surfaces(app, settings)
    return app


def _install_request_hooks(app: Flask, db: peewee.Database) -> None:
    """Request ids, NUL refusal, the connection's return to the pool, common headers."""

    @app.before_request
    def _tag_request() -> None:
        # No database connection here: peewee takes one from the pool on the first query, so
        # requests that need none (/livez) cost none.
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        logs.request_id.set(g.request_id)  # in every log line of this request

    @app.before_request
    def _refuse_nul() -> None:
        # PostgreSQL refuses a NUL in any string it is sent (a 500 deep in a view); no id,
        # name or search term of ours holds one, so it is refused here for every route, in
        # each API's own error style.
        if "\x00" in request.path:
            raise NotFound()
        if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            raise BadRequest("A query parameter contains a NUL character")

    @app.teardown_request
    def _close_connection(_exc: BaseException | None) -> None:
        # Returns the connection to the pool; an open transaction is rolled back first.
        if not db.is_closed():
            db.close()
        logs.request_id.set("")  # the thread's next request is another one

    @app.after_request
    def _tag_response(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        if response.status_code not in (429, 503):
            # flask-limiter sends it on every limited response; it means "wait" only here.
            response.headers.pop("Retry-After", None)
        return response


def _install_surfaces(app: Flask, settings: Settings) -> None:
    """The blueprints, their rate-limit classes and the admin API's CORS."""
    app.register_blueprint(health.bp)
    app.register_blueprint(partner.bp)
    app.register_blueprint(downloads.bp)
    shared = web_parts.parts_of(app)
    app.register_blueprint(
        create_shop_webhooks_blueprint(
            shared.secret_box,
            unpaid_hold_seconds=shared.unpaid_hold_seconds,
            approvals=shared.shop_approvals,
        )
    )
    app.register_blueprint(scanner.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api_meta.bp)
    app.register_blueprint(oauth.bp)
    app.register_blueprint(queue_poll.bp)
    app.register_blueprint(queue_page.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(door_app.bp)
    app.register_blueprint(affiliate_links.bp)
    my_tickets = install_my_tickets(app, settings)
    install_rate_limits(
        app,
        settings.rate_limits(),
        storage_uri=settings.redis_url or "memory://",
        classes={
            "admin": [admin.bp, oauth.bp],
            "scanner": [scanner.bp],
            "checkout": [partner.bp, admin.bp],
            "partner": [partner.bp],
            "public": [
                downloads.bp,
                api_meta.bp,
                queue_poll.bp,
                queue_page.bp,
                my_tickets,
                door_app.bp,
                affiliate_links.bp,
            ],
            "signin": [console.bp],
        },
    )
    _install_cors(app, settings)


def _install_cors(app: Flask, settings: Settings) -> None:
    """TicketSmart's documented CORS: any origin by default; keys still belong server-side."""
    CORS(
        app,
        resources={r"/api/v1/*": {"origins": settings.cors_origins.split(",")}},
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "x-api-key", "Idempotency-Key"],
        expose_headers=[
            "X-Request-Id",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
        ],
        max_age=600,
    )


def _install_relative_redirects(app: Flask) -> None:
    @app.after_request
    def _relative_redirect(response: Response) -> Response:
        if 300 <= response.status_code < 400 and "Location" in response.headers:
            response.headers["Location"] = relative_location(
                response.headers["Location"], request.host
            )
        return response


def relative_location(location: str, request_host: str) -> str:
    """``location`` without its origin where that origin was the request's own host.

    werkzeug's own redirects (``/console`` -> ``/console/``) are absolute URLs on whatever
    host the client named, so ``Host: evil.example`` would send a person there. A relative
    Location stays on the address the browser is already on, whichever port or proxy it
    came through (TP_PUBLIC_URL may be unset on a local install). Locations on other hosts
    were chosen, not echoed, and are left as they are.
    """
    target = urlsplit(location)
    if not target.netloc or target.netloc.lower() != request_host.lower():
        return location
    # "//evil.example/x" would be read as another host: one leading slash only.
    path = "/" + target.path.lstrip("/")
    return urlunsplit(("", "", path, target.query, target.fragment))


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        message = error.name
        if request.path.startswith("/console") and error.code in (400, 429):
            message = error.description or message  # the console's own words
        elif error.code == 429:
            message = f"Rate limit exceeded ({error.description}); retry after Retry-After seconds"
        return _error_response(error.code or 500, message, _error_code(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The path may hold a "my tickets" token, which opens a customer's tickets.
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        return _error_response(500, "Internal server error", "internal_error")


def _error_code(error: HTTPException) -> str:
    if error.code == 429:
        return "rate_limited"
    return (error.name or "error").lower().replace(" ", "_")


def _error_response(status: int, message: str, code: str) -> Response:
    """Plain text under /tp-api (the document's style), an HTML page in the console, and the
    admin JSON error shape elsewhere."""
    if request.path.startswith(_PLAIN_TEXT_PREFIXES):
        return Response(message, status=status, mimetype="text/plain")
    if request.path.startswith("/console"):
        page, _ = console.error_page(status, message)
        response = Response(page, status=status, mimetype="text/html")
        response.headers["Content-Security-Policy"] = console.CSP
        return response
    body = {
        "error": {
            "code": code,
            "message": message,
            "status": status,
            "requestId": g.get("request_id", ""),
        }
    }
    response = jsonify(body)
    response.status_code = status
    return response


def _auth_throttle(settings: Settings) -> AuthThrottle:
    """Failed keys of every kind, counted per client address where all workers see them."""
    store = RedisFailures(settings.redis_url) if settings.redis_url else DatabaseFailures()
    policy = ThrottlePolicy(
        max_failures=settings.auth_max_failures,
        window=timedelta(seconds=settings.auth_window_seconds),
        block_for=timedelta(seconds=settings.auth_block_seconds),
    )
    return AuthThrottle(store, policy)


def _web_parts(settings: Settings) -> web_parts.WebParts:
    return web_parts.WebParts(
        auth_throttle=_auth_throttle(settings),
        ticket_tools=ticket_tools(settings),
        render=_lazy_render(settings),
        secret_box=secret_box(settings),
        scan_keys=scan_public_keys(settings),
        unpaid_hold_seconds=settings.unpaid_hold_seconds,
        public_url=settings.public_url,
        webhook_allow_private=settings.webhook_allow_private,
        password_links=password_links(settings),
        shop_approvals=shop_approvals(settings),
        waiting_rooms=waiting_rooms(settings),
        oauth_token_lifetime=timedelta(seconds=settings.oauth_token_seconds),
        readiness=_readiness_checks(settings),
    )


def _readiness_checks(settings: Settings) -> dict[str, Callable[[], object]]:
    """What ``/readyz`` asks besides the database: Redis, when the service uses it (shared
    rate limits, the waiting rooms' lines), answering PING within a second."""
    if not settings.redis_url:
        return {}
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1)
    return {"redis": client.ping}


def _lazy_render(settings: Settings) -> Render:
    """Renders with the PDF renderer built on first use (importing weasyprint takes half a
    second, which a service that never renders a PDF in-process should not pay)."""
    cache: list[Any] = []

    def render(job: RenderJob) -> bytes:
        if not cache:
            from pdf.render import TicketRenderer

            dirs = [settings.templates_dir] if settings.templates_dir else []
            cache.append(TicketRenderer(dirs))
        rendered: bytes = cache[0].render_job(job)
        return rendered

    return render
