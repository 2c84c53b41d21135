"""Phone number verification by a one-time code sent by text message.

``request_code`` makes a 6-digit code for a number and a purpose and sends it through the message provider
(the job queue with Redis, at once without). Limits: PHONE_CODE_PER_NUMBER_PER_HOUR codes per number and
PHONE_CODE_PER_IP_PER_HOUR per client address, counted in the database so that every worker sees them (the
routes add a per-address Flask-Limiter bucket on top). A code expires after PHONE_CODE_MAX_AGE seconds.

``verify_code`` checks a code and uses it up. Every try is counted first, in a transaction of its own that
commits at once, with one UPDATE whose WHERE re-checks the limit: parallel guesses cannot get more than
PHONE_CODE_MAX_ATTEMPTS tries, and a caller that rolls back its own work (the sign-up failed on another
field) cannot give the tries back. The code is then marked used in the caller's transaction by an UPDATE
that only succeeds while ``used_at`` is empty, so two requests racing with the right code succeed once;
when the caller rolls back, the code can be used again. Call it before the caller writes anything (on
SQLite a second connection cannot write while the first holds the write lock).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import audit
from app.auth.models import User
from app.channels.texts import TextMessage, send_text
from app.core import DomainError, utcnow
from app.extensions import db
from app.jobs import enqueue, job, queue_configured
from app.phones.models import PhoneCode, UserPhone
from app.phones.numbers import decrypt_phone, encrypt_phone, mask_phone, normalise_phone, phone_lookup
from app.sql import rowcount

WRONG_CODE = _l("The code is wrong or has expired. Check the latest text message, or ask for a new code.")
NO_MORE_TRIES = _l("Too many wrong codes. Ask for a new code.")


class TextNotSent(Exception):
    """The provider did not take a code's text message; the job queue tries again with back-off."""


def _code_hash(lookup: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"phone:{purpose}:{lookup}:{code}".encode(), hashlib.sha256).hexdigest()


def _count_since(column, value, since: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(PhoneCode).where(
        column == value, PhoneCode.created_at > since)) or 0


