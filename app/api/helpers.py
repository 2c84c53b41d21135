"""Request parsing and response shaping shared by every API endpoint.

Input rules that hold for every endpoint live here and in app.web (see the README's security
paragraph): a body is a JSON object (no NaN or Infinity, app.web.StrictJSONProvider); text is
checked for NUL and broken characters before any view runs (app.web.refuse_unstorable_text);
``validate`` checks each JSON value's type against the form field it fills (a boolean is not an id,
an object is not text) before the form checks the value; ``json_int``/``json_ints`` read the few
values that no form describes; ids are at most ``MAX_ID``."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DecimalField, FieldList, FloatField, IntegerField, SelectMultipleField
from wtforms.fields import MultipleFileField

from app.core import MAX_ID, ValidationFailed, page_number

NOT_TEXT = _l("Send text, not a list or an object.")
NOT_NUMBER = _l("Send a whole number.")
NOT_BOOLEAN = _l("Send true or false.")
NOT_A_NUMBER = _l("Send a number.")
_MULTIPLE = (SelectMultipleField, FieldList, MultipleFileField)


def json_body() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationFailed({"body": [_l("Send a JSON object.")]})
    return payload


def validate(form_class, payload: dict, *, ignore: tuple[str, ...] = (), **form_kwargs):
    """Validate a JSON object with the same WTForms form the page uses.

    Unknown fields are rejected, each value must have the JSON type its field takes, lists become
    repeated values, and every error is raised at once."""
    form = form_class(formdata=_to_multidict(payload), meta={"csrf": False}, **form_kwargs)
    known = set(form._fields) | set(ignore)
    errors = {name: [_l("Unknown field.")] for name in sorted(set(payload) - known)}
    for name, value in payload.items():
        if name in form._fields:
            problem = _type_problem(form._fields[name], value)
            if problem is not None:
                errors[name] = [problem]
    if not form.validate():
        for name, messages in form.errors.items():
            errors.setdefault(name, messages)  # a type error says more than the form's reading of it
    if errors:
        raise ValidationFailed(errors)
    return form


def _type_problem(field, value):
    """Why a JSON value cannot fill this form field, or None."""
    if value is None:
        return None
    if isinstance(field, _MULTIPLE):
        values = value if isinstance(value, list) else [value]
        return NOT_TEXT if any(isinstance(v, (dict, list, bool)) for v in values) else None
    if isinstance(field, BooleanField):
        return None if isinstance(value, bool) else NOT_BOOLEAN
    if isinstance(value, (dict, list)):
        return NOT_TEXT
    if isinstance(field, IntegerField) or getattr(field, "coerce", None) is int:
        if isinstance(value, bool) or (not isinstance(value, int) and not (isinstance(value, str) and _is_int(value))):
            return NOT_NUMBER
        if abs(int(value)) > (MAX_ID if field.name.endswith("_id") else 2**63 - 1):
            return _l("The number is too large.")
        return None
    if isinstance(field, (FloatField, DecimalField)):
        return NOT_A_NUMBER if isinstance(value, bool) or not isinstance(value, (int, float, str)) else None
    if isinstance(value, bool):
        return NOT_TEXT
    return None


def _is_int(text: str) -> bool:
    text = text.strip()
    return text.lstrip("+-").isascii() and text.lstrip("+-").isdigit() and len(text) <= 20


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


def json_int(payload: dict, name: str, message) -> int:
    """An id or count that no form describes: an int (not a boolean) from 1 to MAX_ID."""
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed({name: [message]})
    return value


def json_ints(payload: dict, name: str, message) -> list[int] | None:
    """A list of ids (None when absent), each as json_int."""
    values = payload.get(name)
    if values is None:
        return None
    if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID for v in values):
        raise ValidationFailed({name: [message]})
    return values


def per_page_arg(default: int = 20, maximum: int = 100) -> int:
    """``per_page`` from 1 to ``maximum`` (larger asks get the maximum; malformed ones the default)."""
    raw = request.args.get("per_page", "").strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        return default
    return min(int(raw), maximum)


def page_arg() -> int:
    return page_number()


def paginated(pagination, serialize) -> dict:
    return {
        "items": [serialize(item) for item in pagination.items],
        "total": pagination.total,
        "page": pagination.page,
        "per_page": pagination.per_page,
    }
