"""The door API's entries in the OpenAPI document (its views validate by hand, like the
partner API's; see tp_api.schemas.door)."""

from __future__ import annotations

from tp_api.schemas.door import (
    AdmitBody,
    GuestList,
    GuestQuery,
    LiveFigures,
    OfflinePack,
    PairAnswer,
    PairBody,
    ScanAnswer,
    ScanBody,
    UploadAnswer,
    UploadBody,
)
from tp_api.web.api_routes import Operation, register

_ERRORS = (400, 401, 403, 404)

register(
    Operation(
        method="post",
        path="/api/v1/checkin/scan",
        operation_id="door_scan",
        summary="Scan a ticket at the door",
        tag="Door",
        security="scannerKey",
        body=ScanBody,
        response=ScanAnswer,
        errors=_ERRORS,
        description="One atomic decision per scan; `reason` says why a scan was refused.",
    )
)
register(
    Operation(
        method="post",
        path="/api/v1/checkin/admit",
        operation_id="door_admit",
        summary="Admit (or let out) a guest by hand",
        tag="Door",
        security="scannerKey",
        body=AdmitBody,
        response=ScanAnswer,
        errors=_ERRORS,
        description=(
            "The guest found by name or reference (`guests`), no code scanned: the same "
            "decision as a scan of the ticket's current code, recorded as by hand."
        ),
    )
)
register(
    Operation(
        method="get",
        path="/api/v1/checkin/events/{event_id}/guests",
        operation_id="door_guests",
        summary="Find guests of an event",
        tag="Door",
        security="scannerKey",
        query=GuestQuery,
        response=GuestList,
        errors=_ERRORS,
        path_params={"event_id": "int"},
        description="Up to 20 tickets by attendee name, ticket reference or order reference (`q`).",
    )
)
register(
    Operation(
        method="get",
        path="/api/v1/checkin/events/{event_id}/offline",
        operation_id="door_offline_pack",
        summary="The offline pack of an event",
        tag="Door",
        security="scannerKey",
        response=OfflinePack,
        errors=_ERRORS,
        path_params={"event_id": "int"},
    )
)
register(
    Operation(
        method="post",
        path="/api/v1/checkin/upload",
        operation_id="door_upload",
        summary="Upload offline scans",
        tag="Door",
        security="scannerKey",
        body=UploadBody,
        response=UploadAnswer,
        errors=_ERRORS,
        description="Applied in the order they happened; a repeated nonce is a replay.",
    )
)
register(
    Operation(
        method="get",
        path="/api/v1/events/{event_id}/live",
        operation_id="door_live",
        summary="Live check-in figures",
        tag="Door",
        security="scannerKey",
        response=LiveFigures,
        errors=_ERRORS,
        path_params={"event_id": "int"},
    )
)
register(
    Operation(
        method="post",
        path="/api/v1/door/pair",
        operation_id="door_pair",
        summary="Pair a door device with a scanner",
        tag="Door",
        security=None,
        body=PairBody,
        response=PairAnswer,
        errors=(400, 403, 429),
        description=(
            "Redeems a one-time pairing code from the console for the scanner's new key "
            "(the scanner's previous key stops working). A wrong, used or expired code is "
            "403 `pairing_code_invalid` and counts against the client like a wrong key."
        ),
    )
)
