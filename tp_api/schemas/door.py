"""The door API (``/api/v1/checkin``, ``/api/v1/events/{id}/live``) as the OpenAPI document
shows it. Its requests are validated by hand in tp_api.services.door.scanner_api (offline
uploads must refuse a whole batch atomically, with the failing item's index in the message); these
models describe the same shapes, and the fuzz test checks real answers against them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["in", "out"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class ScanBody(_Body):
    qrPayload: str = Field(min_length=1, max_length=400, description="The scanned QR text")  # noqa: N815
    eventId: int = Field(ge=1, le=2**53)  # noqa: N815
    gate: str = Field("", max_length=100)
    device: str = Field("", max_length=100)
    direction: Direction = "in"
    nonce: str | None = Field(None, max_length=64, description="Makes a repeated scan a replay")


class AdmitBody(_Body):
    ticketId: str = Field(min_length=1, max_length=32, description="The guest's ticket")  # noqa: N815
    eventId: int = Field(ge=1, le=2**53)  # noqa: N815
    gate: str = Field("", max_length=100)
    device: str = Field("", max_length=100)
    direction: Direction = "in"
    nonce: str | None = Field(
        None, max_length=64, description="Makes a repeated admission a replay"
    )


class Guest(BaseModel):
    ticketId: str  # noqa: N815
    attendeeName: str | None  # noqa: N815
    tierName: str  # noqa: N815
    status: int
    orderReference: str  # noqa: N815
    firstCheckedInAt: str | None  # noqa: N815


class GuestQuery(BaseModel):
    q: str = Field(
        min_length=2, max_length=100, description="A name, or a ticket or order reference"
    )


class GuestList(BaseModel):
    items: list[Guest]


class OfflineScan(_Body):
    qrPayload: str | None = Field(  # noqa: N815
        None, min_length=1, max_length=400, description="The scanned code (or ticketId)"
    )
    ticketId: str | None = Field(  # noqa: N815
        None, min_length=1, max_length=32, description="A guest admitted by hand, no code"
    )
    eventId: int = Field(ge=1, le=2**53)  # noqa: N815
    scannedAt: datetime  # noqa: N815
    nonce: str = Field(min_length=1, max_length=64)
    gate: str = Field("", max_length=100)
    device: str = Field("", max_length=100)
    direction: Direction = "in"


class UploadBody(_Body):
    scans: list[OfflineScan] = Field(min_length=1, max_length=1000)


class ScanAnswer(BaseModel):
    success: bool
    alreadyCheckedIn: bool  # noqa: N815
    attendeeName: str | None  # noqa: N815
    tierName: str | None  # noqa: N815
    checkedInAt: str | None  # noqa: N815
    firstCheckedInAt: str | None  # noqa: N815
    firstGate: str | None  # noqa: N815 # where it was first admitted
    reason: str | None
    direction: str
    ticketId: str | None  # noqa: N815
    conflict: bool
    admissionOpensAt: str | None = Field(  # noqa: N815
        None, description="With reason not_yet_valid: when admission opens"
    )


class UploadResult(ScanAnswer):
    nonce: str | None


class UploadAnswer(BaseModel):
    results: list[UploadResult]
    conflicts: list[str | None]


class PackKey(BaseModel):
    keyId: str  # noqa: N815
    algorithm: Literal["Ed25519"]
    publicKey: str  # noqa: N815


class OfflinePack(BaseModel):
    eventId: int  # noqa: N815
    eventIds: list[int] = Field(  # noqa: N815
        description="The event and its dates: a code naming one of these is this event's"
    )
    generatedAt: str  # noqa: N815
    allowReentry: bool  # noqa: N815
    requirePersonalisation: bool  # noqa: N815
    keys: list[PackKey]
    admissionOpens: dict[str, str | None] = Field(  # noqa: N815
        description="Per event and date id: when admission opens (null: at any time)"
    )
    tickets: list[tuple[str, int, int, str, str, int]] = Field(
        description="[ticketId, version, status, attendee, tier, eventId (its event or date)]"
    )


class TierFigures(BaseModel):
    tierId: int  # noqa: N815
    tierName: str  # noqa: N815
    inside: int
    toArrive: int  # noqa: N815
    valid: int


class GateFigures(BaseModel):
    gate: str
    in_: int = Field(alias="in")
    out: int


class RecentFigures(BaseModel):
    minutes: int
    admitted: int
    refused: int


class Conflict(BaseModel):
    ticketId: str | None  # noqa: N815
    reason: str
    gate: str
    device: str
    at: str


class LiveFigures(BaseModel):
    eventId: int  # noqa: N815
    at: str
    inside: int
    toArrive: int  # noqa: N815
    valid: int
    tiers: list[TierFigures]
    gates: list[GateFigures]
    lastMinutes: RecentFigures  # noqa: N815
    conflicts: list[Conflict] = Field(
        description="The newest offline admissions refused on upload, newest first (20)"
    )


class PairBody(_Body):
    code: str = Field(
        min_length=1,
        max_length=64,
        description="The pairing code the console shows (ABCD-EFGH-JKMN)",
    )


class PairedEvent(BaseModel):
    id: int
    name: str


class PairAnswer(BaseModel):
    scannerId: int  # noqa: N815 - the door API's JSON names are camelCase
    name: str
    key: str = Field(description="The scanner's key, shown once: a Bearer token for the door API")
    events: list[PairedEvent]
    gate: str = Field(description="The gate the phone starts with (from the console; may be '')")