def request_code(phone: str, purpose: str, *, ip: str | None = None, send: bool = True,
                 now: datetime | None = None) -> PhoneCode:
    """Make a code for ``phone`` and ``purpose`` and text it (``send=False`` makes and counts it without
    texting: account recovery for a number no account has answers the same way). Raises DomainError:
    422 for a number that is not a mobile number or that the provider refuses, 429 past a limit, 503 when
    the provider is down and there is no job queue to try again later."""
    now = now or utcnow()
    number = normalise_phone(phone)
    lookup = phone_lookup(number)
    config = current_app.config
    hour_ago = now - timedelta(hours=1)
    if _count_since(PhoneCode.phone_lookup, lookup, hour_ago) >= config["PHONE_CODE_PER_NUMBER_PER_HOUR"]:
        raise DomainError(_l("Too many codes were sent to this number. Wait an hour and try again."),
                          field="phone", status=429)
    if ip and _count_since(PhoneCode.ip_address, ip, hour_ago) >= config["PHONE_CODE_PER_IP_PER_HOUR"]:
        raise DomainError(_l("Too many codes were asked for from this connection. Wait an hour and try again."),
                          field="phone", status=429)
    code = f"{secrets.randbelow(10**6):06d}"
    record = PhoneCode(phone_lookup=lookup, purpose=purpose[:60], code_hash=_code_hash(lookup, purpose, code),
                       ip_address=ip, created_at=now, attempts=0,
                       expires_at=now + timedelta(seconds=config["PHONE_CODE_MAX_AGE"]))
    db.session.add(record)
    db.session.flush()
    if send:
        minutes = max(1, config["PHONE_CODE_MAX_AGE"] // 60)
        text = _("[Maeul] Your confirmation code is %(code)s (valid %(minutes)s min). Never tell it to anyone.",
                 code=code, minutes=minutes)
        _send_code(number, text, code, minutes, f"phone-code-{record.id}")
    return record


def _send_code(number: str, text: str, code: str, minutes: int, reference: str) -> None:
    variables = {"code": code, "minutes": str(minutes)}
    if queue_configured():
        enqueue("app.phones.services:send_code_text", encrypt_phone(number), text, reference, variables,
                after_commit=True)
        return
    result = send_text(TextMessage(to=number, text=text, reference=reference, template_code="MAEUL_CODE",
                                   variables=variables))
    if result.outcome == "refused":
        current_app.logger.warning("Code text refused: %s %s", result.error_code, result.detail)
        raise DomainError(_l("This number cannot receive text messages. Check it and try again."),
                          field="phone", status=422)
    if result.outcome != "sent":
        current_app.logger.warning("Code text failed: %s %s", result.error_code, result.detail)
        raise DomainError(_l("Text messages cannot be sent right now. Try again in a few minutes."), status=503)


@job
def send_code_text(phone_encrypted: str, text: str, reference: str, variables: dict) -> str:
    """The queued send of a code. A failure raises, so the queue retries it with back-off (the same
    Idempotency-Key: the provider sends it once); a refusal is final and only logged."""
    result = send_text(TextMessage(to=decrypt_phone(phone_encrypted), text=text, reference=reference,
                                   template_code="MAEUL_CODE", variables=variables))
    if result.outcome == "failed":
        raise TextNotSent(f"{result.error_code}: {result.detail}")
    if result.outcome == "refused":
        current_app.logger.warning("Code text refused: %s %s", result.error_code, result.detail)
    return result.outcome


def _count_attempt(code_id: int) -> bool:
    """Count one try in a transaction of its own; False when the code has no tries left."""
    limit = current_app.config["PHONE_CODE_MAX_ATTEMPTS"]
    with db.engine.begin() as connection:
        result = connection.execute(update(PhoneCode.__table__).where(
            PhoneCode.__table__.c.id == code_id, PhoneCode.__table__.c.attempts < limit)
            .values(attempts=PhoneCode.__table__.c.attempts + 1))
        return rowcount(result) == 1


def verify_code(phone: str, purpose: str, code: str, *, now: datetime | None = None) -> str:
    """Check ``code`` for ``phone`` and ``purpose`` and use it up. Returns the normalised number
    ("01012345678"). Raises DomainError (field "code", 422; 429 once the tries are used up)."""
    now = now or utcnow()
    number = normalise_phone(phone)
    lookup = phone_lookup(number)
    record = db.session.scalar(select(PhoneCode).where(
        PhoneCode.phone_lookup == lookup, PhoneCode.purpose == purpose, PhoneCode.expires_at > now,
        PhoneCode.used_at.is_(None)).order_by(PhoneCode.id.desc()).limit(1))
    if record is None:
        raise DomainError(WRONG_CODE, field="code", status=422)
    if not _count_attempt(record.id):
        raise DomainError(NO_MORE_TRIES, field="code", status=429)
    typed = "".join((code or "").split())
    if not hmac.compare_digest(record.code_hash, _code_hash(lookup, purpose, typed)):
        raise DomainError(WRONG_CODE, field="code", status=422)
    used = rowcount(db.session.execute(
        update(PhoneCode).where(PhoneCode.id == record.id, PhoneCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)))
    if used != 1:
        raise DomainError(WRONG_CODE, field="code", status=422)
    return number


# --- the verified phone of an account -------------------------------------------------------------------

def user_phone(user: User) -> UserPhone | None:
    return db.session.get(UserPhone, user.id)


def phone_number(user: User) -> str | None:
    """The account's verified number in clear ("01012345678"), for sending it a text; None without one."""
    row = user_phone(user)
    return decrypt_phone(row.phone_encrypted) if row is not None else None


def masked_phone(user: User) -> str | None:
    number = phone_number(user)
    return mask_phone(number) if number else None


def find_user_by_phone(phone: str) -> User | None:
    """The active account whose verified number this is, or None (also for a number that is not valid)."""
    try:
        lookup = phone_lookup(normalise_phone(phone))
    except DomainError:
        return None
    return db.session.scalar(select(User).join(UserPhone, UserPhone.user_id == User.id)
                             .where(UserPhone.phone_lookup == lookup, User.active.is_(True)))


def attach_verified_phone(user: User, number: str, *, now: datetime | None = None) -> UserPhone:
    """Record ``number`` (already verified with ``verify_code``) as the account's phone, replacing the
    one it had. Refuses a number another account has verified (one account per number)."""
    lookup = phone_lookup(normalise_phone(number))
    other = db.session.scalar(select(UserPhone.user_id).where(UserPhone.phone_lookup == lookup,
                                                              UserPhone.user_id != user.id))
    if other is not None:
        raise DomainError(_l("This number is already verified on another account. Remove it there first, or "
                             "recover that account with the number."), field="phone", status=409)
    row = user_phone(user)
    if row is None:
        row = UserPhone(user_id=user.id)
        db.session.add(row)
    row.phone_encrypted = encrypt_phone(normalise_phone(number))
    row.phone_lookup = lookup
    row.verified_at = now or utcnow()
    db.session.flush()
    audit.record(user, "phone.verified", "user", user.id)
    return row


def set_user_phone(user: User, phone: str, code: str, *, purpose: str = "account") -> UserPhone:
    """Verify ``code`` (sent by ``request_code(phone, purpose)``) and make ``phone`` the account's number."""
    return attach_verified_phone(user, verify_code(phone, purpose, code))


def remove_user_phone(user: User) -> bool:
    row = user_phone(user)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record(user, "phone.removed", "user", user.id)
    return True


# --- account recovery by phone --------------------------------------------------------------------------

RECOVERY = "recovery"


def request_recovery_code(phone: str, *, ip: str | None = None) -> None:
    """Text a recovery code when an active account has this verified number. The answer is the same
    either way, and the limits count either way, so the form does not tell who has an account."""
    user = find_user_by_phone(normalise_phone(phone))
    request_code(phone, RECOVERY, ip=ip, send=user is not None)


def recover_with_phone(phone: str, code: str) -> str:
    """Use a recovery code; returns a password-reset token for the account (the reset page takes it)."""
    from app.auth.services import make_password_reset_token

    number = verify_code(phone, RECOVERY, code)
    user = find_user_by_phone(number)
    if user is None:
        raise DomainError(WRONG_CODE, field="code", status=422)
    audit.record(user, "phone.recovery", "user", user.id)
    return make_password_reset_token(user)


def prune_codes(now: datetime | None = None, keep_hours: int = 24) -> int:
    """Delete codes (and the client addresses kept with them) older than a day."""
    from sqlalchemy import delete

    cutoff = (now or utcnow()) - timedelta(hours=keep_hours)
    return rowcount(db.session.execute(delete(PhoneCode).where(PhoneCode.created_at < cutoff)))
