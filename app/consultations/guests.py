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

from flask import current_app, flash, redirect, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, update

from app.consultations.forms import GuestCodeForm, GuestEmailForm, GuestPhoneCodeForm, GuestPhoneForm
from app.consultations.models import GuestCode
from app.core import DomainError, utcnow
from app.extensions import db
from app.mail import send_mail
from app.phones.models import PhoneCode
from app.phones.numbers import decrypt_phone, encrypt_phone, mask_phone, normalise_phone, phone_lookup
from app.phones.services import request_code as request_phone
from app.phones.services import verify_code
from app.sql import rowcount
from app.web import run_service


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
    return bool(request.headers.get("Authorization")) or current_user.is_authenticated


def rate_limited(view):
    """Per client address, one bucket shared by every page and API endpoint that sends or checks a code.

    Requests from an account (a session or a bearer token) are not counted: many residents share one
    address at a community centre, and an account needs no code."""
    from app.extensions import limiter

    return limiter.shared_limit(_limit, scope="guest-code", methods=["POST", "PUT"], exempt_when=_signed_in)(view)


# --- the guest's state in the session, shared by consultations and surveys --------------------------------
#
# An email guest is kept as the address under "guest:<purpose>" (checked against its code on every use); a
# phone guest as the Fernet-encrypted number under "guest-phone:<purpose>" (the session cookie is signed, not
# encrypted), checked against the used phone code, so the confirmation lasts as long as that code would have.

def _email_key(purpose: str) -> str:
    return f"guest:{purpose}"


def _phone_key(purpose: str) -> str:
    return f"guest-phone:{purpose}"


def _guest_allowed() -> bool:
    return not current_user.is_authenticated


def confirmed_email(purpose: str) -> str | None:
    """The email address a guest confirmed with a code in this browser, while the code is still valid."""
    email = session.get(_email_key(purpose))
    if email and _guest_allowed() and is_confirmed(email, purpose):
        return email
    return None


def remember_email(purpose: str, email: str, *, sent: bool = False) -> None:
    session[_email_key(purpose) + (":sent" if sent else "")] = normalise_email(email)


def sent_email(purpose: str) -> str | None:
    return session.get(_email_key(purpose) + ":sent")


def phone_confirmed(number: str, purpose: str, now=None) -> bool:
    """Whether a code for ``number`` and ``purpose`` was used (confirmed) and has not expired yet."""
    now = now or utcnow()
    return db.session.scalar(select(PhoneCode.id).where(
        PhoneCode.phone_lookup == phone_lookup(number), PhoneCode.purpose == purpose[:60],
        PhoneCode.used_at.is_not(None), PhoneCode.expires_at > now).limit(1)) is not None


def _session_phone(key: str) -> str | None:
    token = session.get(key)
    if not token:
        return None
    try:
        return decrypt_phone(token)
    except Exception:  # a key rotated away or a tampered value: ask for a new code
        return None


def confirmed_phone(purpose: str) -> str | None:
    """The mobile number ("01012345678") a guest confirmed with a texted code in this browser, while valid."""
    number = _session_phone(_phone_key(purpose)) if _guest_allowed() else None
    if number and phone_confirmed(number, purpose):
        return number
    return None


def remember_phone(purpose: str, number: str, *, sent: bool = False) -> None:
    session[_phone_key(purpose) + (":sent" if sent else "")] = encrypt_phone(number)


def sent_phone(purpose: str) -> str | None:
    return _session_phone(_phone_key(purpose) + ":sent")


NOT_CONFIRMED = _l("Confirm your email address or mobile phone with a code first, or log in.")


def guest_columns(purpose: str, email: str | None, phone: str | None, now=None) -> dict:
    """The respondent columns of a guest's row: the confirmed email address, or the confirmed number as
    encrypted text and keyed hash. Raises DomainError 403 when neither is confirmed."""
    now = now or utcnow()
    email = normalise_email(email or "")
    if email and is_confirmed(email, purpose, now):
        return {"guest_email": email}
    if phone:
        number = normalise_phone(phone)
        if phone_confirmed(number, purpose, now):
            return {"guest_phone_encrypted": encrypt_phone(number), "guest_phone_lookup": phone_lookup(number)}
    raise DomainError(NOT_CONFIRMED, field="email", status=403)


