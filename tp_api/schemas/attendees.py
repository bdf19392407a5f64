"""An event's attendee list in the admin API."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tp_api.schemas.base import Cursor, Limit, RequestModel, ResponseModel, text
from tp_api.schemas.orders import TicketStatusName
from tp_api.schemas.questions import AnswerOut


class AttendeeExportQuery(RequestModel):
    """Which tickets: all unless narrowed."""

    status: TicketStatusName | None = None
    search: text(100) | None = Field(  # type: ignore[valid-type]
        None, description="Words of the holder's name or e-mail address, or the buyer's"
    )
    checked_in: bool | None = Field(None, description="Admitted at the door at least once")


class AttendeeListQuery(AttendeeExportQuery):
    limit: Limit = 50
    cursor: Cursor | None = None


class AttendeeOut(ResponseModel):
    ticket_id: str
    status: TicketStatusName
    ticket_type: str
    date: str = Field(description="The event's or the date's name the ticket is for")
    first_name: str
    last_name: str
    email: str
    phone: str
    order_id: int = Field(description="The order's public number")
    buyer_email: str
    first_check_in: datetime | None
    last_check_in: datetime | None
    answers: list[AnswerOut] = Field(
        default_factory=list, description="Answers to the event's questions, in their order"
    )


class AttendeeList(ResponseModel):
    items: list[AttendeeOut]
    next_cursor: str | None
