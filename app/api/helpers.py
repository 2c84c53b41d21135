"""Request parsing and response shaping shared by every API endpoint."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.core import ValidationFailed


def json_body() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed({"body": [_l("Send a JSON object.")]})
    return payload


def validate(form_class, payload: dict, *, ignore: tuple[str, ...] = (), **form_kwargs):
    """Validate a JSON object with the same WTForms form the page uses.

    Unknown fields are rejected, lists become repeated values, and every error is raised at once."""
    form = form_class(formdata=_to_multidict(payload), meta={"csrf": False}, **form_kwargs)
    known = set(form._fields) | set(ignore)
    unknown = sorted(set(payload) - known)
    errors = {name: [_l("Unknown field.")] for name in unknown}
    if not form.validate():
        errors.update(form.errors)
    if errors:
        raise ValidationFailed(errors)
    return form


def _to_multidict(payload: dict) -> MultiDict:
    items: list[tuple[str, str]] = []
    for key, value in payload.items():
        if isinstance(value, list):
            items.extend((key, _scalar(v)) for v in value)
        elif isinstance(value, bool):
            if value:
                items.append((key, "y"))
        elif value is not None:
            items.append((key, _scalar(value)))
    return MultiDict(items)


def _scalar(value) -> str:
    return value if isinstance(value, str) else str(value)


def per_page_arg(default: int = 20, maximum: int = 100) -> int:
    value = request.args.get("per_page", default, type=int)
    if value is None or value < 1:
        return default
    return min(value, maximum)


def page_arg() -> int:
    value = request.args.get("page", 1, type=int)
    return value if value and value > 0 else 1


def paginated(pagination, serialize) -> dict:
    return {
        "items": [serialize(item) for item in pagination.items],
        "total": pagination.total,
        "page": pagination.page,
        "per_page": pagination.per_page,
    }
