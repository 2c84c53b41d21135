"""Policy pages: list with filters, policy page, staff forms, follow, updates with attachments."""
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from app.extensions import db
from app.notifications.models import Notification
from app.policies import services
from app.policies.models import Horizon, Policy, PolicyStatus, PolicyUpdate, StepState
from app.proposals.models import Support

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def multipart(fields):
    """Encode a form in memory: the test client would spool a large body to a file it never closes."""
    stream, _, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return stream.getvalue(), f"multipart/form-data; boundary={boundary}"


def stored_files(app):
    """Names of the stored attachments, whichever storage backend is in use (app/storage.py)."""
    from app.storage import storage

    return [key.removeprefix("policies/") for key in storage().keys("policies")]


@pytest.fixture
def staff_client(client, login, staff):
    login(staff)
    return client


def test_the_list_shows_progress_and_filters(client, make_policy, make_field, staff):
    make_field("safety", "안전·재난", "Safety")
    cctv = make_policy(title="AI 기반 CCTV", department="정보통신과", field_slug="safety")
    parking = make_policy(title="스마트 주차", department="교통행정과", horizon=Horizon.MID)
    services.edit_step(cctv.steps[0], staff, title="구축", weight=2, state=StepState.DONE, percent=None)
    services.change_status(parking, staff, PolicyStatus.IN_PROGRESS)
    db.session.commit()

    html = client.get("/policies").get_data(as_text=True)
    assert "AI 기반 CCTV" in html and "스마트 주차" in html
    assert '<progress max="100" value="66"' in html and "66% 완료" in html

    def titles(query):
        page = client.get(f"/policies?{query}").get_data(as_text=True)
        return {t for t in ("AI 기반 CCTV", "스마트 주차") if t in page}

    assert titles("department=교통행정과") == {"스마트 주차"}
    assert titles("status=in_progress") == {"스마트 주차"}
    assert titles("horizon=near") == {"AI 기반 CCTV"}
    assert titles("field=safety") == {"AI 기반 CCTV"}
    assert titles("status=bogus") == {"AI 기반 CCTV", "스마트 주차"}
    empty = client.get("/policies?status=done").get_data(as_text=True)
    assert "필터를 해제하면" in empty


def test_list_and_policy_page_run_a_fixed_number_of_queries(client, make_policy, make_proposal, staff,
                                                             count_queries):
    def measure():
        with count_queries() as list_queries:
            assert client.get("/policies").status_code == 200
        with count_queries() as page_queries:
            assert client.get(f"/policies/{first.id}").status_code == 200
        return len(list_queries), len(page_queries)

    first = make_policy(proposal_ids=[make_proposal().id])
    services.post_update(first, staff, body="첫 소식")
    db.session.commit()
    few = measure()
    for n in range(8):
        policy = make_policy(title=f"정책 {n}", steps=[(f"단계 {i}", 1) for i in range(6)],
                             proposal_ids=[make_proposal().id])
        services.post_update(policy, staff, body="소식")
    for n in range(6):
        services.add_step(first, staff, f"추가 단계 {n}", 1)
        services.post_update(first, staff, body=f"소식 {n}")
        services.change_status(first, staff, PolicyStatus.ON_HOLD if n % 2 == 0 else PolicyStatus.PLANNED)
    db.session.commit()
    assert measure() == few


def test_the_policy_page_shows_steps_timeline_updates_and_proposals(client, make_policy, make_proposal, staff):
    proposal = make_proposal(title="골목길 CCTV 설치 제안")
    policy = make_policy(proposal_ids=[proposal.id])
    services.change_status(policy, staff, PolicyStatus.IN_PROGRESS)
    services.post_update(policy, staff, body="**1차** 설치 완료", step_id=policy.steps[0].id,
                         step_state=StepState.DONE)
    db.session.commit()
    html = client.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert "0단계 (구축)" in html
    assert "<strong>1차</strong> 설치 완료" in html
    assert f'href="/proposals/{proposal.id}"' in html and "골목길 CCTV 설치 제안" in html
    assert "계획" in html and "추진 중" in html  # the timeline, in Korean by default
    assert client.get("/policies/999").status_code == 404


def test_staff_create_a_policy_from_adopted_proposals(staff_client, make_proposal, make_field):
    proposal = make_proposal()
    make_field("transport")
    page = staff_client.get(f"/policies/new?proposal={proposal.id}").get_data(as_text=True)
    assert re.search(rf'<input checked id="proposal_ids-0" name="proposal_ids" type="checkbox" value="{proposal.id}"',
                     page)
    response = staff_client.post("/policies/new", data={
        "title": "수요응답형 모빌리티", "summary": "부르면 오는 버스", "department": "대중교통과",
        "field": "transport", "horizon": "near", "budget_won": "120000000", "proposal_ids": [str(proposal.id)],
    })
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy))
    assert (policy.title, policy.budget_won, [p.id for p in policy.proposals]) == (
        "수요응답형 모빌리티", 120000000, [proposal.id])
    assert response.headers["Location"].endswith(f"/policies/{policy.id}/manage")


