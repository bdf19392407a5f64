"""Where the admin endpoints' time goes: every SELECT an endpoint runs, explained
(PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN and a timed run)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from admin_dataset import (  # noqa: E402
    DB_TITLES,
    SLOW_QUERY_MS,
)
from admin_endpoints import Endpoint  # noqa: E402

# --- where the time goes -------------------------------------------------------------------


class _Queries(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, tuple[Any, ...]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            sql, params = record.msg
            self.seen.append((sql, tuple(params or ())))


def _explain_postgres(db: Any, sql: str, params: tuple[Any, ...]) -> tuple[float, str]:
    rows = db.execute_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    plan = "\n".join(r[0] for r in rows)
    ms = next(float(r[0].split(":")[1].split()[0]) for r in rows if "Execution Time" in r[0])
    return ms, plan


def _explain_sqlite(db: Any, sql: str, params: tuple[Any, ...]) -> tuple[float, str]:
    plan = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    started = time.perf_counter()
    db.execute_sql(sql, params).fetchall()
    ms = (time.perf_counter() - started) * 1000
    return ms, "\n".join(f"{r[0]}|{r[1]}| {r[-1]}" for r in plan)


def profile(url: str, key: str, eps: list[Endpoint]) -> dict[str, dict[str, Any]]:
    """Each endpoint once in-process: its SELECTs, each explained and timed."""
    from config.settings import Settings
    from config.wsgi import create_app
    from tp_api.db import database, is_postgres

    settings = Settings(database_url=url).for_development()  # a dozen requests: no limit met
    app = create_app(settings)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    explain = _explain_postgres if is_postgres() else _explain_sqlite
    logger = logging.getLogger("peewee")
    out: dict[str, dict[str, Any]] = {}
    for ep in eps[1:]:
        client.get(ep.path, headers=headers)  # the key is cached after this one
        capture = _Queries()
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
        try:
            status = client.get(ep.path, headers=headers).status_code
        finally:
            logger.removeHandler(capture)
        selects = [(s, p) for s, p in capture.seen if s.lstrip().upper().startswith("SELECT")]
        with database.connection_context():
            explained = [(*explain(database, s, p), s, p) for s, p in selects]
        slowest = max(explained, default=(0.0, "", "", ()))
        out[ep.name] = {
            "status": status,
            "queries": len(capture.seen),
            "sql_ms": round(sum(x[0] for x in explained), 2),
            "slowest_ms": round(slowest[0], 2),
            "slowest_sql": slowest[2],
            "slowest_params": [str(p) for p in slowest[3]],
            "slowest_plan": slowest[1],
        }
    database.close_all()
    return out


def print_profile(db: str, prof: dict[str, dict[str, Any]]) -> None:
    print(f"\n{DB_TITLES[db]}: SQL per request (in-process, explained)")
    print(f"  {'endpoint':<28} {'queries':>7} {'sql ms':>8} {'slowest ms':>10}")
    for name, p in prof.items():
        print(f"  {name:<28} {p['queries']:>7} {p['sql_ms']:>8.2f} {p['slowest_ms']:>10.2f}")
    for name, p in prof.items():
        if p["slowest_ms"] >= SLOW_QUERY_MS:
            print(f"\n  {name}: slowest query ({p['slowest_ms']:.1f} ms)\n    {p['slowest_sql']}")
            print(f"    params: {p['slowest_params']}")
            print("    " + p["slowest_plan"].replace("\n", "\n    "))
