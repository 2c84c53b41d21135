"""Creating and reading notifications. Fan-out is set-based: one INSERT for any number of users."""
from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import Select, func, insert, literal, select, update

from app.auth.models import User
from app.core import utcnow
from app.extensions import db
from app.jobs import enqueue, job, queue_configured
from app.notifications.models import Notification
from app.sql import rowcount


def notify(user_ids: Iterable[int], kind: str, url: str = "", **params) -> int:
    """Notify the given users (duplicates removed). Returns how many rows were written."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    now = utcnow()
    db.session.execute(
        insert(Notification),
        [{"user_id": uid, "kind": kind, "params": params, "url": url, "created_at": now} for uid in ids],
    )
    _to_channels(select(User.id).where(User.id.in_(ids)), kind, url, params)
    return len(ids)


def _to_channels(user_id_query: Select, kind: str, url: str, params: dict) -> None:
    """Mail and text messages for those who asked for this kind (app/channels), sent after the commit."""
    from app.channels.delivery import dispatch

    dispatch(user_id_query, kind, url, params)


@job
def notify_later(user_ids: list[int], kind: str, url: str, params: dict) -> int:
    """The job behind a large fan-out: the same rows, written by the worker in chunks."""
    for start in range(0, len(user_ids), 5000):
        notify(user_ids[start:start + 5000], kind, url, **params)
    return len(user_ids)


def notify_selected(user_id_query: Select, kind: str, url: str = "", **params) -> int:
    """Notify every user id that ``user_id_query`` selects, with one INSERT ... SELECT.

    The query must select a single column of distinct user ids. With a job queue, an audience larger
    than NOTIFY_INLINE_LIMIT is written by the worker once this transaction commits."""
    if queue_configured():
        limit = current_app.config["NOTIFY_INLINE_LIMIT"]
        ids = list(db.session.scalars(user_id_query))
        if len(ids) > limit:
            enqueue("app.notifications.services:notify_later", ids, kind, url, params, after_commit=True)
            return len(ids)
        return notify(ids, kind, url, **params)
    now = utcnow()
    subquery = user_id_query.subquery()
    user_id_column = list(subquery.c)[0]
    source = select(
        user_id_column,
        literal(kind),
        literal(params, type_=Notification.__table__.c.params.type),
        literal(url),
        literal(now, type_=Notification.__table__.c.created_at.type),
    )
    result = db.session.execute(
        insert(Notification).from_select(["user_id", "kind", "params", "url", "created_at"], source)
    )
    _to_channels(user_id_query, kind, url, params)
    return rowcount(result)


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def notifications_for(user_id: int, page: int, per_page: int = 20):
    return db.paginate(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def mark_read(user_id: int, ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications (or all of them) read for this user."""
    statement = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    return rowcount(db.session.execute(statement.values(read_at=utcnow())))
