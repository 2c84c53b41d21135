"""Work that need not finish inside the request, on a Redis queue (RQ) run by `make worker`.

``enqueue("app.mail:deliver_mail", to, subject, body)`` names a function marked ``@job``. With
``REDIS_URL`` set, the call goes to the queue: a worker runs it in its own app context and commits,
retries a failure with back-off (``JOB_RETRY_INTERVALS``), and keeps a job that still fails in RQ's
failed-job registry, where staff see it and can run it again (``/staff/jobs``). Without Redis the
function runs at once, inline, exactly as before there was a queue (``make run`` needs no worker).

``after_commit=True`` sends the job only when the current transaction commits (a rolled-back request
queues nothing); inline it simply runs now, inside that transaction.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("maeul.jobs")


def job(function: Callable) -> Callable:
    """Mark a module-level function as runnable by the worker (nothing else may be named in a job)."""
    setattr(function, "_maeul_job", True)  # noqa: B010  (a marker on a plain function)
    return function


def resolve(name: str) -> Callable:
    module_name, _, attribute = name.partition(":")
    if not module_name.startswith("app.") or not attribute:
        raise LookupError(f"not a job: {name}")
    function = getattr(importlib.import_module(module_name), attribute, None)
    if function is None or not getattr(function, "_maeul_job", False):
        raise LookupError(f"not a job: {name}")
    return function


def queue_configured() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def get_queue():
    from rq import Queue

    from app.ops.redis import redis_client

    config = current_app.config
    return Queue(config["JOB_QUEUE"], connection=redis_client(), default_timeout=config["JOB_TIMEOUT"])


def enqueue(name: str, *args, after_commit: bool = False, **kwargs) -> str | None:
    """Queue the job (or run it inline without Redis). Returns the RQ job id when queued now."""
    resolve(name)  # fail in the caller, not later in the worker, when the name is wrong
    if not queue_configured():
        resolve(name)(*args, **kwargs)
        return None
    if after_commit:
        from app.extensions import db

        db.session.info.setdefault("pending_jobs", []).append((name, args, kwargs))
        return None
    return _send(name, args, kwargs)


def _send(name: str, args: tuple, kwargs: dict) -> str:
    from rq import Retry

    from app.ops.logs import request_id

    config = current_app.config
    intervals = config["JOB_RETRY_INTERVALS"]
    queued = get_queue().enqueue(
        "app.jobs.runner.run", name, list(args), dict(kwargs),
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        failure_ttl=config["JOB_FAILURE_TTL"],
        result_ttl=3600, description=name, meta={"request_id": request_id()},
    )
    log.info("queued job %s", name, extra={"job_id": queued.id, "job": name})
    return queued.id


@event.listens_for(Session, "after_commit")
def _send_after_commit(session):
    for name, args, kwargs in session.info.pop("pending_jobs", []):
        _send(name, args, kwargs)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session):
    session.info.pop("pending_jobs", None)


def register(app: Flask) -> None:
    from app.jobs.cli import jobs_cli
    from app.jobs.routes import bp

    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
