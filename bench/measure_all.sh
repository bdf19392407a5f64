#!/usr/bin/env bash
# Every table of docs/performance.md, one run each, on SQLite and PostgreSQL, in sequence,
# on the shipped defaults. Stops at the first failure: a bench that errs, or whose run saw a
# 429 or a 5xx (bench/bench_report.py: verdict), exits non-zero.
#
#   bench/measure_all.sh            the full re-measurement (about 30 minutes on 2 quiet cores)
#   bench/measure_all.sh --smoke    every bench in its smallest configuration (about 6 minutes)
#
# Run it on a quiet machine: the tables are one run each, and docs/performance.md says so.
# Output goes to the terminal and to bench/results/measure_all-<UTC time>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mode=${1:-full}

if [[ $mode == --smoke ]]; then
    steps=(
        "bench/orders_bench.py --db both --seconds 2 --clients 1,32 --warmup 1"
        "bench/order_cost_bench.py --orders 100 --repeat 1"
        "bench/pdf_bench.py --repeat 2"
        "bench/sync_bench.py --orders 200 --db sqlite"
        "bench/sync_bench.py --orders 200 --db postgres"
        "bench/scan_bench.py --db both --seconds 1"
        "bench/admin_bench.py --db both --events 200 --tickets 20000 --seconds 1"
        "bench/export_bench.py --db both --sizes 500"
        "bench/webhook_bench.py --db both --events 200 --workers 1"
        "bench/pages_bench.py --db both --orders 500"
    )
elif [[ $mode == full ]]; then
    # The commands docs/performance.md names, table by table, in its order.
    steps=(
        "bench/run_all.py --workers 2"                                      # order creation, both
        "bench/order_cost_bench.py --orders 1500 --repeat 3"                # order cost, in-process
        "bench/pdf_bench.py --repeat 20"                                    # ticket PDFs
        "bench/sync_bench.py --orders 2000 10000 --db sqlite"               # shop sync
        "bench/sync_bench.py --orders 2000 10000 --db postgres"
        "bench/sync_bench.py --orders 2000 10000 --db sqlite --memory"
        "bench/scan_bench.py --db both --seconds 5"                         # door scans
        "bench/scan_bench.py --db postgres --seconds 5 --workers 3"
        "bench/admin_bench.py --db both"                                    # admin API
        "bench/export_bench.py --db both"                                   # customers CSV
        "bench/webhook_bench.py --db both --events 10000 --workers 1,2"     # webhooks
        "bench/pages_bench.py --db both"                                    # console pages
    )
else
    echo "usage: $0 [--smoke]" >&2
    exit 2
fi

mkdir -p bench/results
log=bench/results/measure_all-$(date -u +%Y%m%dT%H%M%SZ).log
exec > >(tee "$log") 2>&1
echo "measure_all $mode at $(git rev-parse --short HEAD) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
started=$SECONDS
for step in "${steps[@]}"; do
    echo
    echo "=== $PY $step"
    t0=$SECONDS
    if ! $PY $step; then
        echo "=== FAILED after $((SECONDS - t0)) s: $PY $step" >&2
        exit 1
    fi
    echo "=== done in $((SECONDS - t0)) s: $PY $step"
done
echo
echo "all ${#steps[@]} runs passed in $((SECONDS - started)) s; log: $log"
