"""A job queue of this test's own on Redis database 13 (never flushed: other test processes share it)."""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import WORKER
from tests.factories import choices, make_comment, make_proposal  # noqa: F401  (tests/ops/test_page_cache.py)

REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except RedisConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    return client


@pytest.fixture
def queue_env(app, monkeypatch):
    """Point the app at Redis db 13 with a queue named for this test; returns the env a worker needs."""
    client = redis_or_skip()
    name = f"maeul-test-{WORKER}-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE", name)
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", [1, 1])
    yield {"REDIS_URL": REDIS_URL, "JOB_QUEUE": name, "JOB_RETRY_INTERVALS": "1,1"}
    from app.jobs import get_queue

    queue = get_queue()
    ids = set(queue.get_job_ids())
    for registry in (queue.failed_job_registry, queue.finished_job_registry, queue.scheduled_job_registry,
                     queue.started_job_registry, queue.deferred_job_registry, queue.canceled_job_registry):
        ids.update(registry.get_job_ids())
    for job_id in ids:
        client.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()
