from datetime import timedelta

from sqlalchemy import func, select

from app.certificates.models import Certificate, CertificateStatus
from app.extensions import db
from app.notifications.models import Notification


def _lab(make_lab, make_user):
    facilitator = make_user(roles=["facilitator"])
    steady, absent = make_user(display_name="홍길동"), make_user(display_name="박영희")
    return make_lab({steady: 5, absent: 3}, facilitator=facilitator), facilitator, steady, absent


def test_facilitator_issues_to_the_eligible_and_learns_why_others_got_none(client, auth_header, make_lab, make_user):
    lab, facilitator, steady, absent = _lab(make_lab, make_user)
    headers = {**auth_header(facilitator), "Accept-Language": "en"}
    first = client.post(f"/api/v1/labs/{lab.id}/certificates", headers=headers)
    assert first.status_code == 200
    body = first.get_json()
    assert [(c["holder"]["id"], c["kind"], c["status"], c["hours"]) for c in body["issued"]] == [
        (steady.id, "completion", "valid", 9.5)]
    assert body["not_issued"] == [{"user_id": absent.id, "name": "박영희", "reasons": [
        "Attended 3 of 5 sessions (60%); the rule asks for at least 80%."]}]
    again = client.post(f"/api/v1/labs/{lab.id}/certificates", headers=headers).get_json()
    assert again["issued"] == []
    assert {row["user_id"]: row["reasons"] for row in again["not_issued"]}[steady.id] == [
        "Already holds a certificate of completion for this lab."]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_reasons_are_translated_for_korean_users(client, auth_header, make_lab, make_user):
    lab, facilitator, _, absent = _lab(make_lab, make_user)
    body = client.post(f"/api/v1/labs/{lab.id}/certificates",
                       headers={**auth_header(facilitator), "Accept-Language": "ko"}).get_json()
    assert body["not_issued"][0]["reasons"] == [
        "진행된 모임 5회 중 3회 출석(60%)했습니다. 수료 기준은 80% 이상입니다."]


def test_issuing_needs_a_token_and_a_facilitator_of_the_lab(client, auth_header, make_lab, make_user):
    lab, _, steady, _ = _lab(make_lab, make_user)
    assert client.post(f"/api/v1/labs/{lab.id}/certificates").status_code == 401
    assert client.post(f"/api/v1/labs/{lab.id}/certificates",
                       headers=auth_header(make_user(roles=["facilitator"]))).status_code == 403
    assert client.post(f"/api/v1/labs/{lab.id}/certificates", headers=auth_header(steady)).status_code == 403
    assert client.post("/api/v1/labs/9999/certificates",
                       headers=auth_header(make_user(roles=["staff"]))).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_public_verification_of_valid_revoked_and_unknown_codes(client, auth_header, make_lab, make_user):
    lab, facilitator, _, _ = _lab(make_lab, make_user)
    issued = client.post(f"/api/v1/labs/{lab.id}/certificates", headers=auth_header(facilitator)).get_json()
    code = issued["issued"][0]["code"]

    valid = client.get(f"/api/v1/certificates/{code}")
    assert valid.status_code == 200
    body = valid.get_json()
    assert body["status"] == "valid" and body["holder"] == "홍*동" and body["kind"] == "completion"
    assert body["lab_title"] == "온양동 골목 주차 리빙랩" and body["hours"] == 9.5
    assert body["period"] == {"start": "2026-09-01", "end": "2026-11-15"}
    assert "holder_id" not in body and "홍길동" not in str(body)
    issued_at = db.session.get(Certificate, issued["issued"][0]["id"]).issued_at
    assert body["issued_on"] == (issued_at + timedelta(hours=9)).date().isoformat()  # the day in Seoul

    staff = auth_header(make_user(roles=["staff"]))
    certificate_id = issued["issued"][0]["id"]
    revoked = client.post(f"/api/v1/certificates/{certificate_id}/revoke", json={"reason": "부정 출석 확인"},
                          headers=staff)
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    body = client.get(f"/api/v1/certificates/{code.lower().replace('-', '')}").get_json()
    assert body["status"] == "revoked" and body["revoked_reason"] == "부정 출석 확인" and body["revoked_on"]

    unknown = client.get("/api/v1/certificates/AAAA-BBBB-CCCC-DDDD", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404
    assert unknown.get_json() == {"error": {"code": 404, "message": "No certificate has this code."}}


def test_revoking_through_the_api_is_for_staff_with_a_reason(client, auth_header, make_lab, make_user):
    lab, facilitator, steady, _ = _lab(make_lab, make_user)
    certificate = client.post(f"/api/v1/labs/{lab.id}/certificates",
                              headers=auth_header(facilitator)).get_json()["issued"][0]
    url = f"/api/v1/certificates/{certificate['id']}/revoke"
    assert client.post(url, json={"reason": "x"}, headers=auth_header(facilitator)).status_code == 403
    staff = {**auth_header(make_user(roles=["staff"])), "Accept-Language": "en"}
    missing = client.post(url, json={"reason": ""}, headers=staff)
    assert missing.status_code == 422 and missing.get_json() == {"errors": {"reason": ["Give a reason."]}}
    unknown_field = client.post(url, json={"reason": "사유", "notify": False}, headers=staff)
    assert unknown_field.status_code == 422 and "notify" in unknown_field.get_json()["errors"]
    assert db.session.get(Certificate, certificate["id"]).status is CertificateStatus.VALID
    assert client.post(url, json={"reason": "사유"}, headers=staff).status_code == 200
    again = client.post(url, json={"reason": "사유"}, headers=staff)
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "This certificate is already revoked."
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == steady.id, Notification.kind == "certificate_revoked")) == 1


