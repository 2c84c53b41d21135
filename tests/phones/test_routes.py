"""Phone pages and API: the account's phone, sign-up with a phone, recovery by phone, limits and rejections."""
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.phones import services
from app.phones.models import PhoneCode, UserPhone

NUMBER = "01055501234"
PASSWORD = "river-walk-Onyang-71"


def test_a_resident_verifies_a_phone_on_the_account_page(app, client, make_user, login, last_code):
    user = make_user()
    login(user)
    assert client.get("/account/phone").status_code == 200
    sent = client.post("/account/phone/code", data={"phone": "010-5550-1234"})
    assert sent.status_code == 200 and 'name="code"' in sent.get_data(as_text=True)
    wrong = client.post("/account/phone", data={"phone": "010-5550-1234", "code": "12345"})
    assert wrong.status_code == 422 and "6자리" in wrong.get_data(as_text=True)
    answer = client.post("/account/phone", data={"phone": "010-5550-1234", "code": last_code(NUMBER)})
    assert answer.status_code == 302
    page = client.get("/account/phone").get_data(as_text=True)
    assert "010-****-1234" in page and "01055501234" not in page and "010-5550-1234" not in page
    assert client.post("/account/phone/remove").status_code == 302
    assert db.session.get(UserPhone, user.id) is None


def test_a_wrong_code_on_the_page_keeps_the_number_and_says_why(app, client, make_user, login, text_provider):
    login(make_user())
    client.post("/account/phone/code", data={"phone": NUMBER})
    answer = client.post("/account/phone", data={"phone": NUMBER, "code": "000000"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "인증번호가 틀렸거나 만료되었습니다" in html and NUMBER in html


def test_bad_numbers_are_refused_beside_the_field(app, client, make_user, login, text_provider):
    login(make_user())
    answer = client.post("/account/phone/code", data={"phone": "02-123-4567"})
    assert answer.status_code == 422 and "010-1234-5678과 같은" in answer.get_data(as_text=True)
    assert client.post("/account/phone/code", data={"phone": ""}).status_code == 422
    assert text_provider.messages == []


def test_asking_for_codes_is_rate_limited_per_address(app, client, make_user, login, text_provider):
    login(make_user())
    statuses = [client.post("/account/phone/code", data={"phone": f"0101111000{n}"}).status_code for n in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429


def test_phone_pages_need_a_login(app, client):
    assert client.get("/account/phone").status_code == 302
    assert client.post("/account/phone/code", data={"phone": NUMBER}).status_code == 302


def test_sign_up_with_a_verified_phone(app, client, last_code):
    page = client.post("/signup/phone-code", data={"phone": "010 5550 1234"})
    assert page.status_code == 200 and 'value="010 5550 1234"' in page.get_data(as_text=True)
    form = {"email": "new@example.kr", "password": PASSWORD, "display_name": "새주민", "district": "onyang1",
            "birth_year": "1985", "consent_privacy": "y", "consent_notifications": "y", "phone": "010 5550 1234",
            "phone_code": "999999" if last_code(NUMBER) != "999999" else "888888"}
    wrong = client.post("/signup", data=form)
    assert wrong.status_code == 422 and db.session.scalar(select(func.count()).select_from(User)) == 0
    assert 'value="new@example.kr"' in wrong.get_data(as_text=True)  # what was typed is kept
    form["phone_code"] = last_code(NUMBER)
    assert client.post("/signup", data=form).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.kr"))
    assert services.phone_number(user) == NUMBER


def test_sign_up_without_a_phone_still_works_and_a_code_without_a_number_is_refused(app, client):
    form = {"email": "plain@example.kr", "password": PASSWORD, "display_name": "주민", "district": "onyang1",
            "birth_year": "1985", "consent_privacy": "y", "phone_code": "123456"}
    assert client.post("/signup", data=form).status_code == 422
    form.pop("phone_code")
    assert client.post("/signup", data=form).status_code == 302


def test_recovery_by_phone_leads_to_the_reset_page(app, client, make_user, last_code):
    user = make_user()
    services.request_code(NUMBER, "account")
    db.session.commit()
    services.set_user_phone(user, NUMBER, last_code(NUMBER))
    db.session.commit()
    assert client.get("/password/phone").status_code == 200
    sent = client.post("/password/phone", data={"phone": NUMBER})
    assert sent.status_code == 200 and 'name="code"' in sent.get_data(as_text=True)
    answer = client.post("/password/phone", data={"phone": NUMBER, "code": last_code(NUMBER)})
    assert answer.status_code == 302 and "/password/reset/" in answer.headers["Location"]
    assert client.get(answer.headers["Location"]).status_code == 200
    again = client.post("/password/phone", data={"phone": NUMBER, "code": last_code(NUMBER)})  # used once
    assert again.status_code == 422


def test_recovery_for_an_unknown_number_answers_the_same(app, client, text_provider):
    answer = client.post("/password/phone", data={"phone": "01077778888"})
    assert answer.status_code == 200 and 'name="code"' in answer.get_data(as_text=True)
    assert text_provider.messages == []
    assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == 1


def test_api_phone_flow(app, client, make_user, auth_header, last_code, roomy_limit):
    user = make_user()
    headers = auth_header(user)
    assert client.get("/api/v1/me/phone", headers=headers).get_json() == {"phone": None, "verified_at": None}
    assert client.post("/api/v1/me/phone/code", headers=headers, json={}).status_code == 422
    assert client.post("/api/v1/me/phone/code", headers=headers, json={"phone": "12"}).status_code == 422
    assert client.post("/api/v1/me/phone/code", headers=headers, json={"phone": NUMBER}).status_code == 202
    wrong = client.put("/api/v1/me/phone", headers=headers, json={"phone": NUMBER, "code": "000000"})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["errors"]
    assert client.put("/api/v1/me/phone", headers=headers, json={"phone": NUMBER}).status_code == 422
    done = client.put("/api/v1/me/phone", headers=headers, json={"phone": NUMBER, "code": last_code(NUMBER)})
    assert done.status_code == 200 and done.get_json()["phone"] == "010-****-1234"
    assert client.delete("/api/v1/me/phone", headers=headers).status_code == 204
    assert client.delete("/api/v1/me/phone", headers=headers).status_code == 404
    assert client.get("/api/v1/me/phone").status_code == 401


def test_api_sign_up_and_recovery_by_phone(app, client, last_code, roomy_limit):
    assert client.post("/api/v1/signup/phone-code", json={"phone": NUMBER}).status_code == 202
    body = {"email": "api@example.kr", "password": PASSWORD, "display_name": "에이피", "district": "onyang1",
            "birth_year": 1990, "consent_privacy": True, "phone": NUMBER, "phone_code": last_code(NUMBER)}
    assert client.post("/api/v1/users", json=body).status_code == 202
    assert client.post("/api/v1/phone-recovery/code", json={"phone": NUMBER}).status_code == 202
    answer = client.post("/api/v1/phone-recovery", json={"phone": NUMBER, "code": last_code(NUMBER)})
    assert answer.status_code == 200
    reset = client.post(f"/api/v1/password-resets/{answer.get_json()['reset_token']}",
                        json={"new_password": "mountain-path-Baebang-58", "confirm": "mountain-path-Baebang-58"})
    assert reset.status_code in (200, 204), reset.get_json()
    assert client.post("/api/v1/phone-recovery", json={"phone": NUMBER, "code": "123456"}).status_code in (422, 429)
