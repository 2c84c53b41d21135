"""Idempotent retries for API actions that move money or change a decision.

A client may send an ``Idempotency-Key`` header: a retry with the same key (by the same user, on the
same path) gets the stored answer and changes nothing. The stored answer is written in the same
transaction as the action (``respond``), so either both are saved or neither."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.api.auth import api_user
from app.api.models import IdempotentResponse
from app.core import ValidationFailed
from app.extensions import db


def idempotent(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not 1 <= len(key) <= 100:
            raise ValidationFailed({"Idempotency-Key": [_l("Send an Idempotency-Key of 1 to 100 characters.")]})
        stored = db.session.scalar(select(IdempotentResponse).filter_by(user_id=api_user().id, key=key))
        if stored is not None:
            if stored.request_path != request.path:
                raise ValidationFailed({"Idempotency-Key": [_l("This key was already used for another request.")]})
            response = jsonify(stored.body)
            response.status_code = stored.status_code
            response.headers["Idempotent-Replayed"] = "true"
            return response
        g.idempotency_key = key
        return view(*args, **kwargs)

    return wrapped


def ledger_key() -> str | None:
    """A unique key for the ledger row written by this request, when the client sent one."""
    key = g.get("idempotency_key")
    return f"{api_user().id}:{request.path}:{key}" if key else None


def respond(body: dict, status: int = 200):
    """Commit the action (and, for a keyed request, its stored answer) in one transaction."""
    key = g.get("idempotency_key")
    if key:
        db.session.add(IdempotentResponse(user_id=api_user().id, key=key, request_path=request.path,
                                          status_code=status, body=body))
    db.session.commit()
    return jsonify(body), status
