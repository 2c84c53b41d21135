"""Log in, log out, change and reset a password, deactivate an account."""
import os
import re
from email import message_from_bytes, policy

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import AccessLog, ApiToken, User
from app.extensions import db

WRONG = "이메일 또는 비밀번호가 맞지 않습니다"


def outbox_messages(app):
    folder = app.config["MAIL_OUTBOX_DIR"]
    if not os.path.isdir(folder):
        return []
    messages = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            messages.append(message_from_bytes(handle.read(), policy=policy.default))
    return messages


def reset_link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/password/reset/\S+", body).group().replace("http://maeul.test", "")


def test_login_and_logout(client, make_user):
    user = make_user(password="correct-horse")
    response = client.post("/login", data={"email": user.email.upper(), "password": "correct-horse"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302  # back to the login page
    events = db.session.scalars(select(AccessLog.event).where(AccessLog.user_id == user.id)).all()
    assert events == ["login", "logout"]


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    wrong_password = client.post("/login", data={"email": user.email, "password": "nope-nope"})
    unknown_email = client.post("/login", data={"email": "nobody@example.kr", "password": "nope-nope"})
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert WRONG in wrong_password.get_data(as_text=True) and WRONG in unknown_email.get_data(as_text=True)
    api_wrong = client.post("/api/v1/tokens", json={"email": user.email, "password": "nope-nope"})
    api_unknown = client.post("/api/v1/tokens", json={"email": "nobody@example.kr", "password": "nope-nope"})
    assert api_wrong.status_code == api_unknown.status_code == 401
    assert api_wrong.get_json() == api_unknown.get_json()


def test_failed_logins_are_in_the_owners_access_log(client, make_user, login):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "wrong-password"})
    login(user)
    html = client.get("/account/access-log").get_data(as_text=True)
    assert "로그인 실패" in html and "127.0.0.1" in html


def test_login_follows_only_local_next_urls(client, make_user):
    user = make_user()
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": "password123"})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/account", data={"email": user.email, "password": "password123"})
    assert response.headers["Location"] == "/account"


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user(password="password123")
    assert user.password_hash.startswith("$argon2id$") and "password123" not in user.password_hash


NEW = "quiet-maple-harbor-7"


def test_change_password_needs_the_current_one_and_revokes_tokens(client, make_user, login, auth_header):
    user = make_user()
    headers = auth_header(user)
    login(user)
    client.post("/account/password", data={"current_password": "wrong-one", "new_password": NEW, "confirm": NEW})
    client.post("/account/password", data={"current_password": "password123", "new_password": NEW,
                                           "confirm": "different-1"})
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # nothing changed yet
    response = client.post("/account/password", data={"current_password": "password123",
                                                      "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": "password123"}).status_code == 422
    assert client.post("/login", data={"email": user.email, "password": NEW}).status_code == 302


def test_password_reset_end_to_end_through_the_outbox_and_single_use(client, app, make_user):
    user = make_user()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    messages = outbox_messages(app)
    assert len(messages) == 1 and messages[0]["To"] == user.email
    link = reset_link(messages[0])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": "brand-new-pass-kettle", "confirm": "brand-new-pass-kettle"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login", data={"email": user.email, "password": "brand-new-pass-kettle"}).status_code == 302
    client.post("/logout")
    # The link worked once; a second use is refused and the password stays.
    second = client.post(link, data={"new_password": "another-pass-lantern-1", "confirm": "another-pass-lantern-1"})
    assert second.status_code == 302 and second.headers["Location"] == "/password/forgot"
    assert client.post("/login", data={"email": user.email, "password": "brand-new-pass-kettle"}).status_code == 302


def test_password_reset_link_expires(client, app, make_user):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    link = reset_link(outbox_messages(app)[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        response = client.post(link, data={"new_password": "brand-new-pass-kettle", "confirm": "brand-new-pass-kettle"})
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert response.headers["Location"] == "/password/forgot"
    assert client.post("/login", data={"email": user.email, "password": "password123"}).status_code == 302


def test_password_reset_answers_the_same_for_unknown_email_and_sends_no_link(client, app, make_user):
    known = make_user()
    page_known = client.post("/password/forgot", data={"email": known.email})
    page_unknown = client.post("/password/forgot", data={"email": "nobody@example.kr"})
    assert (page_known.status_code, page_known.headers["Location"]) == (page_unknown.status_code,
                                                                        page_unknown.headers["Location"])
    assert "재설정 링크를 보냈습니다" in client.get("/login").get_data(as_text=True)
    api_known = client.post("/api/v1/password-resets", json={"email": known.email})
    api_unknown = client.post("/api/v1/password-resets", json={"email": "nobody@example.kr"})
    assert (api_known.status_code, api_known.data) == (api_unknown.status_code, api_unknown.data) == (
        202, api_known.data)
    # The same work: one mail either way; only the account's owner gets a link.
    messages = outbox_messages(app)
    assert sorted(m["To"] for m in messages) == sorted([known.email, "nobody@example.kr"] * 2)
    for message in messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert ("/password/reset/" in body) == (message["To"] == known.email)


def test_password_reset_through_the_api(client, app, make_user):
    user = make_user()
    assert client.post("/api/v1/password-resets", json={"email": user.email}).status_code == 202
    token = reset_link(outbox_messages(app)[0]).rsplit("/", 1)[1]
    bad = client.post(f"/api/v1/password-resets/{token}", json={"new_password": "short", "confirm": "short"})
    assert bad.status_code == 422 and "new_password" in bad.get_json()["errors"]
    ok = client.post(f"/api/v1/password-resets/{token}", json={"new_password": "api-new-pass-orchid", "confirm": "api-new-pass-orchid"})
    assert ok.status_code == 204
    again = client.post(f"/api/v1/password-resets/{token}", json={"new_password": "api-new-pass-violet-2", "confirm": "api-new-pass-violet-2"})
    assert again.status_code == 400 and again.get_json()["error"]["message"]
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": "api-new-pass-orchid"}).status_code == 201


def test_deactivation_blocks_login_revokes_tokens_and_is_audited(client, make_user, login, auth_header):
    user = make_user()
    headers = auth_header(user)
    login(user)
    refused = client.post("/account/deactivate", data={"password": "wrong-password", "confirm": "y"})
    assert refused.status_code == 302 and db.session.get(User, user.id).active
    response = client.post("/account/deactivate", data={"password": "password123", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert not stored.active and stored.deactivated_at is not None
    assert client.get("/account").status_code == 302
    assert client.post("/login", data={"email": user.email, "password": "password123"}).status_code == 422
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert all(t.revoked_at for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.deactivate"))
    assert entry.actor_id == user.id and entry.target_id == user.id and entry.created_at is not None


def test_deactivation_through_the_api_needs_the_password(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    assert client.delete("/api/v1/me", json={"password": "wrong"}, headers=headers).status_code == 422
    assert client.delete("/api/v1/me", json={"password": "password123"}, headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": "password123"}).status_code == 401


def test_real_deployments_hash_with_full_strength_argon2():
    from app import create_app
    from app.auth.services import hash_password

    development = create_app("development")
    with development.app_context():
        assert "$m=65536,t=3,p=4$" in hash_password("password123")
