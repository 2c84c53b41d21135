"""`GET /healthz` (the process answers) and `GET /readyz` (what it needs is reachable).

A load balancer sends traffic to a node only while /readyz answers 200; a 503 names what is down."""
from __future__ import annotations

import logging
import os

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("ops", __name__)
log = logging.getLogger("maeul.ops")


def check_database() -> None:
    db.session.execute(text("SELECT 1"))
    db.session.rollback()


def check_redis() -> None:
    from app.ops.redis import redis_client

    redis_client().ping()


def check_search() -> None:
    from app.search import query_index

    # The Whoosh index folder (the embedded default) must be a folder this process can use; an index
    # never written yet is fine (it answers with no hits), a file or a missing mount is not.
    os.makedirs(current_app.config["SEARCH_INDEX_DIR"], exist_ok=True)
    if not os.access(current_app.config["SEARCH_INDEX_DIR"], os.R_OK | os.W_OK | os.X_OK):
        raise PermissionError(current_app.config["SEARCH_INDEX_DIR"])
    # Whatever backend answers search must answer a query; a missing or outdated index raises here.
    query_index("readyz")


def readiness() -> dict[str, str]:
    """{'database': 'ok', 'redis': 'ok' | 'not configured', 'search': 'ok'} or the error of each one down."""
    checks = {"database": check_database, "search": check_search}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = check_redis
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # a check reports, it never raises
            if name == "database":
                db.session.rollback()
            log.warning("readiness check %s failed: %s", name, error)
            results[name] = f"down: {type(error).__name__}"
    if "redis" not in results:
        results["redis"] = "not configured"
    return results


@bp.route("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.route("/readyz")
def readyz():
    results = readiness()
    down = sorted(name for name, state in results.items() if state.startswith("down"))
    body: dict[str, object] = {"status": "ok" if not down else "unavailable", "checks": results}
    if down:
        body["down"] = down
    return jsonify(body), 503 if down else 200
