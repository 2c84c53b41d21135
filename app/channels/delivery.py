"""Sending notifications by mail and text: written with the notification, sent by the job queue after it.

``dispatch`` runs inside the transaction of the action that notifies (app/notifications/services.py): one
INSERT ... SELECT per channel writes a ``Delivery`` for every recipient who has the notification consent, a
way to be reached (a verified phone for texts) and "at once" for this kind, and one job is queued for the
batch after the commit. Without Redis the job runs inline, but nothing it does can fail the action: every
outcome is written on the delivery.

A send that fails (SMTP or provider down, 4xx from SMTP, 5xx or time-out from the provider) is tried again
with back-off, JOB_RETRY_INTERVALS apart: by the queue (the ``deliver`` job raises, and RQ schedules the
next try), or without a queue by ``flask notifications retry`` (run it every minute from cron), which sends
the deliveries whose ``next_attempt_at`` has come. After the last interval a delivery is "failed" and stays
on /staff/deliveries, where staff can send it again. A refusal (no such mailbox, a number the provider will
never reach) is final at once.
"""
from __future__ import annotations

import secrets
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, exists, func, insert, literal, select

from app.auth.models import ConsentItem, User
from app.auth.services import has_consent
from app.channels.models import Channel, Delivery, DeliveryStatus, Frequency
from app.channels.preferences import consent_granted_clause, frequency_expression
from app.channels.texts import TextMessage, TextResult, send_text
from app.core import utcnow
from app.extensions import db
from app.jobs import enqueue, job, queue_configured
from app.mail import transmit
from app.sql import rowcount


class DeliveryNotYetSent(Exception):
    """Raised by the queued job after a failed try, so that the queue tries again after its interval."""


def dispatch(user_ids: Select, kind: str, url: str, params: dict) -> int:
    """Write the deliveries of one notification for the users ``user_ids`` selects (one column of ids) and
    queue their sending after the commit. Returns how many were written."""
    from app.phones.models import UserPhone

    batch = secrets.token_hex(8)
    now = utcnow()
    recipients = user_ids.subquery()
    written = 0
    for channel in Channel:
        where = [User.id.in_(select(list(recipients.c)[0])), User.active.is_(True), consent_granted_clause(),
                 frequency_expression(kind, channel) == Frequency.IMMEDIATE.value]
        if channel is Channel.TEXT:
            where.append(exists().where(UserPhone.user_id == User.id))
        source = select(User.id, literal(channel.value), literal(kind),
                        literal(params, type_=Delivery.__table__.c.params.type), literal(url or ""),
                        literal(DeliveryStatus.PENDING.value), literal(0), literal(""), literal(batch),
                        literal(now, type_=Delivery.__table__.c.created_at.type)).where(*where)
        written += rowcount(db.session.execute(insert(Delivery).from_select(
            ["user_id", "channel", "kind", "params", "url", "status", "attempts", "last_error", "batch",
             "created_at"], source)))
    if written:
        enqueue("app.channels.delivery:send_batch", batch, after_commit=True)
    return written


@job
def send_batch(batch: str) -> dict:
    """Send every pending delivery of a batch once; failures are tried again later (see the module)."""
    counts: dict[str, int] = {}
    deliveries = db.session.scalars(select(Delivery).where(Delivery.batch == batch,
                                                           Delivery.status == DeliveryStatus.PENDING.value)
                                    .order_by(Delivery.id)).all()
    for delivery in deliveries:
        outcome = attempt(delivery)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == DeliveryStatus.PENDING.value and queue_configured():
            enqueue("app.channels.delivery:deliver", delivery.id, after_commit=True)
    return counts


@job
def deliver(delivery_id: int) -> str:
    """One more try of one delivery (the queue's retries). Raises while it is still to be tried again."""
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING.value:
        return "gone"
    outcome = attempt(delivery)
    if outcome == DeliveryStatus.PENDING.value:
        db.session.commit()  # keep the count and the error: the queue rolls back after a raise
        raise DeliveryNotYetSent(f"delivery {delivery_id}: {delivery.last_error}")
    return outcome


def _sent_today(delivery: Delivery, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.user_id == delivery.user_id, Delivery.channel == delivery.channel,
        Delivery.status == DeliveryStatus.SENT.value, Delivery.created_at > now - timedelta(days=1),
        Delivery.kind.notin_(["digest_daily", "digest_weekly"]))) or 0


def _why_not(delivery: Delivery, now: datetime) -> str | None:
    from app.phones.services import user_phone

    user = delivery.user
    if not user.active:
        return "account closed"
    if not has_consent(user, ConsentItem.NOTIFICATIONS):
        return "no notification consent"
    if delivery.channel == Channel.TEXT.value and user_phone(user) is None:
        return "no verified phone"
    if not delivery.kind.startswith("digest_"):
        limit = current_app.config["NOTIFY_MAILS_PER_DAY" if delivery.channel == Channel.EMAIL.value
                                   else "NOTIFY_TEXTS_PER_DAY"]
        if _sent_today(delivery, now) >= limit:
            return "daily limit reached"
    return None


