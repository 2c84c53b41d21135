from sqlalchemy import func, select

from app.certificates import services
from app.certificates.models import Certificate, CertificateStatus
from app.extensions import db


def _issued(make_lab, make_user, holder_name="홍길동"):
    facilitator = make_user(roles=["facilitator"], display_name="이진행")
    holder = make_user(display_name=holder_name)
    lab = make_lab({holder: 5}, facilitator=facilitator)
    from flask import current_app

    with current_app.test_request_context():
        certificate = services.issue_to_eligible(lab, facilitator).issued[0]
    db.session.commit()
    return lab, facilitator, holder, certificate


def test_verification_page_shows_a_valid_certificate_with_the_name_masked(client, make_lab, make_user):
    _, _, _, certificate = _issued(make_lab, make_user)
    response = client.get(f"/certificates/verify/{certificate.display_code}", headers={"Accept-Language": "ko"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "유효한 증명서입니다." in page
    assert "홍*동" in page and "홍길동" not in page
    assert "온양동 골목 주차 리빙랩" in page and "수료증" in page


def test_verification_page_says_revoked_with_date_and_reason(client, make_lab, make_user):
    _, _, _, certificate = _issued(make_lab, make_user)
    staff = make_user(roles=["staff"])
    services.revoke_certificate(certificate, staff, "출석 기록 오류로 취소")
    db.session.commit()
    page = client.get(f"/certificates/verify/{certificate.verification_code.lower()}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Revoked." in page and "no longer valid" in page
    assert "출석 기록 오류로 취소" in page
    assert "Valid." not in page


def test_an_unknown_code_is_not_found(client):
    response = client.get("/certificates/verify/AAAA-BBBB-CCCC", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "No certificate has this code." in response.get_data(as_text=True)


def test_the_code_form_leads_to_the_verification_page(client):
    response = client.get("/certificates/verify?code=abcd-efgh")
    assert response.status_code == 302 and response.headers["Location"].endswith("/certificates/verify/abcd-efgh")
    empty = client.get("/certificates/verify?code=", headers={"Accept-Language": "en"})
    assert empty.status_code == 422 and "Enter the code printed on the certificate." in empty.get_data(as_text=True)
    assert client.get("/certificates/verify").status_code == 200


def test_verification_lookups_are_rate_limited(app, client):
    app.config["CERTIFICATE_VERIFY_RATELIMIT"] = "5 per minute"
    try:
        statuses = [client.get(f"/certificates/verify/AAAA{n}").status_code for n in range(5)]
        assert statuses == [404] * 5
        assert client.get("/certificates/verify/AAAA9").status_code == 429
        # the API draws on the same allowance
        assert client.get("/api/v1/certificates/AAAA9").status_code == 429
    finally:
        app.config["CERTIFICATE_VERIFY_RATELIMIT"] = "30 per minute;300 per day"


def test_holder_lists_and_downloads_own_certificates(client, login, make_lab, make_user):
    _, _, holder, certificate = _issued(make_lab, make_user)
    other_lab_certificate = _issued(make_lab, make_user, holder_name="박영희")[3]
    login(holder)
    page = client.get("/me/certificates", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/certificates/{certificate.id}/pdf" in page
    assert f"/certificates/{other_lab_certificate.id}/pdf" not in page
    response = client.get(f"/certificates/{certificate.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/certificates/{other_lab_certificate.id}/pdf").status_code == 403


def test_empty_certificate_list_says_what_to_do(client, login, make_user):
    login(make_user())
    page = client.get("/me/certificates", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have no certificates yet. Join a living lab" in page


def test_pdf_is_served_to_holder_facilitators_and_staff_only(client, login, make_lab, make_user):
    _, facilitator, _, certificate = _issued(make_lab, make_user)
    url = f"/certificates/{certificate.id}/pdf"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(make_user(roles=["facilitator"]))
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(facilitator)
    assert client.get(url).status_code == 200
    client.post("/logout")
    login(make_user(roles=["staff"]))
    assert client.get(url).status_code == 200


def test_facilitator_issues_to_every_eligible_member_from_the_lab_page(client, login, make_lab, make_user):
    facilitator = make_user(roles=["facilitator"])
    steady, absent = make_user(display_name="홍길동"), make_user(display_name="박영희")
    lab = make_lab({steady: 5, absent: 2}, facilitator=facilitator)
    login(facilitator)
    page = client.get(f"/labs/{lab.id}/certificates", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Eligible" in page and "Attended 2 of 5 sessions (40%)" in page
    for _ in range(2):
        response = client.post(f"/labs/{lab.id}/certificates/issue", headers={"Accept-Language": "en"},
                               follow_redirects=True)
        assert response.status_code == 200
    assert "Certificates of completion issued: 0." in response.get_data(as_text=True)
    holders = db.session.scalars(select(Certificate.holder_id)).all()
    assert holders == [steady.id]


def test_other_facilitators_and_residents_cannot_manage_a_labs_certificates(client, login, make_lab, make_user):
    lab = make_lab({make_user(): 5})
    login(make_user(roles=["facilitator"]))
    assert client.get(f"/labs/{lab.id}/certificates").status_code == 403
    assert client.post(f"/labs/{lab.id}/certificates/issue").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_lab_page_queries_do_not_grow_with_members(client, login, make_lab, make_user, count_queries):
    facilitator = make_user(roles=["facilitator"])
    small = make_lab({make_user(): 5, make_user(): 2}, facilitator=facilitator)
    large = make_lab({make_user(): n % 6 for n in range(12)}, facilitator=facilitator, title="큰 리빙랩")
    small_url, large_url = f"/labs/{small.id}/certificates", f"/labs/{large.id}/certificates"
    login(facilitator)
    client.post(f"{large_url}/issue")
    client.post(f"{small_url}/issue")
    db.session.expunge_all()
    with count_queries() as few:
        assert client.get(small_url).status_code == 200
    db.session.expunge_all()
    with count_queries() as many:
        assert client.get(large_url).status_code == 200
    assert len(many) == len(few)


def test_staff_issue_by_hand_and_facilitators_may_not(client, login, make_lab, make_user):
    facilitator, member = make_user(roles=["facilitator"]), make_user(display_name="홍길동")
    lab = make_lab({member: 1}, facilitator=facilitator)
    login(facilitator)
    assert client.post(f"/labs/{lab.id}/certificates/manual",
                       data={"user_id": member.id, "reason": "사유"}).status_code == 403
    client.post("/logout")
    login(make_user(roles=["staff"]))
    missing_reason = client.post(f"/labs/{lab.id}/certificates/manual", data={"user_id": member.id, "reason": ""},
                                 headers={"Accept-Language": "en"})
    assert missing_reason.status_code == 422 and "Give a reason." in missing_reason.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    done = client.post(f"/labs/{lab.id}/certificates/manual", data={"user_id": member.id, "reason": "장기 입원"},
                       headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Certificate of completion issued to 홍길동." in done.get_data(as_text=True)
    assert db.session.scalar(select(Certificate.manual_reason)) == "장기 입원"


def test_participation_certificate_from_the_lab_page(client, login, make_lab, make_user):
    facilitator, member, idle = make_user(roles=["facilitator"]), make_user(), make_user()
    lab = make_lab({member: 2, idle: 0}, facilitator=facilitator, closed=False)
    login(facilitator)
    refused = client.post(f"/labs/{lab.id}/certificates/participation", data={"user_id": idle.id},
                          headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "This member has not attended any session yet." in refused.get_data(as_text=True)
    client.post(f"/labs/{lab.id}/certificates/participation", data={"user_id": member.id})
    certificate = db.session.scalar(select(Certificate))
    assert certificate.holder_id == member.id and certificate.attended_minutes == 210


def test_completion_rule_form_validates_and_saves(client, login, make_lab, make_user):
    facilitator = make_user(roles=["facilitator"])
    lab = make_lab({make_user(): 3}, facilitator=facilitator, closed=False)
    login(facilitator)
    bad = client.post(f"/labs/{lab.id}/certificates/rule", data={"min_attendance_percent": "150"},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "Enter a share between 0 and 100." in bad.get_data(as_text=True)
    client.post(f"/labs/{lab.id}/certificates/rule", data={"min_attendance_percent": "60"})
    client.post(f"/labs/{lab.id}/certificates/issue")
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_staff_revoke_with_a_reason_from_the_certificate_page(client, login, make_lab, make_user):
    _, facilitator, _, certificate = _issued(make_lab, make_user)
    login(facilitator)
    assert client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(make_user(roles=["staff"]))
    page = client.get(f"/certificates/{certificate.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "data-confirm" in page and "Revoke the certificate" in page
    empty = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": " "},
                        headers={"Accept-Language": "en"})
    assert empty.status_code == 422 and "Give a reason." in empty.get_data(as_text=True)
    assert db.session.get(Certificate, certificate.id).status is CertificateStatus.VALID
    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "중복 발급"})
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status is CertificateStatus.REVOKED


def test_the_batch_skips_a_member_whose_certificate_staff_revoked_and_names_them(client, login, make_lab, make_user):
    facilitator, staff = make_user(roles=["facilitator"]), make_user(roles=["staff"])
    revoked_member, newcomer = make_user(display_name="홍길동"), make_user(display_name="박영희")
    lab = make_lab({revoked_member: 5}, facilitator=facilitator, extra_members=[newcomer])
    from flask import current_app

    with current_app.test_request_context():
        certificate = services.issue_to_eligible(lab, facilitator).issued[0]
        services.revoke_certificate(certificate, staff, "출석 기록 오류")
    db.session.commit()
    login(facilitator)
    page = client.post(f"/labs/{lab.id}/certificates/issue", headers={"Accept-Language": "en"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Skipped 1 member whose certificate of completion was revoked: 홍길동." in page
    assert "only staff can issue a new one, by hand" in page
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.holder_id == revoked_member.id, Certificate.status == CertificateStatus.VALID)) == 0
    korean = client.post(f"/labs/{lab.id}/certificates/issue", headers={"Accept-Language": "ko"},
                         follow_redirects=True).get_data(as_text=True)
    assert "수료증이 취소된 1명은 건너뛰었습니다: 홍길동." in korean
