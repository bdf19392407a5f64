"""A PostgreSQL database of a benchmark's own on this machine's server: made afresh for a
run and dropped after it (``WITH (FORCE)`` ends connections still open)."""

from __future__ import annotations

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin(*statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(POSTGRES_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def fresh_postgres(name: str) -> str:
    """An empty database ``name`` (any old one dropped first); its URL."""
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_postgres(name: str) -> None:
    """Drop the benchmark's database."""
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
