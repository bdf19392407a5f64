"""Declaring an API operation once: the Flask route, its request validation and its entry in
the OpenAPI document all come from one ``@operation(...)`` (tp_api.web.openapi reads
:data:`OPERATIONS`)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from pydantic import BaseModel, ValidationError

from tp_api.services.errors import InvalidInput, NotFound, TicketingError


@dataclass(frozen=True)
class Operation:
    """One documented operation: what the OpenAPI document says about it."""

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    security: str | None
    scopes: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    path_params: dict[str, str] = field(default_factory=dict)
    response_media: str = "application/json"
    description: str = ""
    # Extra OpenAPI fields for operations validated by hand (the partner API).
    extra: dict[str, Any] = field(default_factory=dict)


OPERATIONS: list[Operation] = []
_MAX_ID = 2**53
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_path(rule: str) -> tuple[str, dict[str, str]]:
    """``/events/<int:event_id>`` -> (``/events/{event_id}``, {"event_id": "int"})."""
    params: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        params[match.group(2)] = match.group(1) or "string"
        return "{" + match.group(2) + "}"

    return _CONVERTER.sub(replace, rule), params


def register(operation_: Operation) -> None:
    """Add an operation to the document (also for routes that validate by hand)."""
    OPERATIONS.append(operation_)


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    scopes: tuple[str, ...] = (),
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    security: str | None = "apiKey",
    response_media: str = "application/json",
    description: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` on ``bp`` and in the document.

    The view receives the path arguments, ``body=`` and ``query=`` (validated models) when
    declared, and returns a response model (rendered with ``status``), a Response, or None
    (204). ``g.caller`` must hold the authenticated caller when ``scopes`` are required.
    """

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        handler = _handler(view, scopes=scopes, body=body, query=query, status=status)
        bp.add_url_rule(rule, view.__name__, handler, methods=[method])
        path, params = openapi_path((bp.url_prefix or "") + rule)
        register(
            Operation(
                method=method.lower(),
                path=path,
                operation_id=view.__name__,
                summary=summary,
                tag=tag,
                security=security,
                scopes=scopes,
                body=body,
                query=query,
                response=response,
                status=status,
                errors=errors,
                path_params=params,
                response_media=response_media,
                description=description or (view.__doc__ or "").strip(),
            )
        )
        return handler

    return wrap


def _handler(
    view: Callable[..., Any],
    *,
    scopes: tuple[str, ...],
    body: type[BaseModel] | None,
    query: type[BaseModel] | None,
    status: int,
) -> Callable[..., Response]:
    """The Flask view around ``view``: ids in range, scopes, validated input, the response."""

    @functools.wraps(view)
    def handler(**path_args: Any) -> Response:
        if any(isinstance(v, int) and v > _MAX_ID for v in path_args.values()):
            # No row has such an id; the database driver would overflow on it.
            raise NotFound("Not found", code="not_found")
        if scopes:
            g.caller.require(*scopes)
        kwargs: dict[str, Any] = {}
        if query is not None:
            kwargs["query"] = validate(query, request.args.to_dict(flat=True), "query")
        if body is not None:
            kwargs["body"] = validate(body, json_body(), "body")
        result = view(**path_args, **kwargs)
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status=204)
        return model_response(result, status)

    return handler


def json_body() -> Any:
    """The request body as JSON; 400 ``invalid_json`` when it is not."""
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("The body is not valid JSON", code="invalid_json") from None


def validate(model: type[BaseModel], data: Any, where: str) -> Any:
    """``data`` validated by ``model``; 400 ``validation_error`` listing every problem."""
    if where == "body" and not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object", code="invalid_json")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        details = [
            {
                "field": ".".join(str(p) for p in problem["loc"]) or where,
                # pydantic prefixes our own validators' messages; the reader needs only ours.
                "message": problem["msg"].removeprefix("Value error, "),
            }
            for problem in error.errors(include_url=False, include_input=False)
        ]
        raise ValidationFailed(details) from None


class ValidationFailed(InvalidInput):
    default_code = "validation_error"

    def __init__(self, details: list[dict[str, str]]) -> None:
        first = details[0] if details else {"field": "", "message": "invalid"}
        super().__init__(
            f"Validation failed: {first['field']}: {first['message']}", details=details
        )


def model_response(model: BaseModel, status: int = 200) -> Response:
    """A response model as JSON (camelCase names)."""
    return current_app.response_class(
        model.model_dump_json(by_alias=True), status=status, mimetype="application/json"
    )


def error_response(error: TicketingError, status: int | None = None) -> Response:
    """The admin API's one error shape."""
    body: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "status": status or error.status,
        "requestId": g.get("request_id", ""),
    }
    if error.details is not None:
        body["details"] = error.details
    return current_app.response_class(
        json.dumps({"error": body}), status=status or error.status, mimetype="application/json"
    )
