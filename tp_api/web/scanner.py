"""The door API (``/api/v1``): scans, offline packs and uploads, live figures.

Scanners authenticate with ``Authorization: Bearer <scanner key>``. A scanner key can scan
and read check-in figures of its events and nothing else. Errors use the admin API's JSON
shape: ``{"error": {"code", "message", "status", "requestId"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Blueprint, Response, g, jsonify, request

from tp_api.services.door import checkin, guest_search, pairing, scanner_api, scanners
from tp_api.services.errors import InvalidInput, TicketingError, TooManyAttempts
from tp_api.services.validation import optional_str, to_int
from tp_api.web.parts import parts

bp = Blueprint("scanner", __name__, url_prefix="/api/v1")


@bp.errorhandler(TicketingError)
def _error(error: TicketingError) -> tuple[Response, int]:
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "status": error.status,
            "requestId": g.get("request_id", ""),
        }
    }
    response = jsonify(body)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response, error.status


# Answered without a scanner key: pairing is how a device gets one.
_KEYLESS = frozenset({"scanner.pair"})


@bp.before_request
def _authenticate() -> None:
    if request.method == "OPTIONS" or request.endpoint in _KEYLESS:
        return  # CORS preflight, or pairing: answered without a key
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    g.scanner = scanners.authenticate_scanner(
        token,
        client=request.remote_addr or "unknown",
        throttle=parts().auth_throttle,
    )


def _body() -> dict[str, Any]:
    try:
        data = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object", code="invalid_json")
    return data


def _keys() -> Mapping[str, Ed25519PublicKey]:
    return parts().scan_keys


@bp.post("/door/pair")
def pair() -> Response:
    """A pairing code from the console -> the scanner's new key and its events, once."""
    code = _body().get("code")
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput("code is required", code="pairing_code_missing")
    device = pairing.redeem(
        code[:64], client=request.remote_addr or "unknown", throttle=parts().auth_throttle
    )
    return jsonify(
        {
            "scannerId": device.scanner_id,
            "name": device.name,
            "key": device.key,
            "events": [{"id": event_id, "name": name} for event_id, name in device.events],
            "gate": device.gate,
        }
    )


@bp.post("/checkin/scan")
def scan() -> Response:
    data = _body()
    code = data.get("qrPayload", data.get("code"))
    if not isinstance(code, str) or not code:
        raise InvalidInput("qrPayload is required", code="qr_payload_missing")
    result = checkin.scan(
        g.scanner,
        checkin.ScanRequest(
            code=code[:400],
            event_id=to_int(data.get("eventId"), "eventId", minimum=1),
            gate=optional_str(data, "gate", max_len=100),
            device=optional_str(data, "device", max_len=100)
            or optional_str(data, "scannedBy", max_len=100),
            direction=optional_str(data, "direction", max_len=3) or checkin.IN,
            nonce=optional_str(data, "nonce", max_len=64) or None,
        ),
        _keys(),
    )
    return jsonify(scanner_api.scan_json(result))


@bp.post("/checkin/admit")
def admit() -> Response:
    """A decision by hand: the guest found by name or reference, no code scanned."""
    data = _body()
    result = checkin.scan(
        g.scanner,
        checkin.ScanRequest(
            code="",
            ticket_reference=scanner_api.ticket_reference(data, "ticketId"),
            event_id=to_int(data.get("eventId"), "eventId", minimum=1),
            gate=optional_str(data, "gate", max_len=100),
            device=optional_str(data, "device", max_len=100),
            direction=optional_str(data, "direction", max_len=3) or checkin.IN,
            nonce=optional_str(data, "nonce", max_len=64) or None,
        ),
        _keys(),
    )
    return jsonify(scanner_api.scan_json(result))


@bp.get("/checkin/events/<int:event_id>/guests")
def guests(event_id: int) -> Response:
    """Tickets of the event by attendee name, ticket reference or order reference."""
    found = guest_search.find_guests(g.scanner, event_id, request.args.get("q", ""))
    return jsonify({"items": found})


@bp.get("/checkin/events/<int:event_id>/offline")
def offline_pack(event_id: int) -> Response:
    return jsonify(scanner_api.offline_pack(g.scanner, event_id, _keys()))


@bp.post("/checkin/upload")
def upload() -> Response:
    return jsonify(scanner_api.upload(g.scanner, _body(), _keys()))


@bp.get("/events/<int:event_id>/live")
def live(event_id: int) -> Response:
    return jsonify(scanner_api.live(g.scanner, event_id))