# --- the page steps, shared by the consultation and survey pages ---------------------------------------------
#
# A guest asks for a code by email or text message, then confirms it, on the page where the opinion or the
# answers are written. Each step re-renders that page with its form kept when the input or the code is refused,
# else flashes and goes back. What differs between domains (an audience check, the message once confirmed,
# where to go back) is given by the caller.

CODE_MAILED = _l("We sent a 6-digit code to your email address. Enter it below.")
CODE_TEXTED = _l("We sent a 6-digit code to your mobile phone. Enter it below.")


def confirmed_guest(purpose: str) -> tuple[str | None, str | None]:
    """(email, number) this browser confirmed for ``purpose``; the number only when no address is confirmed
    (the address answers first). Both None for a signed-in user."""
    email = confirmed_email(purpose)
    return email, None if email else confirmed_phone(purpose)


def page_context(purpose: str, email: str | None, phone: str | None, *, email_form=None, code_form=None,
                 phone_form=None, phone_code_form=None) -> dict:
    """What a page with the guest forms needs: the confirmed guest (the number masked) and the four forms, a
    refused one kept with its input, the code forms filled with the address or number a code was sent to."""
    return {
        "guest_email": email, "guest_phone": mask_phone(phone) if phone else None,
        "email_form": email_form or GuestEmailForm(),
        "code_form": code_form or GuestCodeForm(email=sent_email(purpose)),
        "phone_form": phone_form or GuestPhoneForm(),
        "phone_code_form": phone_code_form or GuestPhoneCodeForm(phone=sent_phone(purpose)),
    }


class GuestSteps:
    """The four page steps for one ``purpose``. ``page(**forms, status=...)`` re-renders the domain's page with
    a refused form under its keyword (email_form, code_form, phone_form, phone_code_form); ``back`` is where
    a step that went through redirects to."""

    def __init__(self, purpose: str, *, page, back: str):
        self.purpose, self.page, self.back = purpose, page, back

    def send_email_code(self, title: str, *, refusal_on_page: bool = True):
        """Mail a code (the address kept in the session). A refusal (too many codes) is put beside the field
        and the page re-rendered with 429, or, with ``refusal_on_page=False``, flashed before going back."""
        form = GuestEmailForm()
        if not form.validate_on_submit():
            return self.page(email_form=form, status=422)
        if run_service(lambda: request_code(form.email.data, self.purpose, title), CODE_MAILED,
                       form=form if refusal_on_page else None):
            remember_email(self.purpose, form.email.data, sent=True)
        elif refusal_on_page:
            return self.page(email_form=form, status=429)
        return redirect(self.back)

    def confirm_email(self, confirmed_message):
        """Check the mailed code; a wrong one counts as an attempt (committed) and is refused with 422."""
        form = GuestCodeForm()
        if not form.validate_on_submit():
            return self.page(code_form=form, status=422)
        confirmed = check_code(form.email.data, self.purpose, form.code.data)
        db.session.commit()  # the attempt counts even when the code is wrong
        if not confirmed:
            form.code.errors = [str(WRONG_CODE)]
            return self.page(code_form=form, status=422)
        remember_email(self.purpose, form.email.data)
        return self._done(confirmed_message)

    def send_phone_code(self):
        """Text a code to the number (kept in the session); a refusal re-renders the page with its status."""
        form = GuestPhoneForm()

        def action():
            request_phone(form.phone.data, self.purpose, ip=request.remote_addr)
            return normalise_phone(form.phone.data)

        return self._phone_step(form, "phone_form", action, sent=True, message=CODE_TEXTED)

    def confirm_phone(self, confirmed_message):
        """Check the texted code and use it up: 422 wrong or expired, 429 no tries left."""
        form = GuestPhoneCodeForm()
        return self._phone_step(form, "phone_code_form",
                                lambda: verify_code(form.phone.data, self.purpose, form.code.data), sent=False,
                                message=confirmed_message)

    def _phone_step(self, form, name: str, action, *, sent: bool, message):
        if not form.validate_on_submit():
            return self.page(**{name: form}, status=422)
        try:
            number = action()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            if error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, str(error.message)]
            else:
                flash(str(error.message), "error")
            return self.page(**{name: form}, status=error.status)
        remember_phone(self.purpose, number, sent=sent)
        return self._done(message)

    def _done(self, message):
        flash(str(message), "success")
        return redirect(self.back)
