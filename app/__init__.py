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
    if app.config.get("REFUSE_DEVELOPMENT_SECRET_KEY"):
        refuse_unsafe_production_config(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)

    from app import models  # noqa: F401  (every model, for Alembic and relationships)
    from app.cli import register_commands
    from app.web import register_web

    register_web(app)
    register_commands(app)  # app-wide commands: seed, translate
    # One line per domain: its register(app) declares its blueprint, CLI commands, menu entries, notification
    # kinds, search sources, comment and moderation targets, home sections and data-export sections.
    from app import admin, api, auth, certificates, comments, committees, consultations, jobs, labs, ledger, main
    from app import moderation, names, notifications, opendata, ops, policies, privacy, proposals, searchpage
    from app import activity, channels, intake, interests, phones, social, staffdesk, stats, surveys, walking

    for domain in (
        main,
        auth,
        admin,
        notifications,
        proposals,
        comments,
        moderation,
        searchpage,
        policies,
        labs,
        certificates,
        ledger,
        walking,
        committees,
        consultations,
        interests,  # residents follow fields, topics and districts
        social,  # log in with Kakao or Naver
        intake,  # community-centre staff enter participation on a resident's behalf
        surveys,
        privacy,
        names,  # English forms of department names
        opendata,
        stats,
        api,
        ops,  # production: request ids, JSON logs, /healthz and /readyz, hashed static names
        jobs,  # the job queue, `flask jobs worker`, /staff/jobs
        phones,  # verified phone numbers, codes by text message
        channels,  # notifications by mail and text message, digests
        staffdesk,  # /staff: waiting work with counts, and its count in the menu
        activity,  # /me/activity: a resident's proposals, supports, comments, follows, labs, money, certificates
    ):
        domain.register(app)
    return app


def refuse_unsafe_production_config(config) -> None:
    """Production starts only with its own secrets and its own public address."""
    from urllib.parse import urlsplit

    from app.ledger.crypto import encryption_keys_problem

    if config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("Set SECRET_KEY to a long random value before running in production.")
    base = urlsplit(config.get("PUBLIC_BASE_URL") or "")
    if base.scheme not in ("http", "https") or not base.hostname:
        raise RuntimeError("Set PUBLIC_BASE_URL to the site's public address (e.g. https://maeul.asan.go.kr) "
                           "before running in production: links in mails are built on it.")
    problem = encryption_keys_problem(config.get("DATA_ENCRYPTION_KEY") or "")
    if problem:
        raise RuntimeError(f"Set DATA_ENCRYPTION_KEY before running in production: {problem}")

