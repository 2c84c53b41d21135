"""CSRF, rate limits, security headers and cookie flags."""
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.extensions import db, limiter
from config import ProductionConfig


@pytest.fixture
def csrf_client():
    """A client of an app with CSRF protection on, as in production."""
    protected = create_app("testing")
    protected.config["WTF_CSRF_ENABLED"] = True
    with protected.app_context():
        yield protected.test_client()
        db.session.remove()
        db.engine.dispose()  # close its pooled connections now, not whenever the garbage collector runs


SIGNUP = {"email": "csrf@example.kr", "password": "long-enough-1", "display_name": "주민", "district": "onyang1",
          "birth_year": "1990", "consent_privacy": "y"}


def test_post_without_csrf_token_is_rejected_with_a_translated_400_and_saves_nothing(csrf_client):
    response = csrf_client.post("/signup", data=SIGNUP)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "양식" in html and "만료" in html  # the Korean explanation, not Werkzeug's English page
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_post_with_a_forged_csrf_token_is_rejected(csrf_client):
    response = csrf_client.post("/signup", data={**SIGNUP, "csrf_token": "forged"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_post_with_the_pages_csrf_token_is_accepted(csrf_client):
    page = csrf_client.get("/signup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/signup", data={**SIGNUP, "csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_logout_and_a_residents_own_preferences_are_csrf_protected(csrf_client):
    assert csrf_client.post("/logout").status_code == 400
    page = csrf_client.get("/signup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert csrf_client.post("/signup", data={**SIGNUP, "csrf_token": token}).status_code == 302
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = {"email": SIGNUP["email"], "password": SIGNUP["password"], "csrf_token": token}
    assert csrf_client.post("/login", data=login).status_code == 302
    assert 'action="/logout"' in csrf_client.get("/account").get_data(as_text=True)  # signed in
    for path, data in (("/language", {"locale": "en"}), ("/text-size", {"size": "large"})):
        assert csrf_client.post(path, data=data).status_code == 400
        assert csrf_client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    user = db.session.scalar(select(User))
    assert (user.locale, user.text_size) != ("en", "large")
    page = csrf_client.get("/proposals/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # the preference forms carry one
    assert csrf_client.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_a_visitors_language_and_text_size_need_no_token_and_their_pages_carry_none(csrf_client):
    """They change nothing but the requester's own browser; so pages for visitors are the same for everyone."""
    page = csrf_client.get("/proposals/")
    assert "csrf_token" not in page.get_data(as_text=True) and "Set-Cookie" not in page.headers
    assert csrf_client.post("/language", data={"locale": "en"}).status_code == 302
    assert csrf_client.post("/text-size", data={"size": "large"}).status_code == 302
    assert csrf_client.get_cookie("session") is not None  # the language, kept in the browser's session
    larger = csrf_client.get("/proposals/").get_data(as_text=True)
    assert 'class="text-large"' in larger and "csrf_token" not in larger


def test_api_needs_no_csrf_token(csrf_client):
    response = csrf_client.post("/api/v1/tokens", json={"email": "x@example.kr", "password": "whatever-1"})
    assert response.status_code == 401


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_contain_no_inline_script_or_style(client, make_user, login):
    admin = make_user(["admin"])
    login(admin)
    for url in ("/", "/account", "/account/access-log", "/notifications/", "/admin/users",
                f"/admin/users/{admin.id}", "/admin/audit"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "https://" not in html, url  # nothing from a CDN


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "password123", "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain http in development and tests
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember


def test_production_refuses_the_development_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", "https://maeul.asan.go.kr")
    monkeypatch.setattr(ProductionConfig, "DATA_ENCRYPTION_KEY", "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=")
    production = create_app("production")
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    assert production.config["SESSION_COOKIE_HTTPONLY"] and production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = production.test_client().get("/api/v1/districts")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


LIMIT = 10


def test_login_is_rate_limited_per_ip_with_a_translated_429(client):
    for number in range(LIMIT):
        client.post("/login", data={"email": f"guess{number}@example.kr", "password": "wrong-password"})
    response = client.post("/login", data={"email": "another@example.kr", "password": "wrong-password"})
    assert response.status_code == 429
    assert "요청이 너무 많습니다" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only the attempts are limited, not the page


def test_login_is_rate_limited_per_account_across_addresses(client, make_user):
    user = make_user()
    for number in range(LIMIT):
        client.post("/login", data={"email": user.email, "password": "wrong-password"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{number + 1}"})
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "password123"},
                           environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 429 and response.is_json
    assert response.get_json()["error"]["code"] == 429
    other = make_user()
    ok = client.post("/api/v1/tokens", json={"email": other.email, "password": "password123"},
                     environ_base={"REMOTE_ADDR": "10.0.1.2"})
    assert ok.status_code == 201


def test_token_endpoint_is_rate_limited_per_ip(client):
    for number in range(LIMIT):
        client.post("/api/v1/tokens", json={"email": f"guess{number}@example.kr", "password": "x-wrong-1"})
    response = client.post("/api/v1/tokens", json={"email": "last@example.kr", "password": "x-wrong-1"})
    assert response.status_code == 429 and response.is_json
    assert "Retry-After" in response.headers or "X-RateLimit-Reset" in response.headers


def test_password_reset_requests_are_rate_limited(client):
    for _ in range(LIMIT):
        client.post("/password/forgot", data={"email": "someone@example.kr"})
    assert client.post("/password/forgot", data={"email": "someone@example.kr"}).status_code == 429
    assert client.post("/api/v1/password-resets", json={"email": "someone@example.kr"}).status_code == 429


def test_limits_are_reset_between_tests(client, make_user):
    """conftest resets the limiter after each test, so other tests can log in freely."""
    assert limiter.enabled
    user = make_user()
    assert client.post("/login", data={"email": user.email, "password": "password123"}).status_code == 302
