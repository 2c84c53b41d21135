"""What the production server (gunicorn with ``preload_app``, gunicorn.conf.py) calls around its forks."""
from __future__ import annotations

from flask import Flask

# The templates of the busiest pages, compiled once in the master instead of in every worker.
WARM_TEMPLATES = ("base.html", "macros.html", "proposals/index.html", "proposals/_card.html",
                  "proposals/detail.html", "comments/_thread.html", "searchpage/search.html")


def warm_up(app: Flask) -> None:
    """Load the Korean analyzer (a model of some hundred MB, 2-3 s of CPU) and compile the main
    templates, so that forked workers start with them."""
    from app.search.analysis import word_morphemes

    word_morphemes("주민참여")  # loads Kiwi and runs its first, slow, analysis
    for name in WARM_TEMPLATES:
        app.jinja_env.get_template(name)


def after_fork(app: Flask) -> None:
    """Forget connections inherited from the master: the pool opens the worker's own on first use."""
    from app.extensions import db
    from app.ops import redis

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
    redis.forget_clients()


def register_preforking(app: Flask) -> None:
    app.extensions["maeul_warm_up"] = lambda: warm_up(app)
    app.extensions["maeul_after_fork"] = lambda: after_fork(app)
