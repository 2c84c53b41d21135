"""Encryption at rest for bank account numbers (Fernet: AES-128-CBC with an HMAC).

``DATA_ENCRYPTION_KEY`` holds one Fernet key, or several separated by commas: the first encrypts,
every one decrypts (MultiFernet). To rotate: put a new key first, run ``flask ledger rotate-key``
(re-encrypts every stored number with the first key), then drop the old key."""
from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


def _keys(setting: str) -> list[str]:
    return [key.strip() for key in setting.split(",") if key.strip()]


def encryption_keys_problem(setting: str) -> str | None:
    """Why the setting is not a usable list of Fernet keys, or None."""
    keys = _keys(setting)
    if not keys:
        return "it is empty. Make one with: python -c \"from cryptography.fernet import Fernet; " \
               "print(Fernet.generate_key().decode())\""
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            return f"key {number} is not a Fernet key (urlsafe base64 of 32 bytes)"
    return None


def _fernet() -> MultiFernet:
    keys = _keys(current_app.config.get("DATA_ENCRYPTION_KEY") or "")
    if not keys:
        # Development only (production refuses to start without a key, app.refuse_unsafe_production_config).
        keys = [base64.urlsafe_b64encode(hashlib.sha256(current_app.config["SECRET_KEY"].encode()).digest()).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode("ascii")).decode()


def reencrypt_text(token: str) -> str:
    """The same plain text encrypted with the first (newest) key; raises InvalidToken when no key fits."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


__all__ = ["InvalidToken", "decrypt_text", "encrypt_text", "encryption_keys_problem", "reencrypt_text"]
