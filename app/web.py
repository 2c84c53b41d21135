"""Request-level wiring shared by every page: login, security headers, errors, template helpers."""
from __future__ import annotations

from flask import Flask, abort, flash, g, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.core import DomainError, ValidationFailed
from app.districts import district_name
from app.extensions import db, login_manager
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


# Main menu entries: (order, endpoint, label). Each domain adds its own in its register(app).
_NAV: list[tuple[int, str, object]] = []


def register_nav(order: int, endpoint: str, label) -> None:
    if not any(existing == endpoint for _, existing, _ in _NAV):
        _NAV.append((order, endpoint, label))


def nav_items() -> list[dict]:
    return [{"url": url_for(endpoint), "label": label} for _, endpoint, label in sorted(_NAV, key=lambda n: n[0])]


# Footer links (open data, statistics …): domain packages add theirs with register_footer_link.
_FOOTER: list[tuple[int, str, object]] = []


def register_footer_link(order: int, endpoint: str, label) -> None:
    if not any(existing == endpoint for _, existing, _ in _FOOTER):
        _FOOTER.append((order, endpoint, label))


def footer_items() -> list[dict]:
    return [{"url": url_for(endpoint), "label": label} for _, endpoint, label in sorted(_FOOTER, key=lambda n: n[0])]


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def register_web(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from app.auth.models import User

        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title = ERROR_TITLES.get(code, error.name)
        if isinstance(error, CSRFError):
            title = _l("This form has expired or did not come from this site. Go back, reload the page and try again.")
        if is_api_request():
            response = jsonify({"error": {"code": code, "message": str(title)}})
            response.status_code = code
            valid_methods = getattr(error, "valid_methods", None)
            if valid_methods:
                response.headers["Allow"] = ", ".join(valid_methods)
            return response
        return render_template("errors/error.html", code=code, title=title), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        if is_api_request():
            return jsonify({"error": {"code": 500, "message": str(ERROR_TITLES[500])}}), 500
        return render_template("errors/error.html", code=500, title=ERROR_TITLES[500]), 500

    app.add_template_filter(render_markdown, "markdown")  # user-written text, sanitized

    @app.context_processor
    def template_helpers():
        from app.auth.labels import access_event_label
        from app.notifications.services import unread_count

        def unread_notifications() -> int:
            if not current_user.is_authenticated:
                return 0
            if "unread_count" not in g:
                g.unread_count = unread_count(current_user.id)
            return g.unread_count

        return {
            "nav_items": nav_items,
            "footer_items": footer_items,
            "access_event_label": access_event_label,
            "current_locale": str(get_locale()),
            "district_name": district_name,
            "unread_notifications": unread_notifications,
        }


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
    flashed. Views that redirect after a refusal leave ``form`` out: every reason is flashed."""
    try:
        value = action()
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
    db.session.commit()
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
