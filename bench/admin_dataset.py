"""The admin benchmark's data: a seeded catalogue of events, ticket types and orders for a
large account and a second one, the same on every run and on both databases."""

from __future__ import annotations

import bisect
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


SEED = 20261202
EVENTS = 10_000
TICKETS = 1_000_000
HOT_SHARE = 0.05  # of the account's tickets, all for one event
OTHER_SHARE = 0.05  # of the orders, for the second account
OTHER_EVENTS = 20
SEARCH_TERM = "paradiso"  # the venue of one event in 300
DEEP_PAGE = 50
PAGE = 100
COPY_CHUNK = 50_000
SLOW_QUERY_MS = 10.0
DB_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

GENRES = (
    "Jazz", "Rock", "Techno", "Folk", "Comedy", "Opera", "Blues", "Hip-hop", "Classical",
    "Indie", "Metal", "Reggae",
)  # fmt: skip
KINDS = ("Festival", "Night", "Tour", "Live", "Weekend", "Sessions")
CITIES = (
    "Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg",
    "Almere", "Breda", "Nijmegen", "Arnhem", "Haarlem", "Enschede", "Maastricht", "Leiden",
    "Zwolle", "Antwerpen", "Gent", "Brussel", "Leuven",
)  # fmt: skip
VENUES = (
    "Ziggo Dome", "AFAS Live", "Melkweg", "TivoliVredenburg", "Ahoy", "013", "Doornroosje",
    "Effenaar", "Oosterpoort", "Vera", "Patronaat", "Gebouw-T", "Mezz", "Luxor Live",
    "Hedon", "Metropool", "De Pul", "Poppodium Boerderij", "Het Depot", "Vooruit",
    "Ancienne Belgique", "Trix", "Lotto Arena", "Botanique", "De Oude Zaal",
)  # fmt: skip
FIRST_NAMES = ("Anna", "Bram", "Daan", "Emma", "Fleur", "Jan", "Lotte", "Noah", "Sem", "Tess")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos")
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # tp_api.services.orders.references


# --- the data ------------------------------------------------------------------------------


@dataclass
class TypeSpec:
    """One ticket type; ``sold`` counts the tickets the generator issued for it."""

    id: int
    event: EventSpec  # the event (or date) it belongs to
    root: EventSpec  # the top-level event
    name: str
    price: int
    hidden: bool
    weight: int
    sold: int = 0
    stock: int = 0


@dataclass
class EventSpec:
    id: int
    account_id: int
    parent: EventSpec | None
    index: int
    name: str
    city: str
    venue: str
    slug: str | None
    start: datetime
    lifecycle: str = "published"
    pool: bool = False  # one stock pool shared by its ticket types
    pool_full: bool = False
    sold_out: bool = False  # every visible ticket type sold out
    types: list[TypeSpec] = field(default_factory=list)
    children: list[EventSpec] = field(default_factory=list)
    stock: int = 0
    sold: int = 0  # only for shared pools, as services.stock keeps it

    def sale_types(self) -> list[TypeSpec]:
        return [t for e in (self, *self.children) for t in e.types]


@dataclass
class Dataset:
    account_a: int
    account_b: int
    events: list[EventSpec]  # in id order, dates right after their event
    types: list[TypeSpec]
    # (account id, ((ticket type, quantity), ...)) per order, in id order.
    orders: list[tuple[int, tuple[tuple[TypeSpec, int], ...]]]
    hot: EventSpec
    typical: EventSpec
    seconds: float = 0.0

    def tickets(self, account_id: int) -> int:
        return sum(q for a, lines in self.orders if a == account_id for _, q in lines)

    def expected_sold_out(self) -> int:
        return sum(
            1
            for e in self.events
            if e.account_id == self.account_a and e.parent is None and e.lifecycle == "published"
            if e.pool_full or e.sold_out
        )

    def expected_matches(self) -> int:
        return sum(
            1
            for e in self.events
            if e.account_id == self.account_a and e.parent is None
            if SEARCH_TERM in f"{e.name} {e.city} {e.venue}".lower()
        )


class _Ids:
    def __init__(self) -> None:
        self.event = 0
        self.type = 0

    def next_event(self) -> int:
        self.event += 1
        return self.event

    def next_type(self) -> int:
        self.type += 1
        return self.type


def _lifecycle(i: int, start: datetime, now: datetime) -> str:
    if start < now:
        if i % 13 == 0:
            return "archived"
        return "published" if i % 7 == 0 else "completed"
    return "draft" if i % 50 == 17 else "published"


def _top_event(rng: Random, ids: _Ids, account_id: int, i: int, start: datetime) -> EventSpec:
    genre, kind = rng.choice(GENRES), rng.choice(KINDS)
    venue = "Paradiso" if i % 300 == 150 else rng.choice(VENUES)
    slug = f"{genre.lower()}-{kind.lower()}-{i + 1}"
    if account_id != 1:
        slug = f"partner-{slug}"
    event = EventSpec(
        ids.next_event(), account_id, None, i, f"{genre} {kind} {i + 1}", rng.choice(CITIES),
        venue, slug, start,
    )  # fmt: skip
    price = rng.randrange(15, 80) * 100
    event.types.append(TypeSpec(ids.next_type(), event, event, "Regular", price, False, 6))
    vip = TypeSpec(ids.next_type(), event, event, "VIP", price * 2, i % 40 == 9, 2)
    event.types.append(vip)
    return event


