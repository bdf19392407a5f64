"""Benchmark: door scans (``POST /api/v1/checkin/scan``) through the real server.

Run: .venv/bin/python bench/scan_bench.py [--db sqlite|postgres|both] [--seconds 5]

Prepares a fresh database with an event of 40,000 valid tickets and a scanner, starts
`tp-bridge serve` (gunicorn, 2 workers) and scans each ticket once with wrk at 1 and 16
concurrent scanners, on the same server as `GET /livez` (the ceiling). Every scan verifies
the Ed25519 signature, decides atomically and records a check-in row.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_report  # noqa: E402
from bench_load import Target, find_wrk, run_wrk  # noqa: E402
from bench_server import Server, fresh_database, install_cleanup  # noqa: E402

TICKETS = 40_000


def prepare(url: str, workdir: Path) -> tuple[Path, str, int]:
    """Tickets, a scanner key and a file of scan codes (one per line)."""
    from config.settings import Settings
    from config.tickets import ticket_tools
    from tp_api import migrations
    from tp_api.db import connect, utcnow
    from tp_api.models import Event, Ticket
    from tp_api.services.credentials import partner_keys
    from tp_api.services.delivery.ticket_files import ticket_code
    from tp_api.services.door import scanners
    from tp_api.services.events import catalogue as events
    from tp_api.services.orders import submit as orders
    from tp_api.services.orders.order_input import OrderInput, OrderLineInput

    db = connect(url)
    migrations.upgrade(db)
    settings = Settings(database_url=url).for_development()  # the server runs with --dev
    seller = partner_keys.create_account("Door bench")
    node = events.load_events(
        seller.id,
        [{"name": "Fest", "stock": TICKETS, "tickets": [{"name": "GA", "stock": TICKETS}]}],
    )[0]
    Event.update(require_personalisation=False).execute()
    line = OrderLineInput("GA", 500, 1, "line_item", 1000, node.ticket_types[0].id)
    for n in range(TICKETS // 500):
        orders.submit_order(
            seller.id,
            OrderInput(
                wp_order_id=f"bench-{n}",
                date_paid=utcnow(),
                lines=(line,),
            ),
        )
    scanner = scanners.create_scanner(seller.id, "bench", [node.event.id])
    tools = ticket_tools(settings)
    codes = workdir / "codes.txt"
    codes.write_text("\n".join(ticket_code(tools, t) for t in Ticket.select()) + "\n")
    db.close_all()
    return codes, scanner.secret, node.event.id


def wrk_scans(
    offset: int,
    wrk: str,
    base: str,
    codes: Path,
    key: str,
    event_id: int,
    clients: int,
    seconds: int,
) -> dict[str, float]:
    threads = 1 if clients == 1 else 2
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "wrk_scans.lua"),
        f"{base}/api/v1/checkin/scan",
        "--",
        str(codes),
        key,
        str(event_id),
        str(threads),
        str(offset),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    bench_report.record_wrk(f"POST /api/v1/checkin/scan at {clients} scanner(s)", raw)
    return {
        "clients": clients,
        "per_s": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["non200"] + raw["connect"] + raw["read"] + raw["timeout"],
        "refused": raw["refused"],
        "requests": raw["requests"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    install_cleanup()
    wrk = find_wrk()
    if wrk is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    print(f"command: {' '.join(sys.argv)}")
    for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        bench_report.section(kind)
        workdir = Path(tempfile.mkdtemp(prefix="tp-scan-bench-"))
        url = fresh_database(kind, workdir, "scan")
        codes, key, event_id = prepare(url, workdir)
        used = 0
        with Server(url, workdir, workers=args.workers, threads=1) as server:
            for clients in (1, 16):
                ceiling = run_wrk(
                    wrk,
                    Target(f"{server.base_url}/livez"),
                    clients,
                    args.seconds,
                )
                scans = wrk_scans(
                    used, wrk, server.base_url, codes, key, event_id, clients, args.seconds
                )
                used += int(scans["requests"]) + 64  # the next step starts on fresh tickets
                print(
                    f"  {kind:8s} scanners={clients:2d}: {scans['per_s']:7.1f} scans/s "
                    f"p50 {scans['p50_ms']:5.2f} ms p99 {scans['p99_ms']:6.2f} ms "
                    f"errors {scans['errors']} refused {scans['refused']} | livez "
                    f"{ceiling.ok_per_s:7.1f}/s | ratio {scans['per_s'] / ceiling.ok_per_s:.3f}"
                )
            errors = server.error_lines()
            if errors:
                print("  server errors:", *errors[:5], sep="\n    ")
    return bench_report.verdict("scan_bench")


if __name__ == "__main__":
    sys.exit(main())
