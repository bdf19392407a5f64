"""``GET /api/v1/queue/{token}``: where a place is in its line (seed 001's poll).

No key: the token is the credential (signed, bound to one place), so a shop's own page can
poll from the customer's browser. Errors have the admin API's JSON shape.
"""

from __future__ import annotations

from flask import Blueprint, Response

from tp_api.schemas.queue import QueuePlaceOut
from tp_api.services.errors import TicketingError
from tp_api.web.admin.queue import place_out
from tp_api.web.api_routes import error_response, model_response, operation
from tp_api.web.parts import parts

bp = Blueprint("queue_poll", __name__, url_prefix="/api/v1")


@bp.errorhandler(TicketingError)
def _error(error: TicketingError) -> Response:
    return error_response(error)


@operation(
    bp,
    "/queue/<token>",
    "GET",
    summary="Poll a place in a line",
    tag="Waiting room",
    security=None,
    response=QueuePlaceOut,
    errors=(404,),
)
def poll_queue(token: str) -> Response:
    """Position, estimated wait and status; ``returnUrl`` once it is the customer's turn."""
    return model_response(place_out(parts().waiting_rooms.status(token)))
