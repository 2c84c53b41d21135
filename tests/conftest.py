"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so.

Each pytest-xdist worker gets its own database (a file, or a PostgreSQL database created here)."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

import pytest
from flask import g, request_started
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TMP = tempfile.mkdtemp(prefix=f"maeul-test-{WORKER}-")


# The database the person running the tests asked for, before this module rewrote DATABASE_URL for
# its own process: pytest-xdist workers inherit the controller's environment and must start from it.
BASE_DATABASE_URL = os.environ.setdefault("MAEUL_TESTS_BASE_DATABASE_URL", os.environ.get("DATABASE_URL", ""))


def _database_url() -> str:
    url = BASE_DATABASE_URL
    if not url:
        return f"sqlite:///{TMP}/test.db"
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        root, extension = os.path.splitext(parsed.database)
        return parsed.set(database=f"{root}_{WORKER}{extension}").render_as_string(hide_password=False)
    if parsed.get_backend_name() != "postgresql":
        return url
    worker_db = f"{parsed.database}_{WORKER}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{worker_db}"'))
    admin.dispose()
    return parsed.set(database=worker_db).render_as_string(hide_password=False)


os.environ["DATABASE_URL"] = _database_url()
os.environ["SEARCH_INDEX_DIR"] = os.path.join(TMP, "search-index")
os.environ["MAIL_OUTBOX_DIR"] = os.path.join(TMP, "outbox")
os.environ["TEXT_OUTBOX_DIR"] = os.path.join(TMP, "text-outbox")
os.environ["UPLOAD_DIR"] = os.path.join(TMP, "uploads")

from app import create_app  # noqa: E402
from tests.factories import make_user  # noqa: E402,F401  (a fixture every test may use)
from app.extensions import db, limiter  # noqa: E402


def is_postgres() -> bool:
    return os.environ["DATABASE_URL"].startswith("postgresql")


@contextlib.contextmanager
def configured(app, **settings):
    """The app's config with ``settings`` for the block (e.g. pointed at a test's local server), then as it
    was before, however the block ends."""
    absent = object()
    saved = {name: app.config.get(name, absent) for name in settings}
    app.config.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is absent:
                app.config.pop(name, None)
            else:
                app.config[name] = value


@pytest.fixture(scope="session")
def app():
    application = create_app("testing")

    # Each test keeps one app context open (see _clean_state) and Flask reuses it for every request
    # the test makes, so `g` would carry the logged-in user, the API token's user and the locale
    # from one request into the next. Production starts every request with a fresh `g`; so do tests.
    def fresh_request_globals(sender, **extra):
        g.__dict__.clear()

    request_started.connect(fresh_request_globals, application, weak=False)
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables, an empty search index, outbox and rate limits."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if is_postgres():
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))
    from app.search import clear_index

    clear_index()
    for outbox in (app.config["MAIL_OUTBOX_DIR"], app.config["TEXT_OUTBOX_DIR"]):
        if os.path.isdir(outbox):
            for name in os.listdir(outbox):
                os.remove(os.path.join(outbox, name))
    shutil.rmtree(app.config["UPLOAD_DIR"], ignore_errors=True)  # the folder storage starts empty too
    limiter.reset()
    ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """login(user) logs the test client in through the real login form."""

    def do_login(user, password="password123"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do_login


@pytest.fixture
def auth_header(client):
    """auth_header(user) -> {"Authorization": "Bearer ..."} from POST /api/v1/tokens."""

    def make(user, password="password123"):
        response = client.post("/api/v1/tokens", json={"email": user.email, "password": password})
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return make


@pytest.fixture
def count_queries(app):
    """with count_queries() as queries: ...; len(queries) is the number of SQL statements run."""

    @contextlib.contextmanager
    def counter():
        statements: list[str] = []

        def before_execute(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_execute)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before_execute)

    return counter
