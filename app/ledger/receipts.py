"""Receipt files for expense claims: checked by content, stored under random names outside static/."""
from __future__ import annotations

import contextlib
import os
import secrets

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import DomainError
from app.extensions import db

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
ALLOWED_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "application/pdf": ".pdf"}


def receipt_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], "receipts")


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
    """Write the file under a random name and return that name; a rollback of the claim deletes it again."""
    name = secrets.token_hex(16) + ALLOWED_TYPES[mime]
    os.makedirs(receipt_dir(), exist_ok=True)
    path = os.path.join(receipt_dir(), name)
    with open(path, "xb") as handle:
        handle.write(content)
    db.session.info.setdefault("unsaved_receipts", []).append(path)
    return name


def receipt_path(name: str) -> str:
    return os.path.join(receipt_dir(), os.path.basename(name))


@event.listens_for(Session, "after_commit")
def _keep_committed_receipts(session):
    session.info.pop("unsaved_receipts", None)


@event.listens_for(Session, "after_rollback")
def _delete_receipts_of_rolled_back_claims(session):
    for path in session.info.pop("unsaved_receipts", []):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
