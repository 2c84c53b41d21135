"""Failed jobs, for staff: list them and run one again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app import audit
from app.core import DomainError


@dataclass
class FailedJob:
    id: str
    name: str
    failed_at: datetime | None
    enqueued_at: datetime | None
    error: str
    request_id: str | None


def _registry():
    from rq.registry import FailedJobRegistry

    from app.jobs import get_queue

    queue = get_queue()
    return queue, FailedJobRegistry(queue=queue)


def _naive(moment):
    return moment.replace(tzinfo=None) if moment is not None and moment.tzinfo else moment


@dataclass
class FailedPage:
    """One page of failed jobs, shaped like Flask-SQLAlchemy's Pagination for the shared pagination macro."""

    items: list[FailedJob]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, **_):
        return iter(range(1, self.pages + 1))


def failed_jobs(page: int, per_page: int = 20) -> FailedPage:
    """Newest failures first."""
    from rq.job import Job

    queue, registry = _registry()
    total = registry.count
    start = (page - 1) * per_page
    ids = registry.get_job_ids(start, start + per_page - 1, desc=True)
    jobs = []
    for found in Job.fetch_many(ids, connection=queue.connection):
        if found is None:
            continue
        result = found.latest_result()
        error = (result.exc_string if result is not None else "") or ""
        lines = [line for line in error.strip().splitlines() if line.strip()]
        jobs.append(FailedJob(id=found.id, name=found.description or found.func_name, failed_at=_naive(found.ended_at),
                              enqueued_at=_naive(found.enqueued_at), error=lines[-1] if lines else "",
                              request_id=found.meta.get("request_id")))
    return FailedPage(items=jobs, page=page, per_page=per_page, total=total)


def retry_failed_job(job_id: str, actor) -> None:
    """Put a failed job back on the queue (it keeps its retries with back-off)."""
    queue, registry = _registry()
    if job_id not in registry.get_job_ids():
        raise DomainError(_l("This job is not among the failed jobs any more."), status=404)
    registry.requeue(job_id)
    audit.record(actor, "job.retry", "job", None, job_id=job_id)
