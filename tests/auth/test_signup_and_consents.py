"""Sign-up and the consent rules: privacy required, optional items separate and withdrawable,
guardian consent under 14, every decision stored with the policy version and time."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import Consent, ConsentItem, User
from app.extensions import db

THIS_YEAR = date.today().year


def signup_form(**overrides):
    data = {
        "email": "new@example.kr", "password": "long-enough-1", "display_name": "새주민",
        "district": "onyang2", "birth_year": "1990", "consent_privacy": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def signup_json(**overrides):
    data = {
        "email": "new@example.kr", "password": "long-enough-1", "display_name": "새주민",
        "district": "onyang2", "birth_year": 1990, "consent_privacy": True,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def consent_rows(user_id: int) -> list[Consent]:
    return db.session.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)).all()


def test_signup_page_creates_a_resident_with_each_consent_recorded_who_then_logs_in(client, app):
    response = client.post("/signup", data=signup_form(consent_location="y"))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db.session.scalar(select(User).where(User.email == "new@example.kr"))
    assert user.display_name == "새주민" and user.district == "onyang2" and user.birth_year == 1990
    assert [r.value for r in user.roles] == ["resident"]
    rows = {row.item: row for row in consent_rows(user.id)}
    assert set(rows) == {ConsentItem.PRIVACY, ConsentItem.NOTIFICATIONS, ConsentItem.LOCATION, ConsentItem.HEALTH}
    assert rows[ConsentItem.PRIVACY].granted and rows[ConsentItem.LOCATION].granted
    assert not rows[ConsentItem.NOTIFICATIONS].granted and not rows[ConsentItem.HEALTH].granted
    for row in rows.values():
        assert row.policy_version == app.config["PRIVACY_POLICY_VERSION"]
        assert row.created_at is not None
    assert client.get("/account").status_code == 302  # not logged in: the answer must not differ from a taken email
    assert client.post("/login", data={"email": "new@example.kr", "password": "long-enough-1"}).status_code == 302
    assert client.get("/account").status_code == 200


def test_signup_page_lists_consent_items_separately(client):
    html = client.get("/signup").get_data(as_text=True)
    for name in ("consent_privacy", "consent_notifications", "consent_location", "consent_health"):
        assert f'name="{name}"' in html
    assert html.count('type="checkbox"') >= 5


@pytest.mark.parametrize("overrides, field_message", [
    ({"consent_privacy": None}, "개인정보"),
    ({"email": "not-an-email"}, "올바른 이메일"),
    ({"password": "short"}, "8"),
    ({"display_name": "x"}, "2"),
    ({"district": "gangnam"}, "동"),
    ({"birth_year": "1800"}, "1900"),
    ({"birth_year": "abc"}, "출생"),
    ({"password": "12345678"}, "가장 흔한 비밀번호"),
    ({"password": "password"}, "가장 흔한 비밀번호"),
    ({"password": "new@example.kr"}, "이메일 주소나 이름"),
    ({"password": "new-example-1", "email": "new-example-1@example.kr"}, "이메일 주소나 이름"),
    ({"password": "새주민새주민1234"}, "이메일 주소나 이름"),
    ({"password": "aaaaaaaaaaaa"}, "쉽게 알아낼 수 있는"),
])
def test_signup_page_rejects_bad_input_with_a_korean_message_and_saves_nothing(client, overrides, field_message):
    response = client.post("/signup", data=signup_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error"' in html and field_message in html
    assert user_count() == 0


def test_under_14_without_guardian_is_rejected_on_the_page(client):
    response = client.post("/signup", data=signup_form(birth_year=str(THIS_YEAR - 10)))
    assert response.status_code == 422
    assert "법정대리인의 이름과 동의가 필요합니다" in response.get_data(as_text=True)
    assert user_count() == 0


def test_under_14_with_guardian_name_but_no_consent_is_rejected(client):
    response = client.post("/signup", data=signup_form(birth_year=str(THIS_YEAR - 10), guardian_name="김보호"))
    assert response.status_code == 422
    assert user_count() == 0


def test_under_14_with_guardian_consent_is_accepted_and_recorded(client):
    response = client.post("/signup", data=signup_form(
        birth_year=str(THIS_YEAR - 10), guardian_name="김보호", guardian_consent="y"))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.guardian_name == "김보호"
    guardian = [row for row in consent_rows(user.id) if row.item is ConsentItem.GUARDIAN]
    assert len(guardian) == 1 and guardian[0].granted and guardian[0].guardian_name == "김보호"


def test_14_and_older_needs_no_guardian_and_a_given_guardian_name_is_not_stored(client):
    response = client.post("/signup", data=signup_form(birth_year=str(THIS_YEAR - 14), guardian_name="누군가"))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.guardian_name is None
    assert ConsentItem.GUARDIAN not in {row.item for row in consent_rows(user.id)}


def _outbox(app) -> list:
    from tests.auth.test_login_and_passwords import outbox_messages

    return outbox_messages(app)


def test_a_taken_email_gets_the_same_answer_and_its_owner_a_mail(client, app, make_user):
    owner = make_user(email="taken@example.kr")
    taken = client.post("/signup", data=signup_form(email="Taken@Example.kr"))
    new = client.post("/signup", data=signup_form(email="fresh@example.kr"))
    assert (taken.status_code, taken.headers["Location"]) == (new.status_code, new.headers["Location"])
    assert user_count() == 2
    assert db.session.get(User, owner.id).display_name == owner.display_name  # the owner's account is untouched
    api_taken = client.post("/api/v1/users", json=signup_json(email="taken@example.kr"))
    api_new = client.post("/api/v1/users", json=signup_json(email="other@example.kr"))
    assert (api_taken.status_code, api_taken.get_json()) == (api_new.status_code, api_new.get_json()) == (
        202, {"status": "accepted"})
    mails = {}
    for message in _outbox(app):
        mails.setdefault(message["To"], []).append(message["Subject"])
    assert mails["taken@example.kr"] == ["누군가 회원님의 이메일로 가입하려고 했습니다"] * 2
    assert mails["fresh@example.kr"] == ["마을에 오신 것을 환영합니다"]


def test_api_signup_creates_an_account(client):
    response = client.post("/api/v1/users", json=signup_json(consent_health=True))
    assert response.status_code == 202 and response.get_json() == {"status": "accepted"}
    user = db.session.scalar(select(User).where(User.email == "new@example.kr"))
    assert user.display_name == "새주민" and [r.value for r in user.roles] == ["resident"]
    rows = {row.item: row.granted for row in consent_rows(user.id)}
    assert rows[ConsentItem.HEALTH] is True and rows[ConsentItem.LOCATION] is False


def test_api_signup_refuses_a_weak_password_with_the_reason(client):
    response = client.post("/api/v1/users", json=signup_json(password="password1234"),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and user_count() == 0
    assert response.get_json()["errors"]["password"] == [
        "This is one of the most common passwords. Choose one that others do not use."]


def test_api_signup_under_14_without_guardian_is_rejected(client):
    response = client.post("/api/v1/users", json=signup_json(birth_year=THIS_YEAR - 8))
    assert response.status_code == 422
    assert "guardian_name" in response.get_json()["errors"]
    assert user_count() == 0


def test_api_signup_without_privacy_consent_is_rejected(client):
    response = client.post("/api/v1/users", json=signup_json(consent_privacy=False))
    assert response.status_code == 422
    assert response.get_json()["errors"]["consent_privacy"]
    assert user_count() == 0


def test_api_signup_rejects_unknown_fields_and_bad_types(client):
    response = client.post("/api/v1/users", json=signup_json(is_admin=True, birth_year="soon"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "is_admin" in errors and "birth_year" in errors
    assert user_count() == 0
    assert client.post("/api/v1/users", data="nonsense", content_type="application/json").status_code == 422


def test_optional_consents_can_be_withdrawn_and_given_again_on_the_account_page(client, make_user, login):
    user = make_user()
    login(user)
    assert client.post("/account/consents", data={"consent_location": "y"}).status_code == 302
    assert client.post("/account/consents", data={}).status_code == 302
    location = [row.granted for row in consent_rows(user.id) if row.item is ConsentItem.LOCATION]
    assert location == [False, True, False]  # sign-up decision, given, withdrawn: history kept
    html = client.get("/account").get_data(as_text=True)
    assert "동의하지 않음" in html


def test_privacy_consent_cannot_be_withdrawn_through_the_api(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    response = client.put("/api/v1/me/consents/privacy", json={"granted": False}, headers=headers)
    assert response.status_code == 422
    assert all(row.granted for row in consent_rows(user.id) if row.item is ConsentItem.PRIVACY)


def test_api_lists_and_changes_optional_consents(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    response = client.put("/api/v1/me/consents/notifications", json={"granted": True}, headers=headers)
    assert response.status_code == 200
    items = {entry["item"]: entry for entry in response.get_json()["items"]}
    assert items["notifications"]["granted"] is True
    assert items["privacy"]["required"] is True and items["privacy"]["granted"] is True
    assert items["notifications"]["policy_version"] and items["notifications"]["decided_at"].endswith("Z")
    assert client.put("/api/v1/me/consents/notifications", json={"granted": "yes"}, headers=headers).status_code == 422
    assert client.put("/api/v1/me/consents/unknown", json={"granted": True}, headers=headers).status_code == 404
    listed = client.get("/api/v1/me/consents", headers=headers).get_json()["items"]
    assert {entry["item"] for entry in listed} >= {"privacy", "notifications", "location", "health"}
