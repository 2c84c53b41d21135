"""Consultation pages: what residents, guests and staff see and may do, including every refusal."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app.consultations import queries, services
from app.consultations.models import Channel, ConsultationStatus, Opinion
from app.core import utcnow
from app.extensions import db
from tests.consultations.conftest import PDF, code_from_outbox, form_opinion, opinion


def test_the_list_shows_open_consultations_and_hides_drafts(client, make_consultation):
    make_consultation(title="공개된 의견수렴")
    make_consultation(title="작성 중인 초안", status=ConsultationStatus.DRAFT)
    page = client.get("/consultations").get_data(as_text=True)
    assert "공개된 의견수렴" in page and "작성 중인 초안" not in page
    assert client.get("/consultations?phase=results").get_data(as_text=True).count("공개된 의견수렴") == 0


def test_a_draft_is_404_for_residents(client, make_consultation):
    draft = make_consultation(status=ConsultationStatus.DRAFT)
    assert client.get(f"/consultations/{draft.id}").status_code == 404


def test_a_resident_sends_an_opinion_and_name_and_phone_stay_private(client, login, make_user, make_consultation):
    consultation = make_consultation()
    login(make_user())
    response = client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion(phone="010-9999-8888"))
    assert response.status_code == 302
    saved = db.session.scalar(select(Opinion))
    assert saved.channel is Channel.ONLINE and saved.phone == "010-9999-8888"
    client.post("/logout")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "010-9999-8888" not in page and "홍길동" not in page


def test_one_second_after_the_deadline_the_page_refuses_with_a_message(client, login, make_user,
                                                                      make_consultation):
    consultation = make_consultation(deadline_at=utcnow() - timedelta(seconds=1))
    login(make_user())
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion())
    assert response.status_code == 409
    assert "no longer accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(Opinion)) is None


def test_invalid_opinion_keeps_the_input_and_shows_errors(client, login, make_user, make_consultation):
    consultation = make_consultation()
    login(make_user())
    response = client.post(f"/consultations/{consultation.id}/opinions",
                           data=form_opinion(phone="abc", body="남겨 둘 내용"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "남겨 둘 내용" in page and 'aria-invalid="true"' in page


def test_a_guest_confirms_an_email_code_then_sends(app, client, make_consultation):
    consultation = make_consultation()
    assert client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion()).status_code == 409
    assert client.post(f"/consultations/{consultation.id}/guest-code",
                       data={"email": "guest@example.kr"}).status_code == 302
    code = code_from_outbox(app)
    wrong = client.post(f"/consultations/{consultation.id}/guest-confirm",
                        data={"email": "guest@example.kr", "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422
    assert client.post(f"/consultations/{consultation.id}/guest-confirm",
                       data={"email": "guest@example.kr", "code": code}).status_code == 302
    assert client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion()).status_code == 302
    assert db.session.scalar(select(Opinion.guest_email)) == "guest@example.kr"


def test_guest_code_requests_are_rate_limited(client, make_consultation):
    consultation = make_consultation()
    statuses = [client.post(f"/consultations/{consultation.id}/guest-code",
                            data={"email": f"g{i}@example.kr"}).status_code for i in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_staff_upload_only_real_pdfs(client, login, staff, make_consultation):
    consultation = make_consultation()
    login(staff)
    fake = client.post(f"/consultations/{consultation.id}/documents",
                       data={"document": (io.BytesIO(b"<html>not a pdf</html>"), "plan.pdf")},
                       content_type="multipart/form-data")
    assert fake.status_code == 422 and not consultation.documents
    assert "PDF" in fake.get_data(as_text=True)
    client.post(f"/consultations/{consultation.id}/documents",
                data={"document": (io.BytesIO(PDF), "종합계획안.pdf")}, content_type="multipart/form-data")
    db.session.expire_all()
    document = queries.load_consultation(consultation.id).documents[0]
    with client.get(f"/consultations/{consultation.id}/documents/{document.id}") as served:
        assert served.status_code == 200 and served.data == PDF and served.mimetype == "application/pdf"
        assert served.headers["Content-Disposition"].startswith("attachment")


def test_residents_cannot_reach_staff_pages(client, login, make_user, make_consultation):
    consultation = make_consultation()
    assert client.get(f"/consultations/{consultation.id}/manage").status_code == 401
    login(make_user())
    for url in ("manage", "edit"):
        assert client.get(f"/consultations/{consultation.id}/{url}").status_code == 403
    assert client.post(f"/consultations/{consultation.id}/entered-opinions",
                       data=form_opinion(channel="paper", written_on="2024-01-29")).status_code == 403
    assert client.get("/consultations/new").status_code == 403


def test_staff_create_open_and_see_private_fields(client, login, staff, make_user, make_consultation):
    login(staff)
    response = client.post("/consultations/new", data={
        "title": "스마트도시 계획 의견수렴", "purpose": "의견을 듣습니다", "department": "스마트도시과",
        "deadline_date": (utcnow() + timedelta(days=5)).date().isoformat(), "deadline_time": "18:00",
        "has_hearing": "y", "hearing_date": (utcnow() + timedelta(days=3)).date().isoformat(),
        "hearing_start": "14:00", "hearing_end": "16:00", "hearing_place": "시청 대강당", "hearing_capacity": "50"})
    assert response.status_code == 302
    consultation = db.session.scalar(select(services.Consultation))
    assert consultation.hearing_capacity == 50 and consultation.status is ConsultationStatus.DRAFT
    assert client.post(f"/consultations/{consultation.id}/open").status_code == 302
    db.session.expire_all()
    assert consultation.status is ConsultationStatus.OPEN
    services.submit_opinion(consultation, opinion(phone="010-5555-6666"), user=make_user())
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/manage").get_data(as_text=True)
    assert "010-5555-6666" in page


def test_hearing_needs_its_details(client, login, staff):
    login(staff)
    response = client.post("/consultations/new", data={
        "title": "t", "purpose": "p", "department": "d", "deadline_date": "2030-01-01", "deadline_time": "18:00",
        "has_hearing": "y"})
    assert response.status_code == 422 and db.session.scalar(select(services.Consultation)) is None


def test_registering_for_the_hearing_from_the_page(client, login, make_user, make_consultation):
    consultation = make_consultation(hearing_at=utcnow() + timedelta(days=2), capacity=1)
    login(make_user())
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post(f"/consultations/{consultation.id}/hearing/register")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "1 of 1 taken, 0 waiting" in page and "Cancel registration" in page
    assert services.registered_count(consultation) == 1
    client.post("/logout")
    login(make_user())
    assert "Join the waitlist" in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)


def test_results_page_shows_numbers_and_responses(client, make_consultation, make_user, staff):
    deadline = utcnow() - timedelta(hours=1)
    consultation = make_consultation(deadline_at=deadline)
    services.submit_opinion(consultation, opinion(), user=make_user(), now=deadline - timedelta(minutes=1))
    theme = services.add_theme(consultation, staff, "데이터허브 확대", "읍면까지 넓히겠습니다.")
    services.assign_opinions(consultation, staff, [db.session.scalar(select(Opinion.id))], theme.id)
    services.publish_results(consultation, staff, "의견 한 건을 받았습니다.")
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "읍면까지 넓히겠습니다." in page and "데이터허브 확대" in page and "홍길동" not in page


def test_the_policy_timeline_shows_its_consultation(client, make_consultation, staff):
    from app.policies import services as policy_services
    from app.policies.models import Horizon

    policy = policy_services.create_policy(staff, policy_services.PolicyData(
        title="스마트도시 계획", summary="요약", department="스마트도시과", horizon=Horizon.NEAR))
    db.session.commit()
    make_consultation(title="계획안 의견을 들어요", policy_id=policy.id)
    page = client.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert "계획안 의견을 들어요" in page


def test_detail_page_runs_a_fixed_number_of_queries(client, make_consultation, make_user, count_queries):
    consultation = make_consultation(hearing_at=utcnow() + timedelta(days=2))
    for _ in range(3):
        services.submit_opinion(consultation, opinion(), user=make_user())
    db.session.commit()
    with count_queries() as few:
        client.get(f"/consultations/{consultation.id}")
    for _ in range(20):
        services.submit_opinion(consultation, opinion(), user=make_user())
    db.session.commit()
    with count_queries() as many:
        client.get(f"/consultations/{consultation.id}")
    assert len(many) == len(few) <= 12


def test_the_home_page_invites_opinions(client, make_consultation):
    make_consultation(title="홈에 보일 의견수렴")
    make_consultation(title="마감된 의견수렴", deadline_at=utcnow() - timedelta(days=1))
    page = client.get("/").get_data(as_text=True)
    assert "홈에 보일 의견수렴" in page and "마감된 의견수렴" not in page


def test_staff_group_answer_and_publish_from_the_manage_page(client, login, staff, make_user, make_consultation):
    deadline = utcnow() - timedelta(minutes=10)
    consultation = make_consultation(deadline_at=deadline)
    resident = make_user()
    services.submit_opinion(consultation, opinion(), user=resident, now=deadline - timedelta(minutes=1))
    db.session.commit()
    login(staff)
    url = f"/consultations/{consultation.id}"
    assert client.post(f"{url}/themes", data={"title": ""}).status_code == 422
    client.post(f"{url}/themes", data={"title": "데이터허브"})
    theme = consultation.themes[0] if consultation.themes else queries.load_consultation(consultation.id).themes[0]
    opinion_id = db.session.scalar(select(Opinion.id))
    client.post(f"{url}/assign", data={"opinion_ids": [str(opinion_id)], "theme_id": str(theme.id)})
    refused = client.post(f"{url}/results", data={"results_summary": "요약"})
    assert refused.status_code == 409  # the theme has no response yet
    client.post(f"{url}/themes/{theme.id}", data={f"theme-{theme.id}-title": "데이터허브",
                                                  f"theme-{theme.id}-response": "넓히겠습니다"})
    assert client.post(f"{url}/results", data={"results_summary": "요약"}).status_code == 302
    db.session.expire_all()
    assert queries.load_consultation(consultation.id).status is ConsultationStatus.RESULTS
    assert client.post(f"{url}/themes", data={"title": "늦은 주제"}).status_code == 403


def test_editing_keeps_a_passed_deadline(client, login, staff, make_consultation):
    consultation = make_consultation(deadline_at=utcnow() - timedelta(days=1))
    login(staff)
    form = client.get(f"/consultations/{consultation.id}/edit").get_data(as_text=True)
    assert consultation.title in form
    moved = client.post(f"/consultations/{consultation.id}/edit", data={
        "title": consultation.title, "purpose": "p", "department": "d",
        "deadline_date": (utcnow() + timedelta(days=5)).date().isoformat(), "deadline_time": "18:00"})
    assert moved.status_code == 409  # refused, the form shown again with the message
    db.session.expire_all()
    assert queries.load_consultation(consultation.id).deadline_at < utcnow()
