"""Request-level wiring shared by every page: login, security headers, errors, template helpers."""
from __future__ import annotations

import math
import re

from flask import Flask, abort, flash, g, jsonify, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from wtforms import DecimalField, FloatField
from wtforms.csrf.core import CSRFTokenField
from wtforms.widgets import HiddenInput

from app import timefmt
from app.core import MAX_ID, DomainError, ValidationFailed
from app.districts import district_name
from app.extensions import db, login_manager
from app.ops.logs import request_id
from app.text import render_markdown

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please log in"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("The upload is too large"),
    422: _l("The input is not valid"),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side"),
}

CONFLICT_MESSAGE = _l("Someone else changed this at the same moment. Reload the page and try again.")
# Unique violation, serialization failure, deadlock (PostgreSQL); a locked database (SQLite).
_CONFLICT_SQLSTATES = {"23505", "40001", "40P01"}


def is_concurrent_conflict(error: Exception) -> bool:
    """A database error that means another request won a race, not a bug: answered 409, not 500."""
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, (IntegrityError, OperationalError)):
        original = getattr(error, "orig", None)
        if getattr(original, "sqlstate", None) in _CONFLICT_SQLSTATES:
            return True
        text = str(original)
        return "UNIQUE constraint failed" in text or "database is locked" in text
    return False


def error_response(code: int, message, extra: dict | None = None):
    """The error answer every handler gives: JSON under /api, the error page otherwise.

    Call it only after ``db.session.rollback()``: the message is translated here, and choosing the
    language may read the user from the database."""
    if is_api_request():
        return jsonify({"error": {"code": code, "message": str(message), **(extra or {})}}), code
    return render_template("errors/error.html", code=code, title=message), code


# Main menu entries: (order, endpoint, label, signed_in). Each domain adds its own in its register(app);
# an entry with signed_in=True (the resident's own pages) is shown only to signed-in users.
_NAV: list[tuple[int, str, object, bool]] = []


def register_nav(order: int, endpoint: str, label, *, signed_in: bool = False) -> None:
    if not any(existing == endpoint for _, existing, _, _ in _NAV):
        _NAV.append((order, endpoint, label, signed_in))


def nav_items() -> list[dict]:
    signed_in = current_user.is_authenticated
    return [{"url": url_for(endpoint), "label": label, "endpoint": endpoint}
            for _, endpoint, label, private in sorted(_NAV, key=lambda n: n[0]) if signed_in or not private]


def endpoint_exists(endpoint: str) -> bool:
    """For templates: link to a page only when the application has it (a domain may be switched off)."""
    from flask import current_app

    return endpoint in current_app.view_functions


# Footer links (open data, statistics …): domain packages add theirs with register_footer_link.
_FOOTER: list[tuple[int, str, object]] = []


def register_footer_link(order: int, endpoint: str, label) -> None:
    if not any(existing == endpoint for _, existing, _ in _FOOTER):
        _FOOTER.append((order, endpoint, label))


def footer_items() -> list[dict]:
    return [{"url": url_for(endpoint), "label": label} for _, endpoint, label in sorted(_FOOTER, key=lambda n: n[0])]


def is_api_request() -> bool:
    return request.path.startswith("/api/")


# --- input that no view should ever see -----------------------------------------------------------

