"""The OpenAPI 3.1 document, generated from :data:`tp_api.web.api_routes.OPERATIONS`.

Every schema in it is a pydantic model's JSON Schema (OpenAPI 3.1 uses JSON Schema 2020-12,
which is what pydantic emits), and for the admin API the same models validate the requests,
so the document and the behaviour cannot disagree.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tp_api.schemas.base import ErrorBody

# Importing these registers the door and partner APIs' operations (validated by hand).
from tp_api.web import door_spec, oauth_spec, partner_spec  # noqa: F401
from tp_api.web.api_routes import OPERATIONS, Operation

_REF = "#/components/schemas/{model}"
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    400: "Invalid input",
    401: "Missing, unknown or revoked API key",
    403: "The key lacks a scope (`details.missingScopes`)",
    404: "Not found (or another account's)",
    409: "Conflict with the current state",
    422: "Cannot be applied",
    429: "Rate limited; see Retry-After",
    503: "Unavailable",
}
_SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An admin-API key, or an access token from POST /api/v1/oauth/token",
    },
    "oauthClient": {
        "type": "http",
        "scheme": "basic",
        "description": "An OAuth client's id and secret (or client_id and client_secret in "
        "the body)",
    },
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    "partnerKey": {
        "type": "apiKey",
        "in": "query",
        "name": "key",
        "description": "The private partner-API key",
    },
    "scannerKey": {"type": "http", "scheme": "bearer", "description": "A door scanner key"},
}
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "apiKey": [{"bearerAuth": []}, {"apiKeyHeader": []}],
    "partnerKey": [{"partnerKey": []}],
    "scannerKey": [{"scannerKey": []}],
    "oauthClient": [{"oauthClient": []}, {}],
}


@cache
def document(server_url: str) -> str:
    """The document as JSON text (built once per process)."""
    return json.dumps(build(server_url), separators=(",", ":"))


def build(server_url: str) -> dict[str, Any]:
    """The document as a dict."""
    refs, components = _schemas()
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tp-bridge",
            "version": "1",
            "description": "The seller's admin API (`/api/v1`), the door API and the Ticket "
            "Pulse partner API (`/tp-api`). Errors of `/api/v1` share one shape; the partner "
            "API answers errors in plain text, as its document prescribes.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": _SECURITY_SCHEMES},
    }


def _schemas() -> tuple[dict[Any, Any], dict[str, Any]]:
    wanted: list[tuple[type[BaseModel], Any]] = [(ErrorBody, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        if op.response is not None:
            wanted.append((op.response, "serialization"))
    unique = list(dict.fromkeys(wanted))
    refs, top = models_json_schema(unique, by_alias=True, ref_template=_REF)
    return refs, top.get("$defs", {})


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _path_parameters(op) + _query_parameters(op),
        "responses": _responses(op, refs),
    }
    if op.description:
        item["description"] = op.description
    if op.scopes:
        item["description"] = (
            item.get("description", "") + f"\n\nScopes: `{'`, `'.join(op.scopes)}`."
        ).strip()
    if op.security is not None:
        item["security"] = _SECURITY[op.security]
    else:
        item["security"] = []
    if op.body is not None:
        item["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    item.update(op.extra)
    return item


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0} if kind == "int" else {"type": "string"},
        }
        for name, kind in op.path_params.items()
    ]


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(by_alias=True, ref_template=_REF)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k != "title"},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    ok: dict[str, Any] = {"description": _STATUS_TEXT.get(op.status, "OK")}
    if op.response is not None:
        ok["content"] = {op.response_media: {"schema": refs[(op.response, "serialization")]}}
    elif op.response_media != "application/json" and op.status != 204:
        ok["content"] = {op.response_media: {"schema": {"type": "string"}}}
    responses[str(op.status)] = ok
    errors = set(op.errors) | {429}
    if op.security == "apiKey":
        errors |= {401, 403}
    error_schema = refs[(ErrorBody, "serialization")]
    for status in sorted(errors):
        responses[str(status)] = {
            "description": _STATUS_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": error_schema}},
        }
    return responses
