"""Kakao (OpenID Connect) and Naver (OAuth 2.0) logins against a provider server on 127.0.0.1."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.auth.models import Consent, ConsentItem, User
from app.auth.services import has_password
from app.extensions import db
from app.social.models import SocialLogin

EN = {"Accept-Language": "en"}
PROFILE = {"district": "onyang2", "birth_year": "1984", "consent_privacy": "y", "consent_notifications": "y"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


@pytest.mark.parametrize("name, email, display_name", [
    ("kakao", "kakao.resident@example.kr", "카카오주민"),
    ("naver", "naver.resident@example.kr", "네이버주민"),
])
def test_first_login_goes_through_consents_then_the_next_login_is_direct(client, provider, start, name, email,
                                                                         display_name):
    callback = start(name)
    response = client.get(callback)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/social/complete")
    page = client.get("/login/social/complete", headers=EN).get_data(as_text=True)
    assert email in page and display_name in page
    if name == "naver":
        assert 'value="1985"' in page  # Naver's profile gives the birth year
    # The privacy consent is required, as in the sign-up form.
    refused = client.post("/login/social/complete", data={**PROFILE, "consent_privacy": "", "email": email,
                                                          "display_name": display_name}, headers=EN)
    assert refused.status_code == 422 and "You must agree to the privacy policy" in refused.get_data(as_text=True)
    assert count(User) == 0
    done = client.post("/login/social/complete", data={**PROFILE, "email": email, "display_name": display_name})
    assert done.status_code == 302 and logged_in(client)
    user = db.session.scalar(select(User))
    assert user.email == email and not has_password(user) and user.district == "onyang2"
    login = db.session.scalar(select(SocialLogin))
    assert (login.provider, login.user_id) == (name, user.id)
    items = {c.item: c.granted for c in db.session.scalars(select(Consent).where(Consent.user_id == user.id))}
    assert items[ConsentItem.PRIVACY] and items[ConsentItem.NOTIFICATIONS] and not items[ConsentItem.HEALTH]
    client.post("/logout")
    assert not logged_in(client)
    # Next time: straight in, no form, the same account.
    again = client.get(start(name))
    assert again.status_code == 302 and again.headers["Location"] == "/"
    assert logged_in(client) and count(User) == 1


def test_under_14_needs_a_guardian_on_the_first_login(client, provider, start):
    client.get(start("kakao"))
    young = {**PROFILE, "birth_year": "2018", "email": "kid@example.kr", "display_name": "어린이"}
    refused = client.post("/login/social/complete", data=young, headers=EN)
    assert refused.status_code == 422 and "under 14 need a guardian" in refused.get_data(as_text=True)
    assert count(User) == 0
    ok = client.post("/login/social/complete", data={**young, "guardian_name": "보호자", "guardian_consent": "y"})
    assert ok.status_code == 302
    user = db.session.scalar(select(User))
    assert user.guardian_name == "보호자"


def test_refused_consent_creates_nothing(client, provider, start):
    provider.mode = "deny"
    response = client.get(start("kakao"), headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "You cancelled the login with Kakao" in client.get("/login", headers=EN).get_data(as_text=True)
    assert count(User) == 0 and provider.token_requests == 0


@pytest.mark.parametrize("name", ["kakao", "naver"])
def test_state_mismatch_is_refused_before_the_code_is_used(client, provider, start, name):
    callback = start(name)
    forged = callback.replace("state=", "state=x")
    response = client.get(forged, headers=EN)
    assert response.status_code == 400
    assert "did not start here" in response.get_data(as_text=True)
    assert provider.token_requests == 0 and count(User) == 0
    # The flow is used up: the genuine callback afterwards is refused as well.
    assert client.get(callback).status_code == 400


def test_a_callback_nobody_started_is_refused(client, provider):
    assert client.get("/login/kakao/callback?code=abc&state=def").status_code == 400
    assert provider.token_requests == 0


@pytest.mark.parametrize("name", ["kakao", "naver"])
def test_a_reused_authorization_code_is_refused(client, provider, start, name):
    first = start(name)
    client.get(first)
    old_code = parse_qs(urlsplit(first).query)["code"][0]
    second = start(name)
    state = parse_qs(urlsplit(second).query)["state"][0]
    response = client.get(f"/login/{name}/callback?code={old_code}&state={state}", headers=EN)
    assert response.status_code == 400
    assert "the code was refused" in response.get_data(as_text=True)


@pytest.mark.parametrize("mode", ["bad_signature", "bad_nonce"])
def test_an_id_token_with_a_bad_signature_or_nonce_is_refused(client, provider, start, mode):
    provider.mode = mode
    response = client.get(start("kakao"), headers=EN)
    assert response.status_code == 400
    assert "could not be verified" in response.get_data(as_text=True)
    assert not logged_in(client) and client.get("/login/social/complete").status_code == 302


@pytest.mark.parametrize("name", ["kakao", "naver"])
@pytest.mark.parametrize("mode", ["down", "slow"])
def test_provider_down_or_too_slow_is_a_clear_answer(client, provider, start, name, mode):
    callback = start(name)
    provider.mode, provider.delay = mode, 2.0
    response = client.get(callback, headers=EN)
    assert response.status_code == 502
    assert "did not answer" in response.get_data(as_text=True)
    assert count(User) == 0


def test_first_login_never_takes_over_an_account_with_the_same_email(client, provider, start, make_user):
    owner = make_user(email="kakao.resident@example.kr")
    client.get(start("kakao"))
    response = client.post("/login/social/complete", data={**PROFILE, "email": "kakao.resident@example.kr",
                                                           "display_name": "가짜"}, headers=EN)
    assert response.status_code == 422
    assert "An account already uses this email" in response.get_data(as_text=True)
    assert count(SocialLogin) == 0 and count(User) == 1 and owner.active


def test_link_and_unlink_from_the_account_page(client, provider, login, make_user):
    from tests.social.conftest import visit_provider

    user = make_user()
    login(user)
    page = client.get("/account/logins", headers=EN).get_data(as_text=True)
    assert "Link Kakao" in page and "Link Naver" in page
    response = client.post("/account/logins/kakao/link")
    back = client.get(visit_provider(response.headers["Location"]), headers=EN)
    assert back.status_code == 302 and back.headers["Location"].endswith("/account/logins")
    assert db.session.scalar(select(SocialLogin.user_id).where(SocialLogin.provider == "kakao")) == user.id
    # Logging in with Kakao now opens this account.
    client.post("/logout")
    response = client.get("/login/kakao")
    client.get(visit_provider(response.headers["Location"]))
    assert logged_in(client) and client.get("/api/v1/me/logins").status_code == 401  # (pages only: no token)
    # It has a password, so Kakao can go.
    response = client.post("/account/logins/kakao/unlink", headers=EN, follow_redirects=True)
    assert "Kakao is no longer linked" in response.get_data(as_text=True)
    assert count(SocialLogin) == 0


def test_the_same_provider_identity_cannot_be_linked_to_two_accounts(client, provider, login, make_user, start):
    from tests.social.conftest import visit_provider

    first, second = make_user(), make_user()
    login(first)
    client.get(visit_provider(client.post("/account/logins/naver/link").headers["Location"]))
    client.post("/logout")
    login(second)
    response = client.get(visit_provider(client.post("/account/logins/naver/link").headers["Location"]),
                          headers=EN, follow_redirects=True)
    assert "linked to another Maeul account" in response.get_data(as_text=True)
    assert db.session.scalar(select(SocialLogin.user_id)) == first.id


def test_the_only_way_to_log_in_cannot_be_unlinked(client, provider, start, auth_header):
    client.get(start("kakao"))
    client.post("/login/social/complete", data={**PROFILE, "email": "only@example.kr", "display_name": "카카오만"})
    response = client.post("/account/logins/kakao/unlink", headers=EN, follow_redirects=True)
    assert "This is your only way to log in" in response.get_data(as_text=True)
    assert count(SocialLogin) == 1
    # With Naver linked too, Kakao may go; Naver then stays.
    from tests.social.conftest import visit_provider

    client.get(visit_provider(client.post("/account/logins/naver/link").headers["Location"]))
    assert count(SocialLogin) == 2
    client.post("/account/logins/kakao/unlink")
    assert [row.provider for row in db.session.scalars(select(SocialLogin))] == ["naver"]
    refused = client.post("/account/logins/naver/unlink", headers=EN, follow_redirects=True)
    assert "only way to log in" in refused.get_data(as_text=True) and count(SocialLogin) == 1


def test_api_lists_and_unlinks_with_the_same_rule(client, provider, login, make_user, auth_header):
    from tests.social.conftest import visit_provider

    user = make_user()
    login(user)
    client.get(visit_provider(client.post("/account/logins/kakao/link").headers["Location"]))
    headers = auth_header(user)
    body = client.get("/api/v1/me/logins", headers=headers).get_json()
    assert body["password"] is True and body["available"] == ["kakao", "naver"]
    assert [row["provider"] for row in body["linked"]] == ["kakao"]
    assert client.delete("/api/v1/me/logins/naver", headers=headers).status_code == 404
    assert client.delete("/api/v1/me/logins/line", headers=headers).status_code == 404
    assert client.delete("/api/v1/me/logins/kakao", headers=headers).get_json()["linked"] == []


def test_a_switched_off_provider_is_not_offered(client, provider, app):
    app.config["NAVER_ENABLED"] = False
    page = client.get("/login", headers=EN).get_data(as_text=True)
    assert "Log in with Kakao" in page and "Log in with Naver" not in page
    assert client.get("/login/naver").status_code == 404
    assert client.get("/login/naver/callback?code=a&state=b").status_code == 404


def test_without_configuration_no_provider_is_offered(client):
    page = client.get("/login", headers=EN).get_data(as_text=True)
    assert "Log in with" not in page
    assert client.get("/login/kakao").status_code == 404
