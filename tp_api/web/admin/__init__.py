"""The seller's admin API (``/api/v1``): one blueprint, its authentication, errors and
Idempotency-Key handling; the resources live in the modules beside this one.

Keys are sent as ``Authorization: Bearer <key>`` or ``x-api-key: <key>``; an OAuth access
token from ``POST /api/v1/oauth/token`` (tp_api.web.oauth) as ``Authorization: Bearer``.
Every error has the shape ``{"error": {"code", "message", "status", "requestId", "details"?}}``.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from tp_api.services import idempotency
from tp_api.services.credentials import oauth_tokens
from tp_api.services.errors import Conflict, TicketingError, TooManyAttempts, Unauthenticated
from tp_api.web.api_routes import error_response
from tp_api.web.parts import parts

bp = Blueprint("admin", __name__, url_prefix="/api/v1")

_WRITES = ("POST", "PATCH", "PUT", "DELETE")


@bp.errorhandler(TicketingError)
def _error(error: TicketingError) -> Response:
    # Partner-API conventions answer 403 to a bad key; here 401 is what integrators expect.
    if isinstance(error, Unauthenticated):
        response = error_response(error, 401)
        # RFC 6750 §3.1: a bad access token is named as such, so OAuth clients fetch anew.
        suffix = ', error="invalid_token"' if error.code == "invalid_token" else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="tp-bridge"{suffix}'
        return response
    response = error_response(error)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


def presented_key() -> str | None:
    """The key from ``Authorization: Bearer`` or ``x-api-key``."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("x-api-key", "").strip() or None


@bp.before_request
def _authenticate() -> Response | None:
    if request.method == "OPTIONS":
        return None  # CORS preflight: answered without a key
    g.caller = oauth_tokens.authenticate_caller(
        presented_key(),
        client=request.remote_addr or "unknown",
        throttle=parts().auth_throttle,
    )
    key = request.headers.get("Idempotency-Key")
    if key is None or request.method not in _WRITES:
        return None
    fingerprint = idempotency.fingerprint(
        request.method, request.full_path, request.get_data(cache=True)
    )
    outcome = idempotency.begin(g.caller.account_id, g.caller.namespace, key, fingerprint)
    if isinstance(outcome, idempotency.StoredResponse):
        if outcome.status == idempotency.SECRET_NOT_REPLAYED:
            raise Conflict(outcome.body.decode(), code="idempotency_secret_not_replayed")
        replay = Response(outcome.body, status=outcome.status, content_type=outcome.content_type)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    g.idempotency_claim = outcome
    return None


@bp.after_request
def _mark_test_mode(response: Response) -> Response:
    caller = g.get("caller")
    if caller is not None and caller.test_mode:
        response.headers["X-TP-Test-Mode"] = "true"  # docs/sandbox.md
    return response


@bp.after_request
def _remember(response: Response) -> Response:
    claim = g.pop("idempotency_claim", None)
    if claim is None:
        return response
    issued = g.pop("secret_issued", None)
    if issued is not None and response.status_code < 300:
        idempotency.finish_without_replay(
            claim,
            f"This Idempotency-Key already created {issued}; its secret was shown once and "
            "is not stored. Revoke it and create another if the secret was lost.",
        )
        return response
    idempotency.finish(
        claim, response.status_code, response.content_type or "", response.get_data()
    )
    return response


def issued_secret(what: str) -> None:
    """Mark this response as carrying a secret shown once (never stored for replay)."""
    g.secret_issued = what


@bp.teardown_request
def _release(_exc: BaseException | None) -> None:
    # Reached with the claim still set only when no response was produced at all.
    claim = g.pop("idempotency_claim", None)
    if claim is not None:
        idempotency.abandon(claim)


# The resources register their routes on ``bp`` when imported.
from tp_api.web.admin import (  # noqa: E402, F401
    affiliates,
    attendees,
    customers,
    events,
    fraud,
    keys,
    oauth_clients,
    orders,
    questions,
    queue,
    webhooks,
)
