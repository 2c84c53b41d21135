from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app import textsize
from app.auth import services as auth_services
from app.extensions import csrf, db
from app.main import bp
from app.main.home import home_sections
from app.urls import safe_next_url


@bp.route("/")
def index():
    from app.main.now import next_steps, site_counts
    from app.web import unread_notifications_of_current_user

    steps = None
    if current_user.is_authenticated:
        steps = next_steps(current_user, unread_notifications_of_current_user())
    return render_template("main/index.html", sections=home_sections(), counts=site_counts(), steps=steps)


def protect_account_preference() -> None:
    """A visitor's language and text size belong to their browser alone: a forged request could change
    nothing but the requester's own page, so the forms carry no CSRF token for visitors and pages for
    visitors stay the same for everyone (the page cache answers them before Flask: app/ops/cache.py).
    A signed-in resident's choice is saved on their account: that needs the token."""
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    protect_account_preference()
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            auth_services.set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))


@bp.route("/text-size", methods=["POST"])
@csrf.exempt
def set_text_size():
    """Remember the text size in this browser (a cookie) and, when signed in, on the account."""
    protect_account_preference()
    size = textsize.parse(request.form.get("size"))
    if size is None:
        abort(400)
    if current_user.is_authenticated:
        auth_services.set_text_size(current_user, size.value)
        db.session.commit()
    response = redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))
    response.set_cookie(textsize.COOKIE, size.value, max_age=textsize.COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
