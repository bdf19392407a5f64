"""``make bench``: the orders benchmark on SQLite and on PostgreSQL, for each worker count.

    .venv/bin/python bench/run_all.py [--workers 2 4] [any orders_bench.py option]

Each worker count is one full run of ``orders_bench.py --db both`` (its own table and its
own JSON file in bench/results/). Exits non-zero if any run failed.
"""

from __future__ import annotations

import argparse
import sys

import orders_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[2], help="gunicorn worker counts to run"
    )
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    status = 0
    for workers in args.workers:
        status |= orders_bench.main(["--db", "both", "--workers", str(workers), *rest])
    return status


if __name__ == "__main__":
    sys.exit(main())
