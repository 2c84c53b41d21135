"""Korean mobile numbers: normalising what people type, masking for pages, the keyed lookup hash and
encryption at rest (the same Fernet keys as bank account numbers, app/ledger/crypto.py)."""
from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import DomainError
from app.ledger.crypto import decrypt_text, encrypt_text

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")


def normalise_phone(raw: str | None) -> str:
    """"010-1234-5678", "010 1234 5678" and "+82 10-1234-5678" all become "01012345678".
    Raises a DomainError (field "phone") for anything that is not a Korean mobile number."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    elif digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:].lstrip("0")
    if not _MOBILE.match(digits):
        raise DomainError(_l("Enter a mobile phone number such as 010-1234-5678."), field="phone", status=422)
    return digits


def format_phone(number: str) -> str:
    return f"{number[:3]}-{number[3:-4]}-{number[-4:]}"


def mask_phone(number: str) -> str:
    """What pages show: "010-****-5678"."""
    return f"{number[:3]}-{'*' * (len(number) - 7)}-{number[-4:]}"


def phone_lookup(number: str) -> str:
    """A keyed hash of a normalised number: equal numbers give equal values; it cannot be reversed
    without the key (unlike a plain hash of a 10^8-sized space)."""
    key = hashlib.sha256(b"maeul-phone-lookup:" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def encrypt_phone(number: str) -> str:
    return encrypt_text(number)


def decrypt_phone(token: str) -> str:
    return decrypt_text(token)


# What a number's encrypted text and lookup hash become when retention erases them (app/privacy/retention.py):
# not a Fernet token, not a 64-hex hash, so no lookup can match it and nothing tries to decrypt it.
ERASED_PHONE = "erased"


def is_erased(value: str | None) -> bool:
    return value == ERASED_PHONE