def _add_dates(ids: _Ids, event: EventSpec) -> list[EventSpec]:
    for day in (1, 2):
        date = EventSpec(
            ids.next_event(), event.account_id, event, event.index, f"{event.name} - day {day}",
            event.city, event.venue, None, event.start + timedelta(days=day - 1),
            event.lifecycle,
        )  # fmt: skip
        price = event.types[0].price // 2
        date.types.append(TypeSpec(ids.next_type(), date, event, "Day ticket", price, False, 1))
        event.children.append(date)
    return event.children


def build_catalogue(rng: Random, n_events: int, now: datetime) -> tuple[list[EventSpec], int]:
    """Account 1's events (with dates) and account 2's, interleaved in id order."""
    ids = _Ids()
    events: list[EventSpec] = []
    first = now - timedelta(days=365)
    step = timedelta(days=730) / n_events
    every = max(1, n_events // OTHER_EVENTS)
    for i in range(n_events):
        start = first + step * i
        if i % every == every // 2:
            other = _top_event(rng, ids, 2, i, start + timedelta(days=400))
            events.append(other)
        event = _top_event(rng, ids, 1, i, start)
        event.lifecycle = _lifecycle(i, start, now)
        event.pool = i % 20 == 11
        event.pool_full = i % 100 == 11
        event.sold_out = i % 25 == 7
        events.append(event)
        if i % 10 == 3:
            events.extend(_add_dates(ids, event))
    return events, ids.type


class _Picker:
    """Weighted choice of a top-level event."""

    def __init__(self, rng: Random, roots: list[EventSpec], weights: list[float]) -> None:
        self.rng = rng
        self.roots = roots
        self.cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def pick(self) -> EventSpec:
        at = self.rng.random() * self.cumulative[-1]
        return self.roots[min(bisect.bisect_right(self.cumulative, at), len(self.roots) - 1)]


def _order_lines(rng: Random, root: EventSpec, cap: int) -> tuple[tuple[TypeSpec, int], ...]:
    types = root.sale_types()
    weights = [t.weight for t in types]
    first = rng.choices(types, weights)[0]
    lines = [(first, min(cap, rng.choice((1, 1, 2, 2, 2, 3, 4))))]
    left = cap - lines[0][1]
    if left > 0 and len(types) > 1 and rng.random() < 0.1:
        second = rng.choice([t for t in types if t is not first])
        lines.append((second, min(left, rng.choice((1, 2)))))
    for ticket_type, quantity in lines:
        ticket_type.sold += quantity
        if ticket_type.event.pool:
            ticket_type.event.sold += quantity
    return tuple(lines)


def build_orders(
    rng: Random, events: list[EventSpec], tickets: int
) -> tuple[list[tuple[int, tuple[tuple[TypeSpec, int], ...]]], EventSpec]:
    """Orders until account 1 has exactly ``tickets`` tickets; one hot event gets
    HOT_SHARE of them. Drafts sell nothing."""
    roots = [e for e in events if e.parent is None and e.account_id == 1 and e.lifecycle != "draft"]
    later = max(e.index for e in roots) * 0.6  # on sale, in the future
    hot = next(
        e
        for e in roots
        if e.children and e.lifecycle == "published" and not e.sold_out and e.index > later
    )
    weights = [rng.uniform(0.2, 1.8) for _ in roots]
    others = sum(w for e, w in zip(roots, weights, strict=True) if e is not hot)
    weights[roots.index(hot)] = others * HOT_SHARE / (1 - HOT_SHARE)
    picker = _Picker(rng, roots, weights)
    partner = [e for e in events if e.account_id == 2]
    orders = []
    sold = 0
    while sold < tickets:
        if rng.random() < OTHER_SHARE:
            orders.append((2, _order_lines(rng, rng.choice(partner), 6)))
            continue
        lines = _order_lines(rng, picker.pick(), tickets - sold)
        sold += sum(q for _, q in lines)
        orders.append((1, lines))
    return orders, hot


def set_stock(rng: Random, types: Iterable[TypeSpec], events: Iterable[EventSpec]) -> None:
    """Capacities: sold-out events' visible types (and full pools) have nothing left."""
    for ticket_type in types:
        full = ticket_type.root.sold_out and not ticket_type.hidden
        ticket_type.stock = ticket_type.sold + (0 if full else rng.randrange(20, 400))
    for event in events:
        if event.pool:
            event.stock = event.sold + (0 if event.pool_full else rng.randrange(50, 500))


def build_dataset(n_events: int, tickets: int) -> Dataset:
    started = time.perf_counter()
    rng = Random(SEED)
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events, _ = build_catalogue(rng, n_events, now)
    types = [t for e in events for t in e.types]
    orders, hot = build_orders(rng, events, tickets)
    set_stock(rng, types, events)
    typical = next(
        e
        for e in events
        if e.account_id == 1 and e.parent is None and e.index > n_events // 2 and e.sale_types()
        if 20 <= sum(t.sold for t in e.sale_types()) <= 200 and not e.children
    )
    data = Dataset(1, 2, events, types, orders, hot, typical)
    data.seconds = time.perf_counter() - started
    return data
