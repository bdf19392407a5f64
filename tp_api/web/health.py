"""``GET /healthz``: is the service up and can it reach its database; ``GET /readyz``: may a
load balancer send it traffic (the database and, when configured, Redis answer);
``GET /livez``: is the process alive."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from tp_api.db import database
from tp_api.web.parts import parts

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        database.execute_sql("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        return jsonify({"status": "error", "database": type(error).__name__}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every part answers; 503 naming the part that did not (by its error's kind,
    never its message, which may hold an address or a password)."""
    checks = {"database": lambda: database.execute_sql("SELECT 1"), **parts().readiness}
    answers = {}
    for name, check in checks.items():
        try:
            check()
            answers[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            answers[name] = type(error).__name__
    ready = all(answer == "ok" for answer in answers.values())
    return jsonify({"status": "ok" if ready else "error", **answers}), 200 if ready else 503


@bp.get("/livez")
def livez() -> Response:
    """Liveness only (no database): also the bare-JSON ceiling the benchmarks compare to."""
    return jsonify({"status": "ok"})
