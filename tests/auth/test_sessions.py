"""Log-out, password change (page and API), password reset and deactivation end every other session
of the account: a copied session cookie and a remember-me cookie on its own stop working."""
import pytest
from flask.sessions import SecureCookieSessionInterface

from app.auth import services
from app.auth.models import User
from app.extensions import db
from tests.auth.test_login_and_passwords import outbox_messages, reset_link

NEW = "quiet-maple-harbor-7"


def _log_in(app, user, remember=True):
    """A separate browser: its own client, logged in through the form; returns it with its cookies."""
    browser = app.test_client()
    data = {"email": user.email, "password": "password123"}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    return browser


def _cookie(browser, name):
    cookie = browser.get_cookie(name)
    return cookie.value if cookie else None


def _replay(app, session_cookie=None, remember_cookie=None) -> int:
    """A fresh client carrying only the copied cookies: the status of GET /account."""
    thief = app.test_client()
    if session_cookie:
        thief.set_cookie("session", session_cookie)
    if remember_cookie:
        thief.set_cookie("remember_token", remember_cookie)
    return thief.get("/account").status_code


def _stolen(app, browser) -> dict:
    copies = {"session_cookie": _cookie(browser, "session"), "remember_cookie": _cookie(browser, "remember_token")}
    assert copies["session_cookie"] and copies["remember_cookie"]
    # Both copies work on their own before the event.
    assert _replay(app, session_cookie=copies["session_cookie"]) == 200
    assert _replay(app, remember_cookie=copies["remember_cookie"]) == 200
    return copies


def _assert_ended(app, copies):
    assert _replay(app, session_cookie=copies["session_cookie"]) == 302
    assert _replay(app, remember_cookie=copies["remember_cookie"]) == 302


def test_logout_ends_the_session_and_its_remember_cookie(app, make_user):
    user = make_user()
    browser = _log_in(app, user)
    copies = _stolen(app, browser)
    assert browser.post("/logout").status_code == 302
    _assert_ended(app, copies)


def test_password_change_on_the_page_ends_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user()
    other = _log_in(app, user)
    copies = _stolen(app, other)
    browser = _log_in(app, user)
    response = browser.post("/account/password", data={"current_password": "password123", "new_password": NEW,
                                                       "confirm": NEW})
    assert response.status_code == 302
    _assert_ended(app, copies)
    assert other.get("/account").status_code == 302
    assert browser.get("/account").status_code == 200  # this browser stays logged in
    # ... including its new remember-me cookie, on its own.
    assert _replay(app, remember_cookie=_cookie(browser, "remember_token")) == 200


def test_password_change_through_the_api_ends_browser_sessions(app, client, make_user, auth_header):
    user = make_user()
    copies = _stolen(app, _log_in(app, user))
    response = client.post("/api/v1/me/password", headers=auth_header(user),
                           json={"current_password": "password123", "new_password": NEW, "confirm": NEW})
    assert response.status_code == 204
    _assert_ended(app, copies)


@pytest.mark.parametrize("via", ["page", "api"])
def test_password_reset_ends_every_session(app, client, make_user, via):
    user = make_user()
    copies = _stolen(app, _log_in(app, user))
    client.post("/password/forgot", data={"email": user.email})
    link = reset_link(outbox_messages(app)[0])
    if via == "page":
        assert client.post(link, data={"new_password": NEW, "confirm": NEW}).status_code == 302
    else:
        token = link.rsplit("/", 1)[1]
        assert client.post(f"/api/v1/password-resets/{token}", json={"new_password": NEW, "confirm": NEW}).status_code == 204
    _assert_ended(app, copies)


@pytest.mark.parametrize("via", ["page", "api", "admin"])
def test_deactivation_ends_every_session(app, client, make_user, auth_header, via):
    user = make_user()
    copies = _stolen(app, _log_in(app, user))
    if via == "page":
        browser = _log_in(app, user, remember=False)
        assert browser.post("/account/deactivate", data={"password": "password123", "confirm": "y"}).status_code == 302
    elif via == "api":
        assert client.delete("/api/v1/me", json={"password": "password123"}, headers=auth_header(user)).status_code == 204
    else:
        admin = make_user(["admin"])
        services.deactivate(db.session.get(User, user.id), actor=admin)
        db.session.commit()
    _assert_ended(app, copies)
    # Reactivating the account (an admin's decision) does not bring the old cookies back.
    db.session.get(User, user.id).active = True
    db.session.commit()
    _assert_ended(app, copies)


def test_cookies_from_before_the_session_version_or_forged_ids_open_nothing(app, make_user):
    user = make_user()
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    for user_id in (str(user.id), f"{user.id}:1", f"{user.id}:x", "99999999999999999999:0", f"{user.id}:0:0", ""):
        forged = serializer.dumps({"_user_id": user_id, "_fresh": True})
        assert _replay(app, session_cookie=forged) == 302, user_id
    assert _replay(app, session_cookie=serializer.dumps({"_user_id": f"{user.id}:0", "_fresh": True})) == 200
