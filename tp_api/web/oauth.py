"""The OAuth 2.0 token service: ``POST /api/v1/oauth/token`` (client-credentials grant,
RFC 6749 §4.4) and ``POST /api/v1/oauth/revoke`` (RFC 7009).

The client authenticates with HTTP Basic or ``client_id``/``client_secret`` in the body; the
body is form-encoded (RFC 6749) or JSON (seed 002's example). Answers and errors are the
RFC's own JSON (``{"error": "invalid_client", "error_description": ...}``), not the admin
API's error shape, because OAuth client libraries read them.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from tp_api.db import utcnow
from tp_api.services.credentials import oauth_tokens
from tp_api.services.credentials.ip_allowlist import AddressNotAllowed
from tp_api.services.errors import TooManyAttempts
from tp_api.web.parts import parts

bp = Blueprint("oauth", __name__, url_prefix="/api/v1/oauth")


@bp.post("/token")
def token() -> Response:
    """An access token for a client's id and secret (see the module's docstring)."""
    return _answer("token")


@bp.post("/revoke")
def revoke() -> Response:
    """Revoke one of the calling client's tokens; 200 also for a token that is not (RFC 7009)."""
    return _answer("revoke")


def _answer(endpoint: str) -> Response:
    body = _body()
    if body is None:
        return _error(
            400, "invalid_request", "The body must be form-encoded or a JSON object of strings"
        )
    address = request.remote_addr or "unknown"
    server = oauth_tokens.token_server(address, parts().oauth_token_lifetime)
    headers = {"Authorization": request.headers.get("Authorization", "")}
    try:
        call = server.token if endpoint == "token" else server.revoke
        out_headers, out_body, status = call(request.base_url, "POST", body, headers)
    except AddressNotAllowed as refused:
        return _error(403, "unauthorized_client", refused.message)
    if status == 401:
        try:
            parts().auth_throttle.failed(address, "OAuth client", utcnow())
        except TooManyAttempts as blocked:
            response = _error(429, "invalid_client", blocked.message)
            response.headers["Retry-After"] = str(blocked.retry_after_s)
            return response
        # RFC 6749 §5.2: the challenge names the scheme clients authenticate with.
        out_headers["WWW-Authenticate"] = 'Basic realm="tp-bridge"'
    response = Response(out_body or "", status=status, headers=out_headers)
    if out_body:
        response.content_type = "application/json"
    return response


def _body() -> str | dict[str, str] | None:
    """The parameters: a JSON object's (values must be strings) or the form-encoded text."""
    raw = request.get_data(cache=True)
    if request.mimetype != "application/json":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return None
    return {str(k): v for k, v in data.items()}


def _error(status: int, error: str, description: str) -> Response:
    body = json.dumps({"error": error, "error_description": description})
    response = Response(body, status=status, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
