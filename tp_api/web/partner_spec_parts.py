"""The building blocks of the partner API's OpenAPI operations (tp_api.web.partner_spec):
plain-text error responses, parameters, and one operation's shape."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from tp_api.web.api_routes import Operation

TAG = "Partner API"
SECURITY = "partnerKey"
_REF = "#/components/schemas/{model}"

# (status, example body, when) of one plain-text error.
Error = tuple[int, str, str]

_STATUS_TEXT = {
    400: "Bad request: a parameter is missing or has an invalid value",
    401: "Not found, or not the caller's to see",
    403: "Authentication failed, or the account cannot access the resource",
    404: "Not found, or the request is not usable",
    409: "Conflict with the current stock or order state",
    413: "The body is too large",
    429: "Too many requests; wait Retry-After seconds",
}

AUTH_ERRORS: tuple[Error, ...] = (
    (403, "Unauthorized", "The `key` parameter is missing, empty, unknown or revoked."),
    (
        429,
        "Too many failed authentication attempts",
        "This client address presented too many bad keys; its further bad keys are refused "
        "for a while (`Retry-After`). A good key is always served.",
    ),
    (
        429,
        "Rate limit exceeded (5000 per 1 second); retry after Retry-After seconds",
        "The key's request budget for this class of endpoints is spent.",
    ),
)
BODY_TOO_LARGE: Error = (413, "Request Entity Too Large", "The body is over TP_MAX_BODY_BYTES.")
WP_USER_ERRORS: tuple[Error, ...] = (
    (400, "Wordpress user not specified", "`wp_user_id` is missing or empty."),
    (400, "wp_user_id must be an integer", "`wp_user_id` is not a whole number."),
)

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next attempt",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def ref(model: type[BaseModel]) -> dict[str, str]:
    """A reference to ``model``'s schema in the document's components."""
    return {"$ref": _REF.format(model=model.__name__)}


def json_content(model: type[BaseModel]) -> dict[str, Any]:
    """A JSON media type whose schema is ``model``'s."""
    return {"application/json": {"schema": ref(model)}}


def text_errors(errors: tuple[Error, ...]) -> dict[str, Any]:
    """The responses for plain-text errors, one per status, each body given as an example."""
    by_status: dict[int, list[tuple[str, str]]] = {}
    for status, body, when in errors:
        by_status.setdefault(status, []).append((body, when))
    responses: dict[str, Any] = {}
    for status, rows in sorted(by_status.items()):
        lines = "\n".join(f"- `{body}`: {when}" for body, when in rows)
        response: dict[str, Any] = {
            "description": f"{_STATUS_TEXT[status]}. Plain-text body:\n\n{lines}",
            "content": {
                "text/plain": {
                    "schema": {"type": "string"},
                    "examples": {
                        _example_name(body): {"summary": when, "value": body} for body, when in rows
                    },
                }
            },
        }
        if status == 429:
            response["headers"] = _RETRY_AFTER
        responses[str(status)] = response
    return responses


def _example_name(body: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", body.lower()).strip("_")[:60]


def path_param(name: str, minimum: int, description: str) -> dict[str, Any]:
    """An integer path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": minimum},
    }


def query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A required query parameter (the views answer 400 or 401 when it is missing)."""
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": schema,
    }


EVENT_ID = path_param("event_id", 1, "The Ticket Pulse event id (a parent or a child event)")
USER_ID = path_param("user_id", 0, "The external user id from the shop (e.g. WooCommerce)")
WP_USER_ID = query_param(
    "wp_user_id", {"type": "integer", "minimum": 0}, "The external user id from the shop"
)
TICKET_ID = query_param(
    "ticket_id", {"type": "string"}, "The ticket reference (`id` of the tickets endpoint)"
)
ORDER_ID = query_param(
    "order_id",
    {"type": "string"},
    "The order reference, e.g. TP-482917365012 (`order_id` of the tickets endpoint); the bare "
    "number is accepted too",
)


def partner_operation(
    method: str,
    path: str,
    name: str,
    summary: str,
    *,
    parameters: list[dict[str, Any]],
    ok: dict[str, Any],
    errors: tuple[Error, ...],
    response: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    description: str = "",
) -> Operation:
    """One partner-API operation; authentication and rate-limit errors are added to
    ``errors``. ``body`` becomes the (JSON) request body."""
    path_params = {p["name"]: "int" for p in parameters if p["in"] == "path"}
    return Operation(
        method=method,
        path="/tp-api" + path,
        operation_id="partner_" + name,
        summary=summary,
        tag=TAG,
        security=SECURITY,
        body=body,
        response=response,
        path_params=path_params,
        response_media="application/json" if response is not None else "text/plain",
        description=description,
        extra={
            "parameters": parameters,
            "responses": {"200": ok, **text_errors(errors + AUTH_ERRORS)},
        },
    )