def test_my_certificates_and_their_pdf(client, auth_header, make_lab, make_user):
    lab, facilitator, steady, absent = _lab(make_lab, make_user)
    client.post(f"/api/v1/labs/{lab.id}/certificates", headers=auth_header(facilitator))
    mine = client.get("/api/v1/me/certificates", headers=auth_header(steady)).get_json()
    assert mine["total"] == 1 and mine["page"] == 1 and mine["per_page"] == 20
    item = mine["items"][0]
    assert item["holder"] == {"id": steady.id, "name": "홍길동"} and item["lab"]["id"] == lab.id
    assert item["verification_url"].endswith("/certificates/verify/" + item["code"])
    assert client.get("/api/v1/me/certificates", headers=auth_header(absent)).get_json()["total"] == 0
    pdf = client.get(item["pdf_url"], headers=auth_header(steady))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert client.get(item["pdf_url"], headers=auth_header(absent)).status_code == 403
    assert client.get(item["pdf_url"]).status_code == 401


def test_manual_and_participation_issuing_through_the_api(client, auth_header, make_lab, make_user):
    lab, facilitator, _, absent = _lab(make_lab, make_user)
    outsider = make_user()
    fac = {**auth_header(facilitator), "Accept-Language": "en"}
    manual_url = f"/api/v1/labs/{lab.id}/certificates/manual"
    assert client.post(manual_url, json={"user_id": absent.id, "reason": "사유"}, headers=fac).status_code == 403
    staff = {**auth_header(make_user(roles=["staff"])), "Accept-Language": "en"}
    no_reason = client.post(manual_url, json={"user_id": absent.id}, headers=staff)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    not_member = client.post(manual_url, json={"user_id": outsider.id, "reason": "사유"}, headers=staff)
    assert not_member.status_code == 422 and "user_id" in not_member.get_json()["errors"]
    made = client.post(manual_url, json={"user_id": absent.id, "reason": "보충 과제 제출"}, headers=staff)
    assert made.status_code == 201 and made.get_json()["manual_reason"] == "보충 과제 제출"

    participation_url = f"/api/v1/labs/{lab.id}/certificates/participation"
    made = client.post(participation_url, json={"user_id": absent.id}, headers=fac)
    assert made.status_code == 201
    assert made.get_json()["kind"] == "participation" and made.get_json()["attended_minutes"] == 90 + 2 * 120
    repeat = client.post(participation_url, json={"user_id": absent.id}, headers=fac)
    assert repeat.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


def test_openapi_documents_the_certificate_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/certificates/{code}" in paths
    assert "/api/v1/labs/{lab_id}/certificates" in paths
    assert "/api/v1/me/certificates" in paths
    assert "security" not in paths["/api/v1/certificates/{code}"]["get"]


def test_facilitator_reads_standings_and_sets_the_rule(client, auth_header, make_lab, make_user):
    lab, facilitator, steady, absent = _lab(make_lab, make_user)
    headers = {**auth_header(facilitator), "Accept-Language": "en"}
    body = client.get(f"/api/v1/labs/{lab.id}/certificates", headers=headers).get_json()
    assert body["rule"] == {"min_attendance_percent": 80, "require_closed": True}
    assert body["closed_after_final_stage"] is True
    by_id = {member["user_id"]: member for member in body["members"]}
    assert by_id[steady.id]["eligible"] is True and by_id[steady.id]["attended_minutes"] == 570
    assert by_id[absent.id]["attendance_percent"] == 60 and by_id[absent.id]["eligible"] is False

    bad = client.put(f"/api/v1/labs/{lab.id}/certificates/rule", json={"min_attendance_percent": 120},
                     headers=headers)
    assert bad.status_code == 422 and "min_attendance_percent" in bad.get_json()["errors"]
    saved = client.put(f"/api/v1/labs/{lab.id}/certificates/rule",
                       json={"min_attendance_percent": 60, "require_closed": True}, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["min_attendance_percent"] == 60
    body = client.get(f"/api/v1/labs/{lab.id}/certificates", headers=headers).get_json()
    assert {m["user_id"]: m["eligible"] for m in body["members"]}[absent.id] is True

    other = auth_header(make_user(roles=["facilitator"]))
    assert client.get(f"/api/v1/labs/{lab.id}/certificates", headers=other).status_code == 403
    assert client.put(f"/api/v1/labs/{lab.id}/certificates/rule", json={"min_attendance_percent": 0},
                      headers=other).status_code == 403


def test_the_batch_skips_members_whose_certificate_staff_revoked(client, auth_header, make_lab, make_user):
    lab, facilitator, steady, absent = _lab(make_lab, make_user)
    headers = {**auth_header(facilitator), "Accept-Language": "en"}
    first = client.post(f"/api/v1/labs/{lab.id}/certificates", headers=headers).get_json()["issued"][0]
    staff = auth_header(make_user(roles=["staff"]))
    assert client.post(f"/api/v1/certificates/{first['id']}/revoke", json={"reason": "부정 출석"},
                       headers=staff).status_code == 200
    body = client.post(f"/api/v1/labs/{lab.id}/certificates", headers=headers).get_json()
    assert body["issued"] == []
    assert body["skipped_revoked"] == [{"user_id": steady.id, "name": "홍길동", "revoked_certificate_id": first["id"]}]
    assert {row["user_id"]: row["reasons"] for row in body["not_issued"]}[steady.id] == [
        "Their certificate of completion was revoked; only staff can issue a new one, by hand."]
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.status == CertificateStatus.VALID)) == 0
    standings = client.get(f"/api/v1/labs/{lab.id}/certificates", headers=headers).get_json()["members"]
    assert {m["user_id"]: m["eligible"] for m in standings}[steady.id] is False
