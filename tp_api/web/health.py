"""``GET /healthz``: is the service up and can it reach its database."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from tp_api.db import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        database.execute_sql("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return jsonify({"status": "error", "database": type(error).__name__}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@bp.get("/livez")
def livez() -> Response:
    """Liveness only (no database): also the bare-JSON ceiling the benchmarks compare to."""
    return jsonify({"status": "ok"})
