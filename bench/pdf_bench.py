"""Benchmark: QR PNGs, ticket PDFs (cold and warm, 1 and 10 tickets) and stored-file downloads.

Run: .venv/bin/python bench/pdf_bench.py [--repeat N]

Prints medians in milliseconds. "cold" is a fresh process's first render (imports, font
discovery, template parsing); "warm" reuses one TicketRenderer, as the service does.
The download figure goes through the Flask app (test client, SQLite) for a PDF that is
already in the store: signature check, two queries and send_file.
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_report  # noqa: E402

COLD_SNIPPET = """
import time
t = time.perf_counter()
import sys
sys.path.insert(0, %r)
from bench.pdf_bench import sample_pages
from pdf.render import TicketRenderer
from pdf.pages import Branding
TicketRenderer().render(sample_pages(1), branding=Branding("Bench BV"), locale="nl")
print((time.perf_counter() - t) * 1000)
"""


def sample_pages(count: int):
    """``count`` ticket pages with real signed QR codes."""
    from pdf.pages import TicketPage
    from pdf.qr import qr_png
    from pdf.signing import derive_signing_key, sign_ticket_code

    key = derive_signing_key("bench")
    pages = []
    for n in range(count):
        ref = f"bench{n:011d}"
        pages.append(
            TicketPage(
                "Summer Festival 2026 — Day 1",
                "zaterdag 1 augustus 2026 20:00",
                "Westergasfabriek, Amsterdam",
                "General Admission",
                f"Jane Doe {n}",
                "TP-00042",
                ref,
                qr_png(sign_ticket_code(key, ref, 12, 1), box_size=6, border=2),
            )
        )
    return pages


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_render(repeat: int) -> dict[str, float]:
    from pdf.pages import Branding
    from pdf.qr import qr_png
    from pdf.render import TicketRenderer
    from pdf.signing import derive_signing_key, sign_ticket_code

    code = sign_ticket_code(derive_signing_key("bench"), "k7m2q9xwe4tz8hbn", 12, 1)
    renderer = TicketRenderer()
    one, ten = sample_pages(1), sample_pages(10)
    branding = Branding("Bench BV")
    renderer.render(one, branding=branding, locale="nl")  # warm up
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD_SNIPPET % str(ROOT)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(max(3, repeat // 4))
    ]
    return {
        "qr_png_ms": statistics.median(timed(lambda: qr_png(code), repeat * 5)),
        "pdf_1_ticket_cold_ms": statistics.median(cold),
        "pdf_1_ticket_warm_ms": statistics.median(
            timed(lambda: renderer.render(one, branding=branding, locale="nl"), repeat)
        ),
        "pdf_10_tickets_warm_ms": statistics.median(
            timed(lambda: renderer.render(ten, branding=branding, locale="nl"), repeat)
        ),
    }


def _personalised_order_of_ten() -> tuple[str, str]:
    """A seller's paid order of ten personalised tickets: (the seller's key, its reference)."""
    from tp_api.models import Ticket
    from tp_api.services.credentials import partner_keys
    from tp_api.services.events import catalogue as events
    from tp_api.services.orders import personalise
    from tp_api.services.orders import submit as orders
    from tp_api.services.orders.order_input import parse_partner_order

    seller = partner_keys.create_account("Bench")
    key = partner_keys.create_key(seller.id).secret
    node = events.load_events(
        seller.id, [{"name": "Fest", "stock": 100, "tickets": [{"name": "GA", "stock": 100}]}]
    )[0]
    body = {
        "wp_order_id": "1",
        "wp_user_id": 7,
        "date_paid": "2026-06-01T10:00:00Z",
        "billing_information": {"email": "a@b.nl"},
        "order_lines": [
            {
                "tp_event_ticket_id": node.ticket_types[0].id,
                "name": "GA",
                "quantity": 10,
                "product_id": 1,
                "order_item_type": "line_item",
                "unit_price": 10,
            }
        ],
    }
    outcome = orders.submit_order(seller.id, parse_partner_order(body))
    refs = [t.reference for t in Ticket.select().where(Ticket.order == outcome.order_id)]
    personalise.personalise_tickets(
        seller.id,
        node.event.id,
        wp_user_id=7,
        body={
            "tickets": [
                {"ticket_id": r, "first_name": "A", "last_name": "B", "email": "a@b.nl", "tel": "1"}
                for r in refs
            ]
        },
    )
    return key, outcome.reference


def bench_download(repeat: int) -> dict[str, float]:
    """A stored order PDF fetched through the app (link check, lookups, send_file)."""
    from config.settings import Settings
    from config.wsgi import create_app
    from tp_api import migrations
    from tp_api.db import connect

    workdir = tempfile.mkdtemp(prefix="tp-pdf-bench-")
    url = f"sqlite:///{workdir}/bench.sqlite3"
    migrations.upgrade(connect(url))
    settings = Settings(
        database_url=url,
        secret_key="b" * 48,
        files_dir=f"{workdir}/files",
        public_url="http://bench.test",
    )
    app = create_app(settings)
    key, reference = _personalised_order_of_ten()
    client = app.test_client()
    link = client.get(
        f"/tp-api/orders/get-ticket?key={key}&wp_user_id=7&order_id={reference}"
    ).get_json()
    path = link.split("http://bench.test", 1)[1]

    statuses: Counter[int] = Counter()

    def fetch() -> None:
        response = client.get(path)
        statuses[response.status_code] += 1
        assert response.status_code == 200, response.status_code
        response.get_data()
        response.close()

    first = timed(fetch, 1)[0]  # renders and stores
    stored = statistics.median(timed(fetch, repeat * 5))
    bench_report.record_statuses("GET order PDF download (test client)", statuses)
    return {"order_pdf_first_download_ms": first, "order_pdf_stored_download_ms": stored}


def machine() -> dict[str, str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "harfbuzz_subset": str(bool(ctypes.util.find_library("harfbuzz-subset"))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    results = {**bench_render(args.repeat), **bench_download(args.repeat)}
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"HarfBuzz subsetting: {info['harfbuzz_subset']}"
    )
    print(f"command: {' '.join(sys.argv)}")
    for name, value in results.items():
        print(f"  {name:32s} {value:8.1f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"pdf-{stamp}.json").write_text(json.dumps({"machine": info, **results}, indent=2))
    return bench_report.verdict("pdf_bench")


if __name__ == "__main__":
    sys.exit(main())
