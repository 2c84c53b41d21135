"""What the worker runs for every job: the named function in a fresh app context, committed once."""
from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context

from app.extensions import db
from app.jobs import resolve

log = logging.getLogger("maeul.jobs")
_app: Flask | None = None


def _application() -> Flask:
    global _app
    if has_app_context():  # `flask jobs worker` runs jobs in its own process, inside the CLI's app
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def run(name: str, args: list, kwargs: dict) -> None:
    with _application().app_context():
        try:
            resolve(name)(*args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", name, extra={"job": name})
            raise
        finally:
            db.session.remove()
