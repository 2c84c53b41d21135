"""Maeul: the application factory."""
from __future__ import annotations

import os

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user

from config import DEVELOPMENT_SECRET_KEY, INSTANCE_DIR, config_by_name
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def select_locale() -> str:
    """User preference, then the session, then the browser's Accept-Language, then Korean."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = getattr(g, "api_user", None) or (current_user if current_user and current_user.is_authenticated else None)
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config_name: str | None = None) -> Flask:
    config_name = config_name or os.environ.get("MAEUL_CONFIG", "development")
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder="../static", static_url_path="/static")
    app.config.from_object(config_by_name[config_name])
    if app.config.get("REFUSE_DEVELOPMENT_SECRET_KEY") and app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("Set SECRET_KEY to a long random value before running in production.")
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)

    from app import models  # noqa: F401  (every model, for Alembic and relationships)
    from app.web import register_web

    register_web(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.certificates import bp as certificates_bp
    from app.labs import bp as labs_bp
    from app.ledger import bp as ledger_bp
    from app.main import bp as main_bp
    from app.notifications import bp as notifications_bp
    from app.policies import bp as policies_bp
    from app.comments import bp as comments_bp
    from app.consultations import bp as consultations_bp
    from app.moderation import bp as moderation_bp
    from app.proposals import bp as proposals_bp
    from app.searchpage import bp as searchpage_bp
    from app.surveys import bp as surveys_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(searchpage_bp)
    app.register_blueprint(policies_bp)
    app.register_blueprint(labs_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(api_bp)


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
