"""A guest without an account over the API, shared by consultations and surveys: ask for a code by email or
text message, then send it with the opinion or the answers. The codes themselves are app.consultations.guests;
what differs between the domains (a survey's audience, when a consultation accepts opinions) stays with the
endpoint, which calls these after its own checks."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api.auth import api_user
from app.api.helpers import validate
from app.consultations.forms import GuestEmailForm
from app.consultations.guests import WRONG_CODE, check_code, request_code
from app.core import DomainError
from app.extensions import db
from app.phones.services import WRONG_CODE as PHONE_WRONG_CODE
from app.phones.services import request_code as request_phone
from app.phones.services import verify_code

EMAIL_CODE_BODY = {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}
PHONE_CODE_BODY = {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}}


def _sent():
    return jsonify({"sent": True}), 202


def send_email_code(payload: dict, purpose: str, title: str):
    """guest-code: mail a 6-digit code to ``email`` (422 for an address that is not one, 429 past the limit);
    202 once sent."""
    form = validate(GuestEmailForm, payload)
    request_code(form.email.data, purpose, title)
    db.session.commit()
    return _sent()


def send_phone_code(payload, purpose: str):
    """guest-phone-code: text a code to ``phone`` (422 for a number that is not a mobile one, 429 past a
    limit); 202 once sent."""
    phone = payload.get("phone") if isinstance(payload, dict) else None
    if not isinstance(phone, str) or not phone.strip():
        raise DomainError(_l("Enter your mobile phone number."), field="phone", status=422)
    request_phone(phone, purpose, ip=request.remote_addr)
    db.session.commit()
    return _sent()


def user_or_guest():
    """The token's user, or None for a guest; a token that is sent but not good is 401, never a guest."""
    if request.headers.get("Authorization") and api_user() is None:
        abort(401)
    return api_user()


def confirmed_guest(payload: dict, purpose: str) -> tuple[str | None, str | None]:
    """(email, phone) of an API guest: ``email`` with the mailed ``code`` (checked, the attempt committed;
    403 when wrong), or ``guest_phone`` with the texted ``code``, which is used up by this request (422 wrong
    or expired, 429 no tries left; the number is confirmed for the rest of the transaction)."""
    email, phone, code = payload.get("email"), payload.get("guest_phone"), payload.get("code")
    if isinstance(phone, str) and phone.strip() and email is None:
        if not isinstance(code, str):
            raise DomainError(PHONE_WRONG_CODE, field="code", status=422)
        return None, verify_code(phone, purpose, code)
    if not isinstance(email, str) or not isinstance(code, str):
        raise DomainError(WRONG_CODE, status=403)
    confirmed = check_code(email, purpose, code)
    db.session.commit()  # the attempt counts even when refused
    if not confirmed:
        raise DomainError(WRONG_CODE, status=403)
    return email, None
