"""Running Maeul in production: request ids and JSON logs, health checks, hashed static names.

One line in the factory: ``register(app)``."""
from __future__ import annotations

from flask import Flask

from app.ops.logs import configure_logging, register_request_ids, request_id  # noqa: F401  (re-exported)


def register(app: Flask) -> None:
    from app.ops.health import bp
    from app.ops.static import register_static

    configure_logging(app)
    trusted = app.config.get("TRUSTED_PROXIES", 0)
    if trusted:
        # Behind nginx every request comes from 127.0.0.1: take the client address (per-IP rate limits,
        # access log) and scheme from the X-Forwarded-* headers the proxy sets, trusting only its hops.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=0)  # type: ignore[method-assign]
    register_request_ids(app)
    from app.ops.cache import register_page_cache

    register_page_cache(app)
    from app.ops.serving import register_preforking

    register_preforking(app)
    register_static(app)
    app.jinja_env.globals["request_id"] = request_id
    app.register_blueprint(bp)