def _send(delivery: Delivery) -> TextResult:
    from app.channels import messages
    from app.phones.services import phone_number

    user = delivery.user
    reference = f"delivery-{delivery.id}"
    if delivery.channel == Channel.TEXT.value:
        if delivery.kind.startswith("digest_"):
            text = messages.digest_text(user, delivery.kind.removeprefix("digest_"), delivery.params.get("count", 0))
        else:
            text = messages.notification_text(user, delivery.kind, delivery.params, delivery.url)
        return send_text(TextMessage(to=phone_number(user) or "", text=text, reference=reference,
                                     template_code=f"MAEUL_{delivery.kind.upper()}"[:30],
                                     variables={key: str(value) for key, value in delivery.params.items()}))
    if delivery.kind.startswith("digest_"):
        from app.channels.digests import digest_items

        message = messages.digest_mail(user, delivery.kind.removeprefix("digest_"), digest_items(delivery), reference)
    else:
        message = messages.notification_mail(user, delivery.kind, delivery.params, delivery.url, reference)
    return send_email(message)


def send_email(message) -> TextResult:
    """Hand the message to SMTP (or the outbox): ``refused`` when the server says no for good (5xx),
    ``failed`` when it is down, slow or says "try later" (4xx)."""
    try:
        transmit(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        final = bool(codes) and all(500 <= code < 600 for code in codes)
        detail = "; ".join(f"{code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
                           for code, reason in error.recipients.values())
        return TextResult("refused" if final else "failed", error_code=f"SMTP_{codes[0] if codes else 0}",
                          detail=detail[:200])
    except smtplib.SMTPResponseException as error:
        message_text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(
            error.smtp_error)
        return TextResult("refused" if 500 <= error.smtp_code < 600 else "failed",
                          error_code=f"SMTP_{error.smtp_code}", detail=message_text[:200])
    except (smtplib.SMTPException, OSError) as error:
        return TextResult("failed", error_code=type(error).__name__, detail=str(error)[:200])
    return TextResult("sent", message_id=str(message["Message-ID"])[:100])


def attempt(delivery: Delivery, now: datetime | None = None) -> str:
    """Try one delivery now and write the outcome on it. Returns its status afterwards."""
    now = now or utcnow()
    reason = _why_not(delivery, now)
    if reason is not None:
        delivery.status, delivery.last_error = DeliveryStatus.SKIPPED.value, reason
        return delivery.status
    try:
        result = _send(delivery)
    except Exception as error:  # noqa: BLE001 — a bug or a bad template must not fail the action; staff see it
        current_app.logger.exception("delivery %s could not be built", delivery.id)
        result = TextResult("failed", error_code=type(error).__name__, detail=str(error)[:200])
    delivery.attempts += 1
    if result.sent:
        delivery.status, delivery.sent_at, delivery.message_id = DeliveryStatus.SENT.value, now, result.message_id
        delivery.next_attempt_at, delivery.last_error = None, ""
        return delivery.status
    delivery.last_error = f"{result.error_code}: {result.detail}"[:300]
    intervals = current_app.config["JOB_RETRY_INTERVALS"]
    if result.outcome == "refused":
        delivery.status, delivery.next_attempt_at = DeliveryStatus.REFUSED.value, None
    elif delivery.attempts > len(intervals):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED.value, None
        current_app.logger.warning("delivery %s failed after %s tries: %s", delivery.id, delivery.attempts,
                                   delivery.last_error)
    else:
        delivery.next_attempt_at = now + timedelta(seconds=intervals[delivery.attempts - 1])
    return delivery.status


def retry_due(now: datetime | None = None, limit: int = 500) -> dict:
    """Without a job queue: try again the deliveries whose back-off has passed (`flask notifications retry`)."""
    now = now or utcnow()
    due = db.session.scalars(select(Delivery).where(
        Delivery.status == DeliveryStatus.PENDING.value, Delivery.next_attempt_at.is_not(None),
        Delivery.next_attempt_at <= now).order_by(Delivery.next_attempt_at).limit(limit)).all()
    counts: dict[str, int] = {}
    for delivery in due:
        outcome = attempt(delivery, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def send_again(delivery: Delivery, actor) -> str:
    """Staff: give a failed or refused delivery a fresh start and send it now."""
    from flask_babel import lazy_gettext as _l

    from app import audit
    from app.core import DomainError

    if delivery.status not in (DeliveryStatus.FAILED.value, DeliveryStatus.REFUSED.value):
        raise DomainError(_l("Only a failed or refused message can be sent again."))
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING.value, 0, None
    audit.record(actor, "delivery.retry", "delivery", delivery.id)
    outcome = attempt(delivery)
    if outcome == DeliveryStatus.PENDING.value and queue_configured():
        enqueue("app.channels.delivery:deliver", delivery.id, after_commit=True)
    return outcome


def failed_deliveries(page: int, per_page: int = 30, status: str | None = None):
    statuses = [status] if status else [DeliveryStatus.FAILED.value, DeliveryStatus.REFUSED.value,
                                        DeliveryStatus.PENDING.value]
    from sqlalchemy.orm import selectinload

    return db.paginate(select(Delivery).where(Delivery.status.in_(statuses)).options(selectinload(Delivery.user))
                       .order_by(Delivery.id.desc()),
                       page=page, per_page=per_page, error_out=False)

