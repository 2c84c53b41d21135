"""Every lab form refused re-renders its page with what was typed and the reason beside the field (4xx),
like the proposal form: apply, stage change, facilitator, check-in, RSVP, attendance and every workspace form."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import utcnow
from app.extensions import db
from app.labs.models import LabMembership, LabStage, ProblemCard
from app.labs.services import sessions as session_services
from app.labs.services import workspace as ws

TYPED = "직접 입력한 내용이 그대로 남아야 합니다"


def _error_beside(html: str, field_id: str) -> str:
    """The error message right after the field with this id, inside the same field block."""
    match = re.search(rf'id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field_id}"', html)
    assert match, f"{field_id} is not marked invalid"
    error = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert error, f"no error beside {field_id}"
    return error.group(1)


def test_apply_keeps_the_motivation_and_says_why_beside_the_field(client, make_lab, make_user, login):
    lab = make_lab()
    login(make_user())
    response = client.post(f"/labs/{lab.id}/apply", data={"group": "citizen", "motivation": "짧음"},
                           headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "짧음</textarea>" in html and _error_beside(html, "motivation")
    assert 'selected value="citizen"' in html
    assert db.session.scalar(select(func.count()).select_from(LabMembership)) == 0


def test_apply_after_the_deadline_says_when_it_closed(client, make_lab, make_user, login):
    lab = make_lab(deadline_days=-1)
    login(make_user())
    response = client.post(f"/labs/{lab.id}/apply", data={"group": "citizen", "motivation": TYPED},
                           headers={"Accept-Language": "ko"})
    assert response.status_code in (403, 409)  # the form is not offered once recruitment closed
    assert db.session.scalar(select(func.count()).select_from(LabMembership)) == 0


def test_moving_back_without_a_reason_keeps_the_choice(client, make_lab, login):
    lab = make_lab(stage=LabStage.PLANNING)
    login(lab.facilitators[0])
    response = client.post(f"/labs/{lab.id}/stage", data={"action": "back", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code in (409, 422)
    assert 'selected value="back"' in html
    db.session.refresh(lab)
    assert lab.stage is LabStage.PLANNING


def test_an_unknown_facilitator_number_is_named_beside_the_field(client, make_lab, make_user, login):
    lab = make_lab()
    login(make_user(roles=["staff"]))
    response = client.post(f"/labs/{lab.id}/facilitators", data={"user_id": "987654"},
                           headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="987654"' in html
    assert "No account has this number." in _error_beside(html, "user_id")


def test_a_wrong_check_in_code_is_kept_and_explained_beside_the_field(client, make_lab, add_member, login):
    lab = make_lab()
    member = add_member(lab)
    starts = utcnow() - timedelta(minutes=1)
    session = session_services.create_session(lab, lab.facilitators[0], title="모임", starts_at=starts,
                                              ends_at=starts + timedelta(hours=1), place="주민센터")
    db.session.commit()
    login(member)
    response = client.post(f"/labs/{lab.id}/sessions/{session.id}/checkin", data={"code": "WRONG1"},
                           headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="WRONG1"' in html
    assert "check-in code is not right" in _error_beside(html, "code")
    assert session_services.attendance_of(session) == []
    empty = client.post(f"/labs/{lab.id}/sessions/{session.id}/checkin", data={"code": ""})
    assert empty.status_code == 422 and _error_beside(empty.get_data(as_text=True), "code")
    rsvp = client.post(f"/labs/{lab.id}/sessions/{session.id}/rsvp", data={"answer": "perhaps"})
    assert rsvp.status_code == 422


def test_attendance_for_a_non_member_is_refused_beside_the_field(client, make_lab, make_user, login):
    lab = make_lab()
    starts = utcnow() - timedelta(minutes=1)
    session = session_services.create_session(lab, lab.facilitators[0], title="모임", starts_at=starts,
                                              ends_at=starts + timedelta(hours=1), place="주민센터")
    db.session.commit()
    outsider = make_user()
    login(lab.facilitators[0])
    response = client.post(f"/labs/{lab.id}/sessions/{session.id}/attendance", data={"user_id": str(outsider.id)})
    assert response.status_code == 422
    assert session_services.attendance_of(session) == []


WORKSPACE_CASES = [
    # (stage, url suffix, data, field id beside which the error shows, text that must be kept)
    (LabStage.PROBLEM, "problems", {"title": "", "body": TYPED}, "title", f"{TYPED}</textarea>"),
    (LabStage.PROBLEM, "resources", {"kind": "place", "name": "온양 경로당", "latitude": "36.7", "longitude": ""},
     "latitude", 'value="온양 경로당"'),
    (LabStage.PLANNING, "goals", {"text": "x" * 301}, "text", 'value="' + "x" * 301),
    (LabStage.PLANNING, "tasks", {"title": "", "owner_id": "", "due_on": "2026-12-24"}, "title",
     'value="2026-12-24"'),
    (LabStage.PROTOTYPING, "prototypes", {"title": "", "description": TYPED}, "title", f"{TYPED}</textarea>"),
    (LabStage.REVIEW, "kpis", {"name": "민원 건수", "unit": "건", "target": "많이", "actual": "3"}, "target",
     'value="민원 건수"'),
    (LabStage.REVIEW, "texts/findings", {"text": ""}, "text-findings", ""),
    (LabStage.SHARING, "praise", {"to_user_id": "", "message": TYPED}, "to_user_id", f"{TYPED}</textarea>"),
]


@pytest.mark.parametrize("stage, suffix, data, field_id, kept", WORKSPACE_CASES,
                         ids=[case[1] for case in WORKSPACE_CASES])
def test_workspace_forms_keep_the_input_and_show_the_error_beside_the_field(
        client, make_lab, add_member, login, stage, suffix, data, field_id, kept):
    lab = make_lab(stage=stage)
    member = add_member(lab)
    lab.stage = stage
    db.session.commit()
    login(lab.facilitators[0] if suffix.startswith("texts/") else member)
    response = client.post(f"/labs/{lab.id}/{suffix}", data=data, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[-2000:]
    assert kept in html
    assert _error_beside(html, field_id)
    assert 'class="flash flash-error"' not in html or field_id == "latitude"


def test_a_refused_problem_card_saves_nothing(client, make_lab, add_member, login):
    lab = make_lab()
    login(add_member(lab))
    client.post(f"/labs/{lab.id}/problems", data={"title": "", "body": TYPED})
    assert db.session.scalar(select(func.count()).select_from(ProblemCard)) == 0


def test_a_bad_csv_keeps_the_name_and_lists_the_rows_beside_the_file(client, make_lab, login):
    lab = make_lab(stage=LabStage.REVIEW)
    login(lab.facilitators[0])
    bad = "지역,건수\n온양1동,3\n온양2동,4,5\n".encode()
    response = client.post(f"/labs/{lab.id}/datasets", data={"name": "불법투기 신고", "file": (io.BytesIO(bad), "a.csv")},
                           content_type="multipart/form-data", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="불법투기 신고"' in html
    assert "3" in _error_beside(html, "file")


def test_prototype_log_and_feedback_keep_the_input(client, make_lab, login):
    lab = make_lab(stage=LabStage.PROTOTYPING)
    prototype = ws.add_prototype(lab, lab.facilitators[0], title="안부 확인 스티커", description="현관문에 붙입니다.")
    db.session.commit()
    feedback = client.post(f"/labs/{lab.id}/prototypes/{prototype.id}/feedback",
                           data={"rating": "7", "comment": TYPED})
    html = feedback.get_data(as_text=True)
    assert feedback.status_code == 422 and f"{TYPED}</textarea>" in html and _error_beside(html, "rating")
    login(lab.facilitators[0])
    log = client.post(f"/labs/{lab.id}/prototypes/{prototype.id}/log", data={"test_log": "가" * 10001})
    assert log.status_code == 422 and _error_beside(log.get_data(as_text=True), "test_log")