class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: 1 to MAX_ID (a PostgreSQL integer), so a larger id is a 404 before
    any query runs (registered as "int" before the blueprints, so every domain gets it)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as infinity
        raise ValueError("number out of range")
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """JSON as the standard has it: a body with NaN, Infinity or 1e999 is not JSON (so the API
    answers "Send a JSON object."), and no answer ever contains them (browsers cannot parse it)."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite_float)
        return super().loads(s, **kwargs)

    def dumps(self, obj, **kwargs):
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


# NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded as UTF-8 at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = _l("The text contains characters that cannot be stored (such as NUL or a broken character). "
                        "Remove them and try again.")


def _texts(value, name: str):
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key, name)
            yield from _texts(item, f"{name}.{key}" if name != "body" else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, name)


def refuse_unstorable_text() -> None:
    """Every text a request carries (path, query, form fields, JSON body) must be storable: 422 before
    any view runs, for every page and API endpoint of every domain."""
    sources = [("path", list((request.view_args or {}).values()))]
    sources += [(name, request.args.getlist(name)) for name in request.args]
    sources += [(name, request.form.getlist(name)) for name in request.form]
    if request.is_json:
        sources.append(("body", request.get_json(silent=True)))
    bad = sorted({field for name, value in sources for field, text in _texts(value, name)
                  if _UNSTORABLE.search(text)})
    if bad:
        raise ValidationFailed({field: [UNSTORABLE_MESSAGE] for field in bad})


def _escaped_lazy_html(self: LazyString) -> Markup:
    """How a lazy translated string (``_l``) renders in a template: the translation is trusted, its
    parameters are not. Flask-Babel's own ``__html__`` returns the formatted text as safe HTML, so
    ``_l("Step %(number)s: %(title)s", title=user_text)`` would pass user text through unescaped.
    Parameters are escaped the way Jinja's ``_()`` escapes them in templates (strings and other
    objects are escaped; numbers are left for ``%d`` formats)."""
    if not self._kwargs:
        return Markup(str(self))
    safe = {name: value if isinstance(value, (int, float)) else escape(value) for name, value in self._kwargs.items()}
    return Markup(self._func(*self._args, **safe))


# Every lazy string in the app is a flask_babel LazyString; escaping is fixed here, once, for all.
LazyString.__html__ = _escaped_lazy_html


_parse_float_formdata = FloatField.process_formdata
_parse_decimal_formdata = DecimalField.process_formdata


def _finite_formdata(parse):
    def process_formdata(self, valuelist):
        parse(self, valuelist)
        if self.data is not None and not math.isfinite(self.data):  # float("nan"), float("1e999")
            self.data = None
            raise ValueError(str(_l("Enter a number.")))

    return process_formdata


# Every FloatField and DecimalField of every form (pages and API) refuses NaN and infinities, which
# NumberRange lets through (NaN compares false with any bound) and which no JSON can carry back.
FloatField.process_formdata = _finite_formdata(_parse_float_formdata)
DecimalField.process_formdata = _finite_formdata(_parse_decimal_formdata)


def register_input_rules(app: Flask) -> None:
    """Call before any blueprint is registered (the int converter applies to routes added later)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
    app.before_request(refuse_unstorable_text)


class _HiddenInputWithoutId(HiddenInput):
    """The CSRF token's hidden input without id="csrf_token": a page with several forms would otherwise
    carry that id once per form (ids must be unique; nothing refers to the token by id)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)
        return super().__call__(field, **kwargs)


def security_header_items(config) -> list[tuple[str, str]]:
    """The headers every response carries (also those the page cache answers before Flask, app/ops/cache.py)."""
    items = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
             ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    if config.get("SESSION_COOKIE_SECURE"):
        items.append(("Strict-Transport-Security", "max-age=31536000"))
    return items


def register_web(app: Flask) -> None:
    CSRFTokenField.widget = _HiddenInputWithoutId()
    register_input_rules(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        from app.auth.services import user_for_session_id

        return user_for_session_id(session_id)

    @app.after_request
    def security_headers(response):
        for name, value in security_header_items(app.config):
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title = ERROR_TITLES.get(code, error.name)
        if isinstance(error, CSRFError):
            title = _l("This form has expired or did not come from this site. Go back, reload the page and try again.")
        if is_api_request():
            response = jsonify({"error": {"code": code, "message": str(title), "request_id": request_id()}})
            response.status_code = code
            valid_methods = getattr(error, "valid_methods", None)
            if valid_methods:
                response.headers["Allow"] = ", ".join(valid_methods)
            return response
        return render_template("errors/error.html", code=code, title=title), code

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """A refused rule that no view caught: roll back first, then translate the message."""
        db.session.rollback()
        if isinstance(error, ValidationFailed):
            if is_api_request():
                return jsonify({"errors": {field: [str(m) for m in messages]
                                           for field, messages in error.errors.items()}}), 422
            first = next((m for messages in error.errors.values() for m in messages), error.message)
            return error_response(422, first)
        if error.status == 422 and error.field and is_api_request():
            return jsonify({"errors": {error.field: [str(error.message)]}}), 422
        return error_response(error.status, error.message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        if is_concurrent_conflict(error):
            db.session.rollback()
            app.logger.warning("Concurrent conflict answered 409: %s", error)
            return error_response(409, CONFLICT_MESSAGE)
        if isinstance(error, (DataError, OverflowError)):
            # Input the validation above should have refused (a value no column can hold): still a
            # 422, but logged so that the missing check gets written.
            db.session.rollback()
            app.logger.warning("Input reached the database unchecked: %s", error)
            return error_response(422, ERROR_TITLES[422])
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        if is_api_request():
            return jsonify({"error": {"code": 500, "message": str(ERROR_TITLES[500]), "request_id": request_id()}}), 500
        return render_template("errors/error.html", code=500, title=ERROR_TITLES[500]), 500

    app.add_template_filter(render_markdown, "markdown")  # user-written text, sanitized
    timefmt.register(app)  # every date and time on the site: Korean and English forms, relative times

    @app.context_processor
    def template_helpers():
        from app.auth.labels import access_event_label
        from app.textsize import TextSize, current_text_size

        return {
            "nav_items": nav_items,
            "footer_items": footer_items,
            "access_event_label": access_event_label,
            "current_locale": str(get_locale()),
            # Text residents and staff wrote (in Korean) keeps lang="ko" on pages in another language, so
            # that screen readers and browsers read it as Korean: <h1{{ ko }}>{{ proposal.title }}</h1>.
            "ko": Markup("") if str(get_locale()) == "ko" else Markup(' lang="ko"'),
            "district_name": district_name,
            "unread_notifications": unread_notifications_of_current_user,
            "text_size": current_text_size,
            "text_sizes": list(TextSize),
            "endpoint_exists": endpoint_exists,
            "failed_form_summary": failed_form_summary,
        }


_UNLINKED_FIELDS = frozenset({"CSRFTokenField", "HiddenField"})


def _messages(errors) -> list[str]:
    """Flatten a field's errors (strings, or nested lists/dicts for FieldList and FormField)."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def form_error_summary(forms) -> list[dict]:
    """Every input error of the given forms, in field order, for the error summary at the top of the page:
    {"label", "message", "anchor"} where anchor is the id of the control to focus (None when there is no
    visible control, e.g. an expired CSRF token)."""
    items: list[dict] = []
    seen: set[int] = set()
    for form in forms:
        if id(form) in seen:
            continue
        seen.add(id(form))
        for message in getattr(form, "form_errors", ()) or ():
            items.append({"label": None, "message": str(message), "anchor": None})
        for field in form:
            if not field.errors:
                continue
            anchor = None if field.type in _UNLINKED_FIELDS else field.id
            for message in _messages(field.errors):
                items.append({"label": str(field.label.text), "message": message, "anchor": anchor})
    return items


