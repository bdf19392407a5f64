"""The peewee models, one module per aggregate."""

from tp_api.models.accounts import Account, ApiKey, AuthFailure, PartnerKey
from tp_api.models.affiliates import Affiliate, AffiliateLink, AffiliateOrder, AttributionSource
from tp_api.models.api_clients import OAuthClient, OAuthToken
from tp_api.models.audit import AuditEntry
from tp_api.models.checkins import CheckIn
from tp_api.models.events import Event, EventLifecycle, TicketType
from tp_api.models.fraud import FraudRefusal, FraudReview, FraudSettings
from tp_api.models.idempotency import IdempotencyRecord
from tp_api.models.orders import LineType, Order, OrderLine, OrderStatus, Refund
from tp_api.models.outbox import OutboxEntry
from tp_api.models.questions import Question, QuestionKind, TicketAnswer
from tp_api.models.scanners import Scanner, ScannerEvent, ScannerPairing
from tp_api.models.shops import ProductMapping, Shop, ShopOrder, SyncRun
from tp_api.models.staff import SignInThrottle, StaffUser
from tp_api.models.tickets import Ticket, TicketStatus
from tp_api.models.waiting_room import (
    QueueNoticeMark,
    QueueOrder,
    QueuePlace,
    QueueTail,
    WaitingRoom,
)
from tp_api.models.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

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
    ScannerPairing,
    ApiKey,
    Refund,
    IdempotencyRecord,
    WebhookEndpoint,
    WebhookEvent,
    WebhookDelivery,
    WebhookAttempt,
    StaffUser,
    SignInThrottle,
    AuditEntry,
    WaitingRoom,
    QueuePlace,
    QueueTail,
    QueueNoticeMark,
    QueueOrder,
    FraudSettings,
    FraudRefusal,
    OAuthClient,
    OAuthToken,
    Affiliate,
    AffiliateLink,
    AffiliateOrder,
    Question,
    TicketAnswer,
)

__all__ = [
    "ALL_MODELS",
    "Account",
    "Affiliate",
    "AffiliateLink",
    "AffiliateOrder",
    "ApiKey",
    "AttributionSource",
    "AuditEntry",
    "AuthFailure",
    "CheckIn",
    "DeliveryStatus",
    "Event",
    "EventLifecycle",
    "FraudRefusal",
    "FraudReview",
    "FraudSettings",
    "IdempotencyRecord",
    "LineType",
    "OAuthClient",
    "OAuthToken",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxEntry",
    "PartnerKey",
    "Refund",
    "Scanner",
    "ScannerEvent",
    "ScannerPairing",
    "ProductMapping",
    "Question",
    "QuestionKind",
    "QueueNoticeMark",
    "QueueOrder",
    "QueuePlace",
    "QueueTail",
    "Shop",
    "SignInThrottle",
    "StaffUser",
    "ShopOrder",
    "SyncRun",
    "Ticket",
    "TicketAnswer",
    "TicketStatus",
    "TicketType",
    "WaitingRoom",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
