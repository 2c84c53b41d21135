"""The one optional file of a progress update: checked by content and size, stored under a random name."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import DomainError
from app.storage import storage

# Detected content type -> the extension the stored file gets. The uploaded name's extension is not trusted.
ALLOWED_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


@dataclass
class Attachment:
    name: str  # the uploader's file name, shown and offered on download
    key: str  # random stored name
    mime: str
    size: int
    content: bytes


def max_bytes() -> int:
    return current_app.config["POLICY_ATTACHMENT_MAX_BYTES"]


PDF_ONLY = {"application/pdf": "pdf"}


def check_upload(file_storage, *, allowed: dict[str, str] | None = None, field: str = "attachment",
                 limit: int | None = None) -> Attachment | None:
    """Read and check an uploaded file; None when nothing was uploaded. Raises DomainError when refused.

    ``allowed`` narrows the accepted content types (other domains pass ``PDF_ONLY``) and ``field`` names
    the form field the error belongs to."""
    if file_storage is None or not getattr(file_storage, "filename", ""):
        return None
    allowed = allowed or ALLOWED_TYPES
    limit = limit or max_bytes()
    try:
        content = file_storage.stream.read(limit + 1)
    finally:
        file_storage.close()  # large uploads are spooled to a temporary file; everything needed is read
    if len(content) > limit:
        raise DomainError(_l("The file is too large: at most %(megabytes)s MB.", megabytes=limit // (1024 * 1024)),
                          field=field, status=422)
    if not content:
        raise DomainError(_l("The file is empty."), field=field, status=422)
    kind = filetype.guess(content)
    if kind is None or kind.mime not in allowed:
        if allowed is PDF_ONLY:
            raise DomainError(_l("Attach a PDF document."), field=field, status=422)
        raise DomainError(_l("Attach a PNG, JPEG or WebP image or a PDF document."), field=field, status=422)
    name = os.path.basename(file_storage.filename.replace("\\", "/")).strip()[:200] or "attachment"
    stem, _ = os.path.splitext(name)
    key = f"{secrets.token_hex(16)}.{allowed[kind.mime]}"
    return Attachment(name=f"{stem or 'attachment'}.{allowed[kind.mime]}", key=key, mime=kind.mime,
                      size=len(content), content=content)


def storage_key(key: str, area: str = "policies") -> str:
    # Keys are generated here (hex + known extension), never taken from a request path.
    return f"{area}/" + os.path.basename(key)


def save(attachment: Attachment, area: str = "policies") -> None:
    storage().save(storage_key(attachment.key, area), attachment.content, attachment.mime)


def delete(key: str, area: str = "policies") -> None:
    storage().delete(storage_key(key, area))


def send(update):
    """The attachment of a progress update as a response (404 when the file is gone)."""
    # Images show inline on the policy page; documents are always downloaded, never rendered by the browser.
    return storage().send(storage_key(update.attachment_key), mimetype=update.attachment_mime,
                          as_attachment=not update.attachment_is_image, download_name=update.attachment_name,
                          max_age=3600)