def test_a_bad_policy_form_is_refused_with_messages_and_nothing_saved(staff_client):
    response = staff_client.post("/policies/new", data={"title": "", "summary": "x", "department": "과",
                                                        "budget_won": "-5", "horizon": "soon"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "제목을 입력하세요" in html
    assert html.count('class="error"') >= 3
    assert db.session.scalar(select(func.count()).select_from(Policy)) == 0


def test_residents_cannot_use_staff_pages(client, login, make_user, make_policy):
    policy = make_policy()
    login(make_user())
    for url in ("/policies/new", f"/policies/{policy.id}/edit", f"/policies/{policy.id}/manage"):
        assert client.get(url).status_code == 403
    assert client.post(f"/policies/{policy.id}/status", data={"status": "in_progress"}).status_code == 403
    assert client.post(f"/policies/{policy.id}/updates", data={"body": "x"}).status_code == 403
    assert client.post(f"/policies/{policy.id}/steps", data={"title": "x", "weight": "1"}).status_code == 403


def test_staff_manage_steps_and_status(staff_client, make_policy):
    policy = make_policy(steps=[])
    assert staff_client.post(f"/policies/{policy.id}/steps", data={"title": "구축", "weight": "3"}).status_code == 302
    assert staff_client.post(f"/policies/{policy.id}/steps", data={"title": "운영", "weight": "1"}).status_code == 302
    build, run = db.session.get(Policy, policy.id).steps
    manage = staff_client.get(f"/policies/{policy.id}/manage").get_data(as_text=True)
    assert f'id="step-{build.id}-weight"' in manage and 'value="3"' in manage
    response = staff_client.post(f"/policies/{policy.id}/steps/{build.id}", data={
        f"step-{build.id}-title": "구축", f"step-{build.id}-weight": "3", f"step-{build.id}-state": "in_progress",
        f"step-{build.id}-percent": "50"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).progress == 37  # 3 × 50 / 4 = 37.5, rounded down
    manage = staff_client.get(f"/policies/{policy.id}/manage").get_data(as_text=True)
    assert '<option selected value="in_progress">' in manage

    refused = staff_client.post(f"/policies/{policy.id}/steps", data={"title": "", "weight": "0"})
    assert refused.status_code == 422 and "단계 이름을 입력하세요" in refused.get_data(as_text=True)

    stop = staff_client.post(f"/policies/{policy.id}/status", data={"status": "stopped", "reason": ""},
                             follow_redirects=True)
    assert "정책 중단 사유를 입력하세요" in stop.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status is PolicyStatus.PLANNED
    staff_client.post(f"/policies/{policy.id}/status", data={"status": "in_progress"})
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).status is PolicyStatus.IN_PROGRESS


def test_follow_and_unfollow(client, login, make_user, make_policy):
    policy = make_policy()
    assert client.post(f"/policies/{policy.id}/follow").status_code == 302  # to the login page
    user = make_user()
    login(user)
    client.post(f"/policies/{policy.id}/follow")
    assert services.is_following(policy, user)
    assert "소식 그만 받기" in client.get(f"/policies/{policy.id}").get_data(as_text=True)
    client.post(f"/policies/{policy.id}/unfollow")
    assert not services.is_following(policy, user)


def test_an_update_with_an_image_is_posted_notified_and_served(app, staff_client, make_policy, make_proposal,
                                                               make_user):
    supporter = make_user()
    proposal = make_proposal()
    db.session.add(Support(proposal_id=proposal.id, user_id=supporter.id))
    db.session.commit()
    policy = make_policy(proposal_ids=[proposal.id])
    step = policy.steps[0]
    files_before = set(stored_files(app))
    response = staff_client.post(f"/policies/{policy.id}/updates", data={
        "body": "설치 현장 사진입니다.", "step_id": str(step.id), "step_state": "in_progress", "step_percent": "30",
        "attachment": (io.BytesIO(PNG), "현장 사진.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    update = db.session.scalar(select(PolicyUpdate))
    assert (update.attachment_mime, update.attachment_name) == ("image/png", "현장 사진.png")
    assert set(stored_files(app)) - files_before == {update.attachment_key}
    assert db.session.scalar(select(Notification.user_id)) in {supporter.id, proposal.author_id}

    with staff_client.get(f"/policies/{policy.id}/updates/{update.id}/attachment") as served:
        assert served.status_code == 200 and served.data == PNG
        assert served.mimetype == "image/png"
        assert served.headers["Content-Disposition"].startswith("inline")
    assert staff_client.get(f"/policies/{policy.id + 1}/updates/{update.id}/attachment").status_code == 404
    from app.storage import storage

    storage().delete(f"policies/{update.attachment_key}")
    db.session.commit()
    assert staff_client.get(f"/policies/{policy.id}/updates/{update.id}/attachment").status_code == 404


def test_a_pdf_is_offered_as_a_download(staff_client, make_policy):
    policy = make_policy()
    staff_client.post(f"/policies/{policy.id}/updates", data={
        "body": "계획서", "attachment": (io.BytesIO(PDF), "계획서.txt")}, content_type="multipart/form-data")
    update = db.session.scalar(select(PolicyUpdate))
    with staff_client.get(f"/policies/{policy.id}/updates/{update.id}/attachment") as served:
        assert served.mimetype == "application/pdf" and served.data == PDF
        assert served.headers["Content-Disposition"].startswith("attachment")
    assert update.attachment_name == "계획서.pdf"  # the name follows the content, not the claimed extension


@pytest.mark.parametrize("content, name, message", [
    (b"just text, not an image", "photo.png", "PNG, JPEG"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif", "PNG, JPEG"),
    (PNG + b"\x00" * (5 * 1024 * 1024), "big.png", "5 MB"),
])
def test_wrong_or_too_large_attachments_are_refused_and_nothing_is_saved(
        app, staff_client, make_policy, make_proposal, content, name, message):
    policy = make_policy(proposal_ids=[make_proposal().id])
    files_before = stored_files(app)
    body, content_type = multipart({"body": "사진 첨부", "step_id": str(policy.steps[0].id), "step_state": "done",
                                    "attachment": FileStorage(io.BytesIO(content), filename=name)})
    response = staff_client.post(f"/policies/{policy.id}/updates", data=body, content_type=content_type)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PolicyUpdate)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).steps[0].state is StepState.PLANNED
    assert stored_files(app) == files_before


def test_the_update_page_holds_its_comment_thread(client, login, make_user, make_policy, staff):
    policy = make_policy()
    update = services.post_update(policy, staff, body="소식")
    db.session.commit()
    resident = make_user()
    login(resident)
    page = client.get(f"/policies/{policy.id}/updates/{update.id}")
    assert page.status_code == 200
    response = client.post(f"/comments/policy_update/{update.id}", data={"body": "좋은 소식이네요"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/policies/{policy.id}/updates/{update.id}#comment-")
    assert "좋은 소식이네요" in client.get(f"/policies/{policy.id}/updates/{update.id}").get_data(as_text=True)
    summary = client.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert "좋은 소식이네요" in summary
    assert client.get(f"/policies/{policy.id}/updates/{update.id + 1}").status_code == 404


def test_a_proposal_page_links_to_its_policies_and_offers_staff_to_start_one(app, make_policy, make_proposal,
                                                                            make_user, staff):
    from flask import render_template_string
    from flask_login import login_user

    proposal = make_proposal()
    include = '{% include "policies/_for_proposal.html" %}'
    with app.test_request_context():
        assert render_template_string(include, proposal=proposal).strip() == ""
        login_user(staff)
        html = render_template_string(include, proposal=proposal)
        assert f'href="/policies/new?proposal={proposal.id}"' in html
    policy = make_policy(proposal_ids=[proposal.id])
    with app.test_request_context():
        login_user(make_user())
        html = render_template_string(include, proposal=proposal)
        assert f'href="/policies/{policy.id}"' in html and "/policies/new" not in html


def test_home_page_and_search_show_policies(client, make_policy, staff):
    assert "home-policies" not in client.get("/").get_data(as_text=True)
    policy = make_policy(title="스마트 주차 안내")
    services.change_status(policy, staff, PolicyStatus.IN_PROGRESS)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "home-policies" in home and f'href="/policies/{policy.id}"' in home
    found = client.get("/search?q=주차").get_data(as_text=True)
    assert f'href="/policies/{policy.id}"' in found


def test_staff_edit_a_policy(staff_client, make_policy, make_proposal):
    proposal = make_proposal()
    policy = make_policy(proposal_ids=[proposal.id])
    form = staff_client.get(f"/policies/{policy.id}/edit").get_data(as_text=True)
    assert 'value="AI 기반 CCTV"' in form and "checked" in form
    assert '<option selected value="near">' in form
    response = staff_client.post(f"/policies/{policy.id}/edit", data={
        "title": "AI 기반 지능형 CCTV", "summary": "바뀐 개요", "department": "정보통신과",
        "horizon": "", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Policy, policy.id)
    assert (edited.title, edited.horizon, edited.proposals) == ("AI 기반 지능형 CCTV", Horizon.MID, [])


def test_the_proposal_page_links_back_to_its_policy(client, make_policy, make_proposal):
    proposal = make_proposal()
    policy = make_policy(title="스마트 온열의자", proposal_ids=[proposal.id])
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "이 제안의 정책 추진 현황" in page and f'href="/policies/{policy.id}"' in page
