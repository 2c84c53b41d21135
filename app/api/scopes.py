"""Token scopes, enforced once for the whole API.

A token without a scope has its account's rights. A scoped token reaches only the endpoints that
declare its scope with ``@allows_scope``; every other endpoint answers 403 before its view runs, so
a new endpoint is closed to scoped tokens unless it opts in."""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l

from app.api.auth import api_user
from app.core import NotAllowed

STEPS = "steps"  # a walking app or device: post steps, read the wallet
SCOPES = (STEPS,)


def allows_scope(*scopes: str):
    def decorator(view):
        view._scopes = frozenset(scopes)
        return view

    return decorator


def enforce_scope() -> None:
    if api_user() is None:
        return
    scope = g.api_token.scope
    if scope is None:
        return
    view = current_app.view_functions.get(request.endpoint) if request.endpoint is not None else None
    if scope not in getattr(view, "_scopes", frozenset()):
        raise NotAllowed(_l("This token may only send steps and read the walking wallet."))
