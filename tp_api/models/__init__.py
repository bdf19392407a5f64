"""The peewee models, one module per aggregate."""

from tp_api.models.accounts import Account, AuthFailure, PartnerKey
from tp_api.models.checkins import CheckIn
from tp_api.models.events import Event, TicketType
from tp_api.models.orders import LineType, Order, OrderLine, OrderStatus
from tp_api.models.outbox import OutboxEntry
from tp_api.models.scanners import Scanner, ScannerEvent
from tp_api.models.shops import ProductMapping, Shop, ShopOrder, SyncRun
from tp_api.models.tickets import Ticket, TicketStatus

ALL_MODELS = (
    Account,
    PartnerKey,
    AuthFailure,
    Event,
    TicketType,
    Order,
    OrderLine,
    Ticket,
    CheckIn,
    OutboxEntry,
    Shop,
    ProductMapping,
    ShopOrder,
    SyncRun,
    Scanner,
    ScannerEvent,
)

__all__ = [
    "ALL_MODELS",
    "Account",
    "AuthFailure",
    "CheckIn",
    "Event",
    "LineType",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxEntry",
    "PartnerKey",
    "Scanner",
    "ScannerEvent",
    "ProductMapping",
    "Shop",
    "ShopOrder",
    "SyncRun",
    "Ticket",
    "TicketStatus",
    "TicketType",
]
