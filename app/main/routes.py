from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth import services as auth_services
from app.extensions import db
from app.main import bp
from app.main.home import home_sections
from app.urls import safe_next_url


@bp.route("/")
def index():
    return render_template("main/index.html", sections=home_sections())


@bp.route("/language", methods=["POST"])
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            auth_services.set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))