@pass_context
def failed_form_summary(context) -> list[dict]:
    """The error summary of every form handed to the template (any context variable that is a form)."""
    from wtforms import Form

    return form_error_summary(value for value in context.get_all().values() if isinstance(value, Form))


def unread_notifications_of_current_user() -> int:
    """The signed-in user's unread notifications, counted once per request (header and home page share it)."""
    from app.notifications.services import unread_count

    if not current_user.is_authenticated:
        return 0
    if "unread_count" not in g:
        g.unread_count = unread_count(current_user.id)
    return g.unread_count


class Outcome:
    """What ``run_service`` returns: true when the service ran and was committed; ``value`` is its result."""

    def __init__(self, ok: bool, value=None):
        self.ok, self.value = ok, value

    def __bool__(self) -> bool:
        return self.ok


def run_service(action, success_message=None, *, form=None) -> Outcome:
    """Call a service, commit and flash ``success_message``; on a refused rule roll back and report why.

    ``success_message`` may be a function of the service's result, or None to flash nothing. With ``form``,
    a reason that names one of its fields (``DomainError(field=...)``, each field of ``ValidationFailed``)
    goes beside that field, so the view re-renders the form with the input kept; other reasons are
    flashed. Views that redirect after a refusal leave ``form`` out: every reason is flashed.

    Always roll back before building a message: translating reads the user's locale, which may query
    the database, and a session whose flush failed (a concurrent request won) refuses every query."""
    try:
        value = action()
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        for field, messages in error.errors.items():
            for message in messages:
                _report(form, field, message)
        return Outcome(False)
    except DomainError as error:
        db.session.rollback()
        _report(form, error.field, error.message)
        for missing in getattr(error, "missing", []):
            flash(str(missing), "error")
        return Outcome(False)
    except (IntegrityError, OperationalError, StaleDataError) as error:
        db.session.rollback()
        if not is_concurrent_conflict(error):
            raise
        flash(str(CONFLICT_MESSAGE), "error")
        return Outcome(False)
    if success_message is not None:
        flash(str(success_message(value) if callable(success_message) else success_message), "success")
    return Outcome(True, value)


def _report(form, field: str | None, message) -> None:
    if form is not None and field and field in form:
        form[field].errors = [*form[field].errors, str(message)]
    else:
        flash(str(message), "error")


def authorize(allowed: bool) -> None:
    """403 when a signed-in user may not do this; 401 (log in) for a visitor."""
    if not allowed:
        abort(403 if current_user.is_authenticated else 401)


def flash_form_errors(form) -> None:
    """For views that redirect instead of re-rendering: every input error as a message."""
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")
