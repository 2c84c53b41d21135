"""Uploaded and built files behind one interface, so that any node can serve a file another node wrote.

Two backends:

* ``folder`` (the embedded default): files under ``UPLOAD_DIR``, laid out as ``<UPLOAD_DIR>/<key>``.
  Right for one machine (``make run``); several nodes would need one shared folder.
* ``database``: a table of blobs (``stored_files``). Chosen automatically when the database is
  PostgreSQL, or by ``STORAGE_BACKEND=database``. Every node reaches the same database, and a file
  is written in the same transaction as the row that names it, so a rolled-back upload leaves nothing.

Keys are made by the code (``receipts/<random hex>.pdf``), never taken from a request. With the
folder backend, a write whose transaction rolls back is deleted again after the rollback.
"""
from __future__ import annotations

import contextlib
import io
import os
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, send_file
from sqlalchemy import DateTime, Integer, LargeBinary, String, delete, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import utcnow
from app.extensions import db


class StoredFile(db.Model):
    """One file of the database backend."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def _safe_key(key: str) -> str:
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") for part in parts) or "\\" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class FolderStorage:
    name = "folder"

    def __init__(self, root: str):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def save(self, key: str, content: bytes, mime: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        db.session.connection()  # begin the transaction now, so that its rollback (and our cleanup) happens
        with open(path, "xb") as handle:
            handle.write(content)
        # Deleted again if the transaction that refers to it rolls back (see the listeners below).
        db.session.info.setdefault("unsaved_files", []).append(str(path))

    def publish(self, key: str, content: bytes, mime: str) -> None:
        """Store a built file at once, outside the current transaction; a file already there is kept."""
        path = self.path(key)
        if path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(content)
        os.replace(partial, path)

    def read(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(key))

    def keys(self, prefix: str) -> list[str]:
        folder = self.root / _safe_key(prefix.rstrip("/"))
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())

    def send(self, key: str, *, mimetype: str, as_attachment: bool, download_name: str, max_age: int):
        path = self.path(key)
        if not path.is_file():
            abort(404)
        return send_file(path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                         max_age=max_age)


class DatabaseStorage:
    name = "database"

    def save(self, key: str, content: bytes, mime: str) -> None:
        db.session.add(StoredFile(key=_safe_key(key), content=content, mime=mime, size=len(content)))
        db.session.flush()

    def publish(self, key: str, content: bytes, mime: str) -> None:
        """Store a built file at once, outside the current transaction; a file already there is kept."""
        statement = (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(StoredFile).values(
            key=_safe_key(key), content=content, mime=mime, size=len(content), created_at=utcnow())
        with db.engine.begin() as connection:  # its own connection: the caller's transaction stays open
            connection.execute(statement.on_conflict_do_nothing(index_elements=["key"]))

    def read(self, key: str) -> bytes | None:
        return db.session.scalar(select(StoredFile.content).where(StoredFile.key == _safe_key(key)))

    def exists(self, key: str) -> bool:
        return db.session.scalar(select(StoredFile.key).where(StoredFile.key == _safe_key(key))) is not None

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredFile).where(StoredFile.key == _safe_key(key)))

    def keys(self, prefix: str) -> list[str]:
        start = _safe_key(prefix.rstrip("/")) + "/"
        return list(db.session.scalars(select(StoredFile.key).where(StoredFile.key.startswith(start, autoescape=True))
                                       .order_by(StoredFile.key)))

    def send(self, key: str, *, mimetype: str, as_attachment: bool, download_name: str, max_age: int):
        row = db.session.execute(select(StoredFile.content, StoredFile.created_at)
                                 .where(StoredFile.key == _safe_key(key))).first()
        if row is None:
            abort(404)
        # A key's content never changes (new uploads get new random keys), so the key is a valid ETag.
        return send_file(io.BytesIO(row.content), mimetype=mimetype, as_attachment=as_attachment,
                         download_name=download_name, max_age=max_age, last_modified=row.created_at,
                         etag=key.replace("/", "-"))


def backend_name() -> str:
    configured = current_app.config.get("STORAGE_BACKEND", "")
    if configured:
        if configured not in ("folder", "database"):
            raise RuntimeError(f"STORAGE_BACKEND must be 'folder' or 'database', not {configured!r}")
        return configured
    return "database" if db.engine.dialect.name == "postgresql" else "folder"


def storage() -> FolderStorage | DatabaseStorage:
    """The configured backend."""
    if backend_name() == "database":
        return DatabaseStorage()
    return FolderStorage(current_app.config["UPLOAD_DIR"])


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session):
    session.info.pop("unsaved_files", None)


@event.listens_for(Session, "after_rollback")
def _delete_files_of_rolled_back_transactions(session):
    for path in session.info.pop("unsaved_files", []):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
