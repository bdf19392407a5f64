"""The OpenAPI entries of the OAuth token service (tp_api.web.oauth), written out by hand:
its bodies are form-encoded or JSON and its errors are RFC 6749's, not the admin API's.
Importing this module registers them (tp_api.web.openapi does)."""

from __future__ import annotations

from typing import Any

from tp_api.web.api_routes import Operation, register

_PARAMS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string", "description": "Unless sent with HTTP Basic"},
        "client_secret": {"type": "string", "description": "Unless sent with HTTP Basic"},
        "scope": {
            "type": "string",
            "description": "Space-separated admin-API scopes, a subset of the client's "
            "(default: all of them)",
        },
    },
    "required": ["grant_type"],
}
_REVOKE_PARAMS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "token": {"type": "string"},
        "token_type_hint": {"type": "string"},
        "client_id": {"type": "string"},
        "client_secret": {"type": "string"},
    },
    "required": ["token"],
}
_TOKEN: dict[str, Any] = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
    },
    "required": ["access_token", "token_type", "expires_in"],
}
_ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "string",
            "description": "RFC 6749 §5.2: invalid_request, invalid_client, invalid_grant, "
            "unauthorized_client, unsupported_grant_type, invalid_scope, or (RFC 7009) "
            "unsupported_token_type",
        },
        "error_description": {"type": "string"},
    },
    "required": ["error"],
}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema},
            "application/json": {"schema": schema},
        },
    }


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Invalid request, grant type or scope",
        401: "Unknown client or wrong secret (WWW-Authenticate: Basic)",
        403: "The client may not be used from this address (unauthorized_client)",
        429: "Too many failed client authentications; see Retry-After",
    }
    return {
        str(status): {
            "description": text[status],
            "content": {"application/json": {"schema": _ERROR}},
        }
        for status in statuses
    }


def _register() -> None:
    """Add the token and revocation endpoints to the OpenAPI document."""
    register(
        Operation(
            method="post",
            path="/api/v1/oauth/token",
            operation_id="oauth_token",
            summary="Get an access token (OAuth 2.0 client credentials)",
            tag="OAuth",
            security="oauthClient",
            description="RFC 6749 §4.4. The token is sent as `Authorization: Bearer` to the "
            "admin API and lives `expires_in` seconds (TP_OAUTH_TOKEN_SECONDS, 900 by default).",
            extra={
                "requestBody": _body(_PARAMS),
                "responses": {
                    "200": {
                        "description": "An access token",
                        "content": {"application/json": {"schema": _TOKEN}},
                    },
                    **_errors(400, 401, 403, 429),
                },
            },
        )
    )
    register(
        Operation(
            method="post",
            path="/api/v1/oauth/revoke",
            operation_id="oauth_revoke",
            summary="Revoke an access token (RFC 7009)",
            tag="OAuth",
            security="oauthClient",
            description="The token stops working at once. Answers 200 also for a token that is "
            "unknown, expired or another client's, as RFC 7009 §2.2 prescribes.",
            extra={
                "requestBody": _body(_REVOKE_PARAMS),
                "responses": {"200": {"description": "Revoked"}, **_errors(400, 401, 403, 429)},
            },
        )
    )


_register()
