"""The optional verified phone of a sign-up (page and API): checked before anything is written."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import DomainError
from app.phones.services import verify_code

SIGNUP = "signup"


def signup_phone(phone: str | None, code: str | None) -> str | None:
    """The verified number ("01012345678"), or None when the sign-up gives no phone. Raises DomainError on
    the ``phone`` or ``phone_code`` field."""
    phone, code = (phone or "").strip(), (code or "").strip()
    if not phone and not code:
        return None
    if not phone:
        raise DomainError(_l("Enter the number the code was sent to."), field="phone", status=422)
    if not code:
        raise DomainError(_l("Enter the 6-digit code from the text message."), field="phone_code", status=422)
    try:
        return verify_code(phone, SIGNUP, code)
    except DomainError as error:
        if error.field == "code":
            error.field = "phone_code"
        raise
