"""Guesses of the current password (password change, deactivation; page and API) are rate limited
like log-in: per address and per account, the account's bucket shared with log-in."""
import pytest

from app.auth.models import User
from app.extensions import db, limiter

LIMIT = 10
NEW = "quiet-maple-harbor-7"


def _attempt(client, via, what, headers, address):
    environ = {"REMOTE_ADDR": address}
    if via == "page" and what == "change":
        return client.post("/account/password", data={"current_password": "wrong-guess", "new_password": NEW,
                                                      "confirm": NEW}, environ_base=environ)
    if via == "page":
        return client.post("/account/deactivate", data={"password": "wrong-guess", "confirm": "y"},
                           environ_base=environ)
    if what == "change":
        return client.post("/api/v1/me/password", headers=headers, environ_base=environ,
                           json={"current_password": "wrong-guess", "new_password": NEW, "confirm": NEW})
    return client.delete("/api/v1/me", headers=headers, json={"password": "wrong-guess"}, environ_base=environ)


@pytest.mark.parametrize("what", ["change", "deactivate"])
@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("spread", [False, True], ids=["one-address", "many-addresses"])
def test_current_password_guesses_get_429(client, app, make_user, login, auth_header, via, what, spread):
    user = make_user()
    headers = auth_header(user) if via == "api" else None
    if via == "page":
        login(user)
    limiter.reset()  # the log-in above counted against the account too
    for number in range(LIMIT):
        response = _attempt(client, via, what, headers, f"10.1.0.{number + 1}" if spread else "10.1.0.1")
        assert response.status_code != 429, number
    blocked = _attempt(client, via, what, headers, "10.1.1.1" if spread else "10.1.0.1")
    assert blocked.status_code == 429
    if via == "api":
        assert blocked.get_json()["error"]["code"] == 429
    else:
        assert "요청이 너무 많습니다" in blocked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).active


def test_the_account_bucket_is_shared_with_log_in(client, make_user, login):
    user = make_user()
    login(user)
    for number in range(LIMIT - 1):
        client.post("/account/password", data={"current_password": "wrong-guess", "new_password": NEW, "confirm": NEW},
                    environ_base={"REMOTE_ADDR": f"10.2.0.{number + 1}"})
    other = client.application.test_client()
    response = other.post("/login", data={"email": user.email, "password": "password123"},
                          environ_base={"REMOTE_ADDR": "10.2.1.1"})
    assert response.status_code == 429
