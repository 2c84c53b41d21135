"""Residents view and correct their own data, see their access log and export everything."""
import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Consent, ConsentItem, User
from app.extensions import db

THIS_YEAR = date.today().year


def profile(**overrides):
    data = {"display_name": "고친이름", "district": "baebang", "birth_year": "1985"}
    data.update(overrides)
    return data


def test_account_page_shows_and_corrects_the_residents_details(client, make_user, login):
    user = make_user(display_name="원래이름")
    login(user)
    html = client.get("/account").get_data(as_text=True)
    assert "원래이름" in html and "1980" in html and 'name="birth_year"' in html
    response = client.post("/account/profile", data=profile())
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.display_name, stored.district, stored.birth_year) == ("고친이름", "baebang", 1985)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.update_profile"))
    assert sorted(entry.details["fields"]) == ["birth_year", "display_name", "district"]
    assert "배방읍" in client.get("/account").get_data(as_text=True)


def test_profile_correction_rejects_bad_input_and_changes_nothing(client, make_user, login):
    user = make_user(display_name="원래이름")
    login(user)
    for bad in (profile(display_name="x"), profile(district="nowhere"), profile(birth_year="3000")):
        response = client.post("/account/profile", data=bad)
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "원래이름"


def test_a_birth_year_under_14_needs_a_guardian_when_corrected(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/profile", data=profile(birth_year=str(THIS_YEAR - 12)))
    assert response.status_code == 422
    assert "법정대리인" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).birth_year == 1980
    response = client.post("/account/profile", data=profile(
        birth_year=str(THIS_YEAR - 12), guardian_name="김보호", guardian_consent="y"))
    assert response.status_code == 302
    guardian = db.session.scalars(select(Consent).where(Consent.user_id == user.id,
                                                        Consent.item == ConsentItem.GUARDIAN)).all()
    assert [row.guardian_name for row in guardian] == ["김보호"]


def test_api_patch_me_corrects_details_and_language(client, make_user, auth_header):
    user = make_user()
    headers = auth_header(user)
    response = client.patch("/api/v1/me", json={"display_name": "API이름", "locale": "en"}, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["display_name"] == "API이름" and body["locale"] == "en" and body["district"] == "onyang1"
    assert client.patch("/api/v1/me", json={"district": "nowhere"}, headers=headers).status_code == 422
    assert client.patch("/api/v1/me", json={"locale": "fr"}, headers=headers).status_code == 422
    unknown = client.patch("/api/v1/me", json={"email": "x@y.kr"}, headers=headers)
    assert unknown.status_code == 422 and "email" in unknown.get_json()["errors"]
    under_14 = client.patch("/api/v1/me", json={"birth_year": THIS_YEAR - 10}, headers=headers)
    assert under_14.status_code == 422 and "guardian_name" in under_14.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(User, user.id).birth_year == 1980


def test_access_log_page_and_api_list_the_residents_sign_ins_only(client, make_user, login, auth_header):
    user, other = make_user(), make_user()
    login(other)
    client.post("/logout")
    headers = auth_header(user)
    login(user)
    html = client.get("/account/access-log").get_data(as_text=True)
    assert html.count("<tr>") == 1 + 2  # header + api sign-in + page sign-in of this user only
    body = client.get("/api/v1/me/access-log", headers=headers).get_json()
    assert [item["event"] for item in body["items"]] == ["login", "api_token"]
    assert body["total"] == 2 and body["page"] == 1


def test_export_contains_the_residents_data_and_no_one_elses(client, make_user, login, auth_header):
    user, other = make_user(display_name="내이름"), make_user(display_name="남의이름")
    headers = auth_header(user)
    login(user)
    client.post("/account/consents", data={"consent_health": "y"})
    response = client.get("/account/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    text = archive.read("data.json").decode()
    data = json.loads(text)
    assert data["account"]["display_name"] == "내이름" and data["account"]["email"] == user.email
    assert data["account"]["birth_year"] == 1980
    assert [c["item"] for c in data["consents"] if c["granted"]] == ["privacy", "health"]
    assert {row["event"] for row in data["access_log"]} == {"api_token", "login"}
    assert len(data["api_tokens"]) == 1 and "token_hash" not in data["api_tokens"][0]
    assert "남의이름" not in text and other.email not in text
    api = client.get("/api/v1/me/export?format=json", headers=headers).get_json()
    assert api["account"]["id"] == user.id and api["consents"] == data["consents"]


def test_xss_in_display_name_is_rendered_inert(client, make_user, login):
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    admin = make_user(["admin"])
    victim = make_user()
    login(victim)
    client.post("/account/profile", data=profile(display_name=payload[:30]))
    client.post("/logout")
    login(admin)
    for url in ("/admin/users", f"/admin/users/{victim.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
