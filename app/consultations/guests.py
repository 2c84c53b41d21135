"""Confirmation codes for people without an account: mailed through the outbox/SMTP sender, rate limited,
expiring, wrong attempts counted. Surveys open to everyone use the same codes (purpose "survey:<id>").

Only an HMAC of the code is stored. A wrong code increments ``attempts`` with one UPDATE whose WHERE re-checks
the limit, so parallel guesses cannot get more tries than GUEST_CODE_MAX_ATTEMPTS; the caller commits that
count even when it refuses the request.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.consultations.models import GuestCode
from app.core import DomainError, utcnow
from app.extensions import db
from app.mail import send_mail
from app.sql import rowcount


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _hash(email: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{email}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(email: str, purpose: str, title: str, now=None) -> GuestCode:
    """Create a 6-digit code for ``email`` and mail it; refuses after GUEST_CODE_PER_EMAIL_PER_HOUR codes."""
    now = now or utcnow()
    email = normalise_email(email)
    config = current_app.config
    recent = db.session.scalar(select(func.count()).select_from(GuestCode).where(
        GuestCode.email == email, GuestCode.created_at > now - timedelta(hours=1)))
    if recent >= config["GUEST_CODE_PER_EMAIL_PER_HOUR"]:
        raise DomainError(_l("Too many codes were sent to this address. Wait an hour and try again."),
                          field="email", status=429)
    code = f"{secrets.randbelow(10**6):06d}"
    record = GuestCode(email=email, purpose=purpose, code_hash=_hash(email, purpose, code), created_at=now,
                       expires_at=now + timedelta(seconds=config["GUEST_CODE_MAX_AGE"]), attempts=0)
    db.session.add(record)
    db.session.flush()
    minutes = max(1, config["GUEST_CODE_MAX_AGE"] // 60)
    send_mail(email, _("Your Maeul confirmation code: %(code)s", code=code),
              _("Your confirmation code for “%(title)s” is %(code)s.\n\nIt is valid for %(minutes)s minutes. "
                "If you did not ask for it, ignore this message.", title=title, code=code, minutes=minutes))
    return record


def _latest(email: str, purpose: str, now) -> GuestCode | None:
    return db.session.scalar(select(GuestCode).where(
        GuestCode.email == email, GuestCode.purpose == purpose, GuestCode.expires_at > now)
        .order_by(GuestCode.id.desc()).limit(1))


def check_code(email: str, purpose: str, code: str, now=None) -> bool:
    """True and confirmed when ``code`` is right; otherwise counts the attempt (the caller commits it)."""
    now = now or utcnow()
    email = normalise_email(email)
    record = _latest(email, purpose, now)
    if record is None:
        return False
    if record.confirmed_at is not None and hmac.compare_digest(record.code_hash, _hash(email, purpose,
                                                                                        (code or "").strip())):
        return True
    limit = current_app.config["GUEST_CODE_MAX_ATTEMPTS"]
    counted = rowcount(db.session.execute(
        update(GuestCode).where(GuestCode.id == record.id, GuestCode.attempts < limit)
        .values(attempts=GuestCode.attempts + 1).execution_options(synchronize_session=False)))
    if counted != 1:
        return False  # out of attempts: ask for a new code
    if not hmac.compare_digest(record.code_hash, _hash(email, purpose, (code or "").strip())):
        return False
    record.confirmed_at = now
    db.session.flush()
    return True


def is_confirmed(email: str, purpose: str, now=None) -> bool:
    """Whether a code for ``email`` was confirmed and has not expired yet (the page keeps the email in the session)."""
    now = now or utcnow()
    record = _latest(normalise_email(email), purpose, now)
    return record is not None and record.confirmed_at is not None


WRONG_CODE = _l("The code is wrong or has expired. Check the latest email, or ask for a new code.")


def _limit() -> str:
    return current_app.config["GUEST_CODE_RATELIMIT"]


def _signed_in() -> bool:
    from flask import request
    from flask_login import current_user

    return bool(request.headers.get("Authorization")) or current_user.is_authenticated


def rate_limited(view):
    """Per client address, one bucket shared by every page and API endpoint that sends or checks a code.

    Requests from an account (a session or a bearer token) are not counted: many residents share one
    address at a community centre, and an account needs no code."""
    from app.extensions import limiter

    return limiter.shared_limit(_limit, scope="guest-code", methods=["POST", "PUT"], exempt_when=_signed_in)(view)
