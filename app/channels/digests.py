"""Daily and weekly digests: one message per resident and channel with the notifications of the period.

Periods are calendar days and weeks (Monday to Sunday) in Asia/Seoul; a run sends the period that ended
last (yesterday, last week). Each digest is a ``Delivery`` whose ``reference`` ("digest:daily:2026-11-26:
email:42") is unique, written with the run's own conflict check, so running the command twice, or two
machines running it at once, sends each digest once. Sending goes through the job queue like any delivery.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.channels.models import Channel, ChannelPreference, Delivery, DeliveryStatus
from app.channels.preferences import consent_granted_clause
from app.core import utcnow
from app.extensions import db
from app.jobs import enqueue, job
from app.notifications.kinds import render
from app.notifications.models import Notification
from app.urls import public_url

SEOUL = ZoneInfo("Asia/Seoul")
PERIODS = ("daily", "weekly")


def period_bounds(period: str, now: datetime | None = None) -> tuple[date, datetime, datetime]:
    """The last finished period before ``now``: (its first day, start, end) with start/end in naive UTC."""
    if period not in PERIODS:
        raise ValueError(period)
    local_today = (now or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(SEOUL).date()
    if period == "daily":
        first, days = local_today - timedelta(days=1), 1
    else:
        first, days = local_today - timedelta(days=local_today.weekday() + 7), 7

    def utc(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=SEOUL).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    return first, utc(first), utc(first + timedelta(days=days))


def _digest_kinds(user_id: int, channel: Channel, period: str) -> list[str]:
    return list(db.session.scalars(select(ChannelPreference.kind).where(
        ChannelPreference.user_id == user_id, ChannelPreference.channel == channel.value,
        ChannelPreference.frequency == period)))


def _notifications(user_id: int, kinds: list[str], start: datetime, end: datetime) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.kind.in_(kinds), Notification.created_at >= start,
        Notification.created_at < end).order_by(Notification.id)))


def digest_items(delivery: Delivery) -> list[tuple[str, str, object]]:
    """What a digest mail lists: the period's notifications of the kinds chosen for it, read now."""
    channel, period = Channel(delivery.channel), delivery.kind.removeprefix("digest_")
    start, end = datetime.fromisoformat(delivery.params["start"]), datetime.fromisoformat(delivery.params["end"])
    kinds = _digest_kinds(delivery.user_id, channel, period)
    return [(render(row.kind, row.params), public_url(row.url or "/notifications/"), row.created_at)
            for row in _notifications(delivery.user_id, kinds, start, end)]


def send_digests(period: str, now: datetime | None = None) -> dict:
    """Write (once) and queue the digests of the last finished period. Returns counts."""
    first, start, end = period_bounds(period, now)
    batch = secrets.token_hex(8)
    wanted = select(ChannelPreference.user_id, ChannelPreference.channel).join(
        User, User.id == ChannelPreference.user_id).where(
        ChannelPreference.frequency == period, User.active.is_(True), consent_granted_clause()).distinct()
    counts = {"written": 0, "already_sent": 0, "nothing_new": 0}
    for user_id, channel_value in db.session.execute(wanted).all():
        channel = Channel(channel_value)
        reference = f"digest:{period}:{first.isoformat()}:{channel.value}:{user_id}"
        if db.session.scalar(select(exists().where(Delivery.reference == reference))):
            counts["already_sent"] += 1
            continue
        kinds = _digest_kinds(user_id, channel, period)
        found = db.session.scalar(select(exists().where(and_(
            Notification.user_id == user_id, Notification.kind.in_(kinds), Notification.created_at >= start,
            Notification.created_at < end))))
        if not found:
            counts["nothing_new"] += 1
            continue
        count = len(_notifications(user_id, kinds, start, end))
        try:
            with db.session.begin_nested():  # another run wrote it meanwhile: the unique reference says so
                db.session.add(Delivery(user_id=user_id, channel=channel.value, kind=f"digest_{period}",
                                        params={"start": start.isoformat(), "end": end.isoformat(), "count": count},
                                        url="/notifications/", status=DeliveryStatus.PENDING.value, attempts=0,
                                        last_error="", batch=batch, reference=reference))
        except IntegrityError:
            counts["already_sent"] += 1
            continue
        counts["written"] += 1
    if counts["written"]:
        enqueue("app.channels.delivery:send_batch", batch, after_commit=True)
    return counts


@job
def run_digests(period: str) -> dict:
    """The digest as a scheduled job (e.g. RQ's scheduler or cron calling `flask notifications digest`)."""
    return send_digests(period)

