"""The API contract: tokens, Bearer auth, revocation, /me, and JSON (never HTML) for every error."""
import pytest
from flask import Blueprint

from app import create_app
from app.extensions import db


def test_token_is_created_with_201_and_works_as_bearer(client, make_user):
    user = make_user(["facilitator"], password="secret-pass-1")
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "secret-pass-1"})
    assert response.status_code == 201 and response.is_json
    token = response.get_json()["token"]
    assert len(token) >= 32
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["id"] == user.id and body["display_name"] == user.display_name
    assert body["roles"] == ["facilitator", "resident"] and body["locale"] == "ko"


@pytest.mark.parametrize("payload", [
    {"email": "nobody@example.kr", "password": "whatever-1"},
    {"email": "user@example.kr", "password": "wrong-password"},
])
def test_wrong_credentials_give_401_json(client, make_user, payload):
    make_user(email="user@example.kr")
    response = client.post("/api/v1/tokens", json=payload)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == 401 and response.get_json()["error"]["message"]


@pytest.mark.parametrize("body", [None, [], {"email": 1, "password": 2}, {"email": "a@b.kr"}])
def test_malformed_token_requests_give_422_json(client, body):
    response = client.post("/api/v1/tokens", json=body) if body is not None else client.post(
        "/api/v1/tokens", data="not json", content_type="text/plain")
    assert response.status_code == 422 and response.is_json and "errors" in response.get_json()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Token abc"])
def test_missing_or_invalid_token_gives_401_json(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"]["code"] == 401


def test_revoked_token_stops_working_and_others_keep_working(client, make_user, auth_header):
    user = make_user()
    first, second = auth_header(user), auth_header(user)
    assert client.delete("/api/v1/tokens/current", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_api_ignores_the_session_cookie(client, make_user, login):
    login(make_user())
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.is_json


def test_api_answers_in_the_users_language(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    client.patch("/api/v1/me", json={"locale": "en"}, headers=headers)
    response = client.put("/api/v1/me/consents/location", json={"granted": "maybe"}, headers=headers)
    assert response.get_json()["errors"]["granted"] == ["Send true or false."]


def test_unknown_api_url_is_404_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] == 404 and error["message"]
    assert b"<html" not in response.data


def test_wrong_method_is_405_json_with_allow_header(client):
    response = client.put("/api/v1/tokens", json={})
    assert response.status_code == 405 and response.is_json
    assert response.get_json()["error"]["code"] == 405 and "POST" in response.headers["Allow"]
    assert b"<html" not in response.data


def test_unexpected_error_is_500_json_and_a_page_gets_an_html_500():
    broken = create_app("testing")
    broken.config["PROPAGATE_TEST_ERRORS"] = False
    failing = Blueprint("failing", __name__)

    @failing.route("/api/v1/test-failure")
    def api_failure():
        raise RuntimeError("boom")

    @failing.route("/test-failure")
    def page_failure():
        raise RuntimeError("boom")

    broken.register_blueprint(failing)
    broken.logger.disabled = True
    with broken.app_context():
        test_client = broken.test_client()
        api = test_client.get("/api/v1/test-failure")
        page = test_client.get("/test-failure")
        db.session.remove()
        db.engine.dispose()
    assert api.status_code == 500 and api.is_json
    assert api.get_json()["error"]["code"] == 500 and "boom" not in api.get_data(as_text=True)
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "boom" not in page.get_data(as_text=True)


def test_api_responses_are_json_and_have_security_headers(client):
    response = client.get("/api/v1/districts")
    assert response.is_json
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    items = response.get_json()["items"]
    assert {"code": "baebang", "name_ko": "배방읍", "name_en": "Baebang-eup"} in items


def test_paginated_lists_cap_per_page_at_100(client, make_user, auth_header):
    admin = make_user(["admin"])
    headers = auth_header(admin)
    body = client.get("/api/v1/admin/users?per_page=1000&page=1", headers=headers).get_json()
    assert body["per_page"] == 100 and set(body) == {"items", "total", "page", "per_page"}
    assert client.get("/api/v1/admin/users?page=-3", headers=headers).get_json()["page"] == 1
