"""``GET /api/v1/health`` and ``GET /api/v1/openapi.json``: no key needed.

The health answer is public (database reachable, outbox backlog); sent with an admin-API
key it also shows the last sync run of each of that account's shops.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from tp_api.schemas.health import Health, ShopSync
from tp_api.services import health_report
from tp_api.services.credentials import oauth_tokens
from tp_api.services.errors import TicketingError
from tp_api.web.admin import presented_key
from tp_api.web.api_routes import model_response, operation
from tp_api.web.parts import parts

bp = Blueprint("api_meta", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/health",
    "GET",
    summary="Service health",
    tag="Service",
    security=None,
    response=Health,
    errors=(503,),
)
def health() -> Response:
    """200 when the database answers, 503 when it does not."""
    report = health_report.report()
    shops = None
    key = presented_key()
    if key and report.database_ok:
        try:
            caller = oauth_tokens.authenticate_caller(
                key,
                client=request.remote_addr or "unknown",
                throttle=parts().auth_throttle,
            )
        except TicketingError:
            caller = None
        if caller is not None:
            shops = [
                ShopSync(shop=s.shop, last_run_at=s.last_run_at, last_status=s.last_status)
                for s in health_report.shop_syncs(caller.account_id)
            ]
    body = Health(
        status="ok" if report.database_ok else "degraded",
        database="ok" if report.database_ok else "unreachable",
        outbox_backlog=report.outbox_backlog,
        outbox_failed=report.outbox_failed,
        shops=shops,
    )
    return model_response(body, 200 if report.database_ok else 503)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document, generated from the schemas that validate requests."""
    from tp_api.web.openapi import document

    return current_app.response_class(
        document(parts().public_url),
        mimetype="application/json",
    )
