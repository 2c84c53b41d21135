"""Encryption at rest for bank account numbers (Fernet: AES-128-CBC with an HMAC)."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from flask import current_app


def _fernet() -> Fernet:
    key = current_app.config.get("DATA_ENCRYPTION_KEY")
    if not key:
        # Development only: production must set DATA_ENCRYPTION_KEY so that rotating SECRET_KEY
        # (which logs everyone out) does not also make every stored account number unreadable.
        key = base64.urlsafe_b64encode(hashlib.sha256(current_app.config["SECRET_KEY"].encode()).digest())
    return Fernet(key)


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode("ascii")).decode()
