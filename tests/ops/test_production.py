"""Production serving: health checks, request ids in logs/error pages/API errors, hashed static names."""
from __future__ import annotations

import io
import json
import logging

from app.ops.logs import JsonFormatter
from app.ops.static import build_manifest, load_manifest, static_url
from tests.serving import Server, request


def test_healthz_answers_and_readyz_reports_every_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "search": "ok",
                                                               "redis": "not configured"}}


def test_readyz_is_503_naming_redis_when_redis_is_down(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/13")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["redis"] and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("down: ")


def test_readyz_is_503_naming_search_when_the_index_cannot_be_read(app, client, monkeypatch, tmp_path):
    not_a_directory = tmp_path / "index"
    not_a_directory.write_text("broken")
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(not_a_directory))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["search"]


def test_request_id_is_sent_back_and_shown_on_the_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    rid = response.headers["X-Request-ID"]
    assert len(rid) == 32
    assert rid in response.get_data(as_text=True)
    # The proxy's id is kept, so nginx's log and ours agree; anything odd is replaced.
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-abc12345"})
    assert kept.headers["X-Request-ID"] == "nginx-abc12345"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_api_error_bodies_carry_the_request_id(client, make_user, auth_header):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.get_json()["error"]["request_id"] == response.headers["X-Request-ID"]
    unauthorised = client.get("/api/v1/me")
    assert unauthorised.status_code == 401
    assert unauthorised.get_json()["error"]["request_id"] == unauthorised.headers["X-Request-ID"]


def test_an_unexpected_error_is_one_json_log_line_with_the_id_shown_to_the_user(app, client, monkeypatch):
    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(app.view_functions, "ops.healthz", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    # Alembic's fileConfig (tests/test_migrations.py, in this same process) disables existing loggers.
    monkeypatch.setattr(app.logger, "disabled", False)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    app.logger.addHandler(handler)
    try:
        page = client.get("/healthz")
    finally:
        app.logger.removeHandler(handler)
    assert page.status_code == 500
    rid = page.headers["X-Request-ID"]
    assert rid in page.get_data(as_text=True)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["request_id"] == rid and entry["level"] == "ERROR" and entry["path"] == "/healthz"
    assert "disk on fire" in entry["exception"]


def test_gunicorn_serves_with_json_access_lines_and_readyz_names_what_is_down(tmp_path):
    index_file = tmp_path / "index"
    index_file.write_text("broken")
    server = Server(tmp_path, workers=1, env={
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.db",
        "REDIS_URL": "redis://127.0.0.1:1/13",
        "SEARCH_INDEX_DIR": str(index_file),
    })
    try:
        status, headers, body = request("GET", f"{server.base}/readyz")
        assert status == 503
        assert json.loads(body)["down"] == ["database", "redis", "search"]
        rid = headers["x-request-id"][0]
        status, _, _ = request("GET", f"{server.base}/healthz", headers={"X-Request-ID": "probe-12345678"})
        assert status == 200
    finally:
        server.stop()
    entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    access = {e["request_id"]: e for e in entries if e.get("event") == "request"}
    assert access[rid]["path"] == "/readyz" and access[rid]["status"] == 503
    assert isinstance(access[rid]["duration_ms"], float)
    assert access["probe-12345678"]["status"] == 200
    # The failed checks were logged by the app as JSON lines carrying the same request id.
    warnings = [e for e in entries if e.get("logger") == "maeul.ops" and e["request_id"] == rid]
    assert {w["message"].split()[2] for w in warnings} == {"database", "redis", "search"}


def test_static_files_get_content_hashed_names(app, tmp_path, monkeypatch):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body{}")
    manifest = build_manifest(tmp_path)
    hashed = manifest["css/site.css"]
    assert hashed.startswith("css/site.") and hashed.endswith(".css") and (tmp_path / hashed).read_text() == "body{}"
    # A changed file gets a new name and the old copy is removed; built copies are never hashed again.
    (tmp_path / "css" / "site.css").write_text("body{color:red}")
    again = build_manifest(tmp_path)
    assert again["css/site.css"] != hashed and not (tmp_path / hashed).exists() and len(again) == 1
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setitem(app.extensions, "maeul_static_manifest", load_manifest(app))
    with app.test_request_context():
        assert static_url("css/site.css") == "/static/" + again["css/site.css"]
        assert static_url("js/unlisted.js") == "/static/js/unlisted.js"
