"""Receipt files for expense claims: checked by content, stored under random names (app/storage.py)."""
from __future__ import annotations

import os
import secrets

import filetype
from flask_babel import lazy_gettext as _l

from app.core import DomainError
from app.storage import storage

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
ALLOWED_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "application/pdf": ".pdf"}


def check_receipt(upload) -> tuple[bytes, str]:
    """Read an uploaded file and return (content, mime type), refusing anything but a small image or PDF."""
    if upload is None or not getattr(upload, "filename", ""):
        raise DomainError(_l("Attach a photo or PDF of the receipt."), field="receipt", status=422)
    content = upload.stream.read(MAX_RECEIPT_BYTES + 1)
    if len(content) > MAX_RECEIPT_BYTES:
        raise DomainError(_l("The receipt may be at most 5 MB."), field="receipt", status=422)
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise DomainError(_l("The receipt must be a PNG, JPEG or WebP image or a PDF."), field="receipt", status=422)
    return content, kind.mime


def save_receipt(content: bytes, mime: str) -> str:
    """Store the file under a random name and return that name; a rollback of the claim removes it again."""
    name = secrets.token_hex(16) + ALLOWED_TYPES[mime]
    storage().save(storage_key(name), content, mime)
    return name


def storage_key(name: str) -> str:
    return "receipts/" + os.path.basename(name)


def send_receipt(allowance, *, as_attachment: bool):
    """The receipt of an expense claim as a response (404 when the file is gone)."""
    extension = ALLOWED_TYPES[allowance.receipt_type]
    return storage().send(storage_key(allowance.receipt_file), mimetype=allowance.receipt_type,
                          as_attachment=as_attachment, download_name=f"receipt-{allowance.id}{extension}", max_age=0)
