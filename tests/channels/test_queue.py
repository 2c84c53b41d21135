"""Deliveries through the real job queue (Redis database 13, `flask jobs worker --burst`): sent after the
commit by the worker, and a failure retried by the queue with back-off."""
from __future__ import annotations

from sqlalchemy import select

from app.channels.models import Delivery
from app.extensions import db
from app.jobs import get_queue
from app.notifications.services import notify
from tests.ops.conftest import queue_env  # noqa: F401  (the fixture)
from tests.serving import Worker


def _smtp_env(port: int) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_USE_TLS": "0", "MAIL_TIMEOUT": "2"}


def test_the_worker_sends_the_mail_after_the_commit(app, queue_env, smtp, resident, tmp_path):  # noqa: F811
    user = resident()
    notify([user.id], "comment_reply", "/proposals/7", name="김민수", title="가로등")
    assert get_queue().count == 0 and smtp.messages == []  # nothing before the commit, nothing in the request
    db.session.commit()
    assert get_queue().count == 1
    assert Worker(tmp_path, env={**queue_env, **_smtp_env(smtp.port)}, burst=True).wait() == 0
    [message] = smtp.to(user.email)
    assert "김민수" in message["Subject"]
    db.session.rollback()
    assert db.session.scalar(select(Delivery.status)) == "sent"


def test_a_failure_in_the_worker_is_retried_by_the_queue(app, queue_env, smtp_down, resident, tmp_path):  # noqa: F811
    user = resident()
    notify([user.id], "comment_reply", "/proposals/7", name="김민수", title="가로등")
    db.session.commit()
    port = app.config["MAIL_PORT"]
    worker = Worker(tmp_path, env={**queue_env, **_smtp_env(port)}, burst=True)
    assert worker.wait() == 0, worker.log()
    db.session.rollback()
    row = db.session.scalar(select(Delivery))
    # The batch tried once and queued the delivery's own job, which tried again and raised: the queue
    # holds it for its next try (JOB_RETRY_INTERVALS) and the delivery keeps both tries and the error.
    assert row.status == "pending" and row.attempts == 2 and "Connection" in row.last_error
    assert get_queue().scheduled_job_registry.count == 1
