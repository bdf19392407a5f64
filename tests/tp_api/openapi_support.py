"""The partner API's OpenAPI document as the tests read it: the served document, the app's
partner routes, and checks of answers and requests against the document's schemas."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from tp_api.schemas import partner as schemas
from tp_api.web.api_routes import openapi_path

try:  # jsonschema_rs comes with schemathesis (the dev extra); pydantic alone checks otherwise.
    import jsonschema_rs
except ImportError:  # pragma: no cover
    jsonschema_rs = None

# What each partner route reads from the query string, besides the key.
QUERY_PARAMS = {
    ("get", "/tp-api/events"): set(),
    ("get", "/tp-api/users/{user_id}/events"): set(),
    ("get", "/tp-api/events/{event_id}/tickets"): {"wp_user_id"},
    ("get", "/tp-api/events/{event_id}/questions"): set(),
    ("post", "/tp-api/events/{event_id}/tickets/personalize"): {"wp_user_id"},
    ("post", "/tp-api/orders/create"): set(),
    ("get", "/tp-api/users/get-ticket"): {"wp_user_id", "ticket_id"},
    ("get", "/tp-api/orders/get-ticket"): {"wp_user_id", "order_id"},
    ("get", "/tp-api/wallets"): set(),
    ("get", "/tp-api/users/get-wallet-pass"): {"wp_user_id", "ticket_id", "wallet"},
}
# The pydantic model of each JSON success body.
RESPONSE_MODELS: dict[tuple[str, str], type[BaseModel]] = {
    ("get", "/tp-api/events"): schemas.PartnerEventList,
    ("get", "/tp-api/users/{user_id}/events"): schemas.PartnerUserEventList,
    ("get", "/tp-api/events/{event_id}/tickets"): schemas.PartnerOwnedTicketList,
    ("get", "/tp-api/events/{event_id}/questions"): schemas.PartnerQuestionList,
    ("post", "/tp-api/events/{event_id}/tickets/personalize"): schemas.PartnerPersonaliseResponse,
    ("get", "/tp-api/users/get-ticket"): schemas.PartnerSignedUrl,
    ("get", "/tp-api/orders/get-ticket"): schemas.PartnerSignedUrl,
    ("get", "/tp-api/wallets"): schemas.PartnerWalletList,
    ("get", "/tp-api/users/get-wallet-pass"): schemas.PartnerWalletUrl,
}
CHILD = {
    "name": "Day 1 — Saturday",
    "price": "15.00",
    "stock": 250,
    "thumbnail": "event-13.jpg",
    "location": "Vondelpark",
    "event_params": {"door": "A"},
    "tickets": [{"name": "Saturday", "stock": 250, "price": 15, "date": 1753920000}],
}
UNDATED_CHILD = {"name": "Day 2", "tickets": [{"name": "Sunday", "stock": 10, "price": 0}]}


def served_document(client: Any) -> dict[str, Any]:
    """The document as GET /api/v1/openapi.json serves it."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(json.loads(response.get_data()))


def partner_rules(app: Any) -> dict[tuple[str, str], set[str]]:
    """(method, OpenAPI path) -> path argument names, for every /tp-api rule of the app."""
    found: dict[tuple[str, str], set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/tp-api"):
            continue
        path, _ = openapi_path(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found[(method.lower(), path)] = set(rule.arguments)
    return found


def partner_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) -> operation object, for every /tp-api operation of ``document``."""
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        if path.startswith("/tp-api")
        for method, operation in item.items()
    }


def check_schema(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    """``instance`` is valid against ``schema``, whose references point into ``document``."""
    if jsonschema_rs is None:
        return
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": {"schemas": document["components"]["schemas"]},
        **schema,
    }
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors


def check_response(
    document: dict[str, Any], method: str, path: str, response: Any
) -> dict[str, Any]:
    """The response conforms to the documented operation; returns the documented response."""
    operation = partner_operations(document)[(method, path)]
    status = str(response.status_code)
    assert status in operation["responses"], (status, response.get_data(as_text=True))
    documented = operation["responses"][status]
    assert response.mimetype in documented["content"], (status, response.mimetype)
    schema = documented["content"][response.mimetype]["schema"]
    if response.mimetype == "application/json":
        check_schema(document, schema, response.get_json())
        model = RESPONSE_MODELS[(method, path)]
        model.model_validate_json(response.get_data(), strict=True)
    else:
        check_schema(document, schema, response.get_data(as_text=True))
    return dict(documented)


def check_request(document: dict[str, Any], method: str, path: str, body: Any) -> None:
    """``body`` is valid against the operation's documented request body."""
    operation = partner_operations(document)[(method, path)]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    check_schema(document, schema, body)


def documented_error(document: dict[str, Any], method: str, path: str, response: Any) -> None:
    """A plain-text error whose status and exact body are documented for the operation."""
    documented = check_response(document, method, path, response)
    assert response.mimetype == "text/plain"
    examples = documented["content"]["text/plain"]["examples"]
    body = response.get_data(as_text=True)
    assert body in {e["value"] for e in examples.values()}, (response.status_code, body)


# --- (a) the document describes every partner route ----------------------------------------
