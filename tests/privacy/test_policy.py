"""The privacy policy: a public page, versions published by admins, consent records keep the version,
and a changed required item asks residents again at their next log-in."""
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Consent, ConsentItem
from app.extensions import db

POLICY = {"version": "2027-01", "body_ko": "## 수집 항목\n이메일, 이름, 동네", "body_en": "## Items\nEmail, name",
          "changes": "보유 기간을 바꿨습니다."}


def publish(client, **overrides):
    data = {**POLICY, **overrides}
    if data.pop("required_changed", False):
        data["required_changed"] = "y"
    return client.post("/admin/privacy/policies", data=data, headers={"Accept-Language": "en"})


def test_the_built_in_policy_is_public_with_retention_officer_and_rights(client, app):
    html = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Version 2026-11" in html
    assert f"{app.config['PRIVACY_RETENTION_DAYS']['payment_records']} days after the account is closed" in html
    assert app.config["PRIVACY_OFFICER_CONTACT"] in html
    assert "Your right to refuse" in html and "Third parties" in html
    korean = client.get("/privacy").get_data(as_text=True)
    assert "개인정보 처리방침" in korean


def test_the_policy_is_linked_from_the_footer_and_every_consent_box(client, make_user, login):
    for url in ("/", "/signup", "/login", "/proposals/"):
        assert 'href="/privacy"' in client.get(url).get_data(as_text=True), url
    signup = client.get("/signup").get_data(as_text=True)
    consent_box = signup[signup.index("<fieldset>"):signup.index("</fieldset>")]
    assert 'href="/privacy"' in consent_box
    login(make_user())
    account = client.get("/account").get_data(as_text=True)
    consents = account[account.index('id="consents-title"'):]
    assert 'href="/privacy"' in consents[:consents.index("</form>")]


def test_an_admin_publishes_a_version_and_sign_ups_record_it(client, make_user, login):
    login(make_user(["admin"]))
    response = publish(client)
    assert response.status_code == 302
    html = client.get("/privacy").get_data(as_text=True)
    assert "2027-01" in html and "수집 항목" in html and "보유 기간을 바꿨습니다." in html
    assert "Items" in client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2026-11" in client.get("/privacy/versions/2026-11").get_data(as_text=True)
    client.post("/logout")
    client.post("/signup", data={"email": "new@example.kr", "password": "river-walk-Onyang-71", "display_name": "새주민",
                                 "district": "onyang1", "birth_year": "1990", "consent_privacy": "y"})
    versions = set(db.session.scalars(select(Consent.policy_version)))
    assert versions >= {"2027-01"}
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "privacy.policy_publish"))


def test_publishing_rejects_bad_input_and_keeps_it(client, make_user, login):
    login(make_user(["admin"]))
    for overrides, message in [({"version": "2026-11"}, "already exists"), ({"version": "2027 01"}, "letters, digits"),
                               ({"body_ko": ""}, "Write the policy text in Korean"), ({"changes": ""}, "Say what changed")]:
        response = publish(client, **overrides)
        assert response.status_code == 422, overrides
        html = response.get_data(as_text=True)
        assert message in html
        assert "보유 기간을 바꿨습니다." in html or overrides == {"changes": ""}  # the input is kept
    publish(client)
    assert publish(client).status_code == 422  # the same version twice
    assert client.get("/privacy/versions/9999").status_code == 404


def test_only_admins_publish(client, make_user, login):
    login(make_user(["staff"]))
    assert publish(client).status_code == 403


def test_a_changed_required_item_asks_again_at_the_next_login(client, make_user, login):
    resident, admin = make_user(), make_user(["admin"])
    login(admin)
    publish(client, version="2027-02", required_changed=True)
    client.post("/logout")
    login(resident)
    response = client.get("/proposals/")
    assert response.status_code == 302 and "/privacy/agree" in response.headers["Location"]
    assert client.get("/privacy").status_code == 200  # the policy itself can be read
    refused = client.post("/privacy/agree?next=/proposals/", data={})
    assert refused.status_code == 422
    agreed = client.post("/privacy/agree?next=/proposals/", data={"agree": "y"})
    assert agreed.status_code == 302 and agreed.headers["Location"].endswith("/proposals/")
    assert client.get("/proposals/").status_code == 200
    latest = db.session.scalars(select(Consent).where(Consent.user_id == resident.id,
                                                      Consent.item == ConsentItem.PRIVACY).order_by(Consent.id)).all()
    assert [row.policy_version for row in latest] == ["2026-11", "2027-02"]
    client.post("/logout")
    login(resident)
    assert client.get("/proposals/").status_code == 200  # agreed once, not asked again


def test_a_version_without_a_required_change_does_not_ask_again(client, make_user, login):
    resident = make_user()
    login(make_user(["admin"]))
    publish(client, version="2027-03")
    client.post("/logout")
    login(resident)
    assert client.get("/proposals/").status_code == 200


def test_the_api_shows_publishes_and_agrees(client, make_user, auth_header):
    resident, admin = make_user(), make_user(["admin"])
    public = client.get("/api/v1/privacy/policy").get_json()
    assert public["version"] == "2026-11" and public["builtin"] and public["retention_days"]["payment_records"]
    headers = auth_header(admin)
    assert client.post("/api/v1/privacy/policies", json={**POLICY, "version": "x y"},
                       headers=headers).status_code == 422
    assert client.post("/api/v1/privacy/policies", json={**POLICY, "required_changed": True},
                       headers=auth_header(resident)).status_code == 403
    created = client.post("/api/v1/privacy/policies", json={**POLICY, "required_changed": True}, headers=headers)
    assert created.status_code == 201 and created.get_json()["version"] == "2027-01"
    assert [v["version"] for v in client.get("/api/v1/privacy/policies").get_json()["items"]] == ["2027-01"]
    mine = auth_header(resident)
    assert client.get("/api/v1/me/privacy", headers=mine).get_json()["must_agree"] is True
    assert client.post("/api/v1/me/privacy/agree", json={"agree": False}, headers=mine).status_code == 422
    agreed = client.post("/api/v1/me/privacy/agree", json={"agree": True}, headers=mine)
    assert agreed.status_code == 200 and agreed.get_json()["version"] == "2027-01"
    assert client.get("/api/v1/me/privacy", headers=mine).get_json()["must_agree"] is False
