import base64
from datetime import date, timedelta

from sqlalchemy import func, select

from app.core import utcnow
from app.extensions import db
from app.labs.models import Attendance, LabStage, MemberGroup
from app.labs.models import DataSet


def _lab_body(**overrides):
    today = date.today()
    body = {"title": "혼자 사는 어르신 돌봄", "summary": "혼자 사는 어르신의 안부를 이웃이 함께 살피는 방법을 찾습니다.",
            "mode": "resident_led", "district": "onyang2", "capacity": 8,
            "recruitment_deadline": (today + timedelta(days=10)).isoformat(), "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=60)).isoformat()}
    body.update(overrides)
    return body


def test_facilitator_creates_a_lab_and_becomes_its_facilitator(client, make_user, auth_header):
    facilitator = make_user(roles=["facilitator"])
    response = client.post("/api/v1/labs", json=_lab_body(), headers=auth_header(facilitator))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["stage"] == 1 and body["mode"] == "resident_led"
    assert body["facilitators"] == [{"id": facilitator.id, "display_name": facilitator.display_name}]
    assert body["members_by_group"] == {"citizen": 0, "supporter": 0, "coordinator": 0, "expert": 0}

    listing = client.get("/api/v1/labs").get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == body["id"]


def test_residents_cannot_create_labs_and_bad_input_is_rejected(client, make_user, auth_header):
    resident = make_user()
    assert client.post("/api/v1/labs", json=_lab_body(), headers=auth_header(resident)).status_code == 403
    staff = make_user(roles=["staff"])
    response = client.post("/api/v1/labs", json=_lab_body(mode="city_commissioned", capacity=0, colour="red"),
                           headers=auth_header(staff))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"capacity", "colour"}
    response = client.post("/api/v1/labs", json=_lab_body(mode="city_commissioned"), headers=auth_header(staff))
    assert response.status_code == 422 and "proposal_ids" in response.get_json()["errors"]


def test_apply_decide_and_waitlist(client, make_lab, make_user, auth_header):
    lab = make_lab(capacity=1)
    facilitator = lab.facilitators[0]
    first, second = make_user(), make_user()
    a = client.post(f"/api/v1/labs/{lab.id}/applications", json={"motivation": "쓰레기 문제를 해결하고 싶어요",
                                                                  "group": "citizen"}, headers=auth_header(first))
    assert a.status_code == 201 and a.get_json()["status"] == "applied"
    b = client.post(f"/api/v1/labs/{lab.id}/applications", json={"motivation": "데이터 분석으로 돕겠습니다",
                                                                  "group": "expert"}, headers=auth_header(second))
    bad = client.post(f"/api/v1/labs/{lab.id}/applications", json={"motivation": "짧아", "group": "alien"},
                      headers=auth_header(make_user()))
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"motivation", "group"}
    own = client.post(f"/api/v1/labs/{lab.id}/applications", json={"motivation": "제가 만든 랩입니다만",
                                                                    "group": "citizen"},
                      headers=auth_header(facilitator))
    assert own.status_code == 403

    facilitator_header = auth_header(facilitator)
    assert client.post(f"/api/v1/labs/{lab.id}/applications/{a.get_json()['id']}", json={"decision": "accept"},
                       headers=auth_header(second)).status_code == 403
    accepted = client.post(f"/api/v1/labs/{lab.id}/applications/{a.get_json()['id']}", json={"decision": "accept"},
                           headers=facilitator_header)
    assert accepted.get_json()["status"] == "accepted"
    waitlisted = client.post(f"/api/v1/labs/{lab.id}/applications/{b.get_json()['id']}", json={"decision": "accept"},
                             headers=facilitator_header)
    assert waitlisted.get_json()["status"] == "waitlisted"
    detail = client.get(f"/api/v1/labs/{lab.id}").get_json()
    assert detail["members_by_group"]["citizen"] == 1 and detail["members_by_group"]["expert"] == 0

    assert client.delete(f"/api/v1/labs/{lab.id}/membership", headers=auth_header(first)).status_code == 200
    detail = client.get(f"/api/v1/labs/{lab.id}").get_json()
    assert detail["members_by_group"]["expert"] == 1 and detail["members_by_group"]["citizen"] == 0


def test_stage_change_is_for_the_labs_facilitator_and_blocked_gates_answer_409(client, make_lab, make_user,
                                                                             auth_header, fulfil_gate):
    lab = make_lab()
    other_facilitator = make_user(roles=["facilitator"])
    staff = make_user(roles=["staff"])
    for outsider in (other_facilitator, staff, make_user()):
        response = client.post(f"/api/v1/labs/{lab.id}/stage", json={"action": "advance"},
                               headers=auth_header(outsider))
        assert response.status_code == 403
    header = auth_header(lab.facilitators[0])
    blocked = client.post(f"/api/v1/labs/{lab.id}/stage", json={"action": "advance"}, headers=header)
    assert blocked.status_code == 409
    assert len(blocked.get_json()["error"]["missing"]) == 3
    fulfil_gate(lab)
    moved = client.post(f"/api/v1/labs/{lab.id}/stage", json={"action": "advance"}, headers=header)
    assert moved.status_code == 200 and moved.get_json()["stage"] == 2
    no_reason = client.post(f"/api/v1/labs/{lab.id}/stage", json={"action": "back"}, headers=header)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    back = client.post(f"/api/v1/labs/{lab.id}/stage", json={"action": "back", "reason": "자원 조사를 더 합니다"},
                       headers=header)
    assert back.get_json()["stage"] == 1
    assert back.get_json()["timeline"][-1]["reason"] == "자원 조사를 더 합니다"


def test_sessions_show_the_code_only_to_facilitators_and_members_check_in(client, make_lab, add_member, make_user,
                                                                          auth_header):
    lab = make_lab()
    member = add_member(lab)
    starts = utcnow() - timedelta(minutes=5)
    header = auth_header(lab.facilitators[0])
    created = client.post(f"/api/v1/labs/{lab.id}/sessions", json={
        "title": "첫 모임", "starts_at": starts.isoformat() + "Z",
        "ends_at": (starts + timedelta(hours=2)).isoformat() + "Z", "place": "온양2동 행정복지센터"}, headers=header)
    assert created.status_code == 201, created.get_json()
    session = created.get_json()
    assert len(session["checkin_code"]) == 6
    public = client.get(f"/api/v1/labs/{lab.id}").get_json()["sessions"][0]
    assert "checkin_code" not in public

    url = f"/api/v1/labs/{lab.id}/sessions/{session['id']}/checkin"
    member_header = auth_header(member)
    wrong = client.post(url, json={"code": "AAAAAA" if session["checkin_code"] != "AAAAAA" else "BBBBBB"},
                        headers=member_header)
    assert wrong.status_code == 422 and "code" in wrong.get_json()["errors"]
    assert client.post(url, json={"code": session["checkin_code"]}, headers=auth_header(make_user())).status_code == 403
    first = client.post(url, json={"code": session["checkin_code"]}, headers=member_header)
    again = client.post(url, json={"code": session["checkin_code"]}, headers=member_header)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["already_recorded"] is True
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_check_in_outside_the_window_is_refused(client, make_lab, add_member, auth_header):
    lab = make_lab()
    member = add_member(lab)
    starts = utcnow() + timedelta(hours=3)
    session = client.post(f"/api/v1/labs/{lab.id}/sessions", json={
        "title": "온라인 모임", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "meeting_url": "https://meet.example.kr/lab"}, headers=auth_header(lab.facilitators[0])).get_json()
    response = client.post(f"/api/v1/labs/{lab.id}/sessions/{session['id']}/checkin",
                           json={"code": session["checkin_code"]}, headers=auth_header(member))
    assert response.status_code == 409


def test_problem_cards_and_empathy_for_members_only(client, make_lab, add_member, make_user, auth_header):
    lab = make_lab()
    member = add_member(lab)
    card = {"title": "골목 쓰레기 무단 투기", "body": "밤마다 골목에 쓰레기가 쌓입니다."}
    outsider = auth_header(make_user())
    assert client.post(f"/api/v1/labs/{lab.id}/problems", json=card, headers=outsider).status_code == 403
    created = client.post(f"/api/v1/labs/{lab.id}/problems", json=card, headers=auth_header(member))
    assert created.status_code == 201
    url = f"/api/v1/labs/{lab.id}/problems/{created.get_json()['id']}/empathy"
    header = auth_header(member)
    client.put(url, headers=header)
    assert client.put(url, headers=header).get_json()["empathy_count"] == 1
    assert client.delete(url, headers=header).get_json()["empathy_count"] == 0


def test_public_feedback_in_stage_three_is_rate_limited_and_inert(client, make_lab, auth_header):
    lab = make_lab(stage=LabStage.PROTOTYPING)
    prototype = client.post(f"/api/v1/labs/{lab.id}/prototypes", json={"title": "안부 확인 스티커",
                                                                        "description": "문에 붙이는 스티커"},
                            headers=auth_header(lab.facilitators[0])).get_json()
    url = f"/api/v1/labs/{lab.id}/prototypes/{prototype['id']}/feedback"
    script = client.post(url, json={"rating": 4, "comment": "<script>alert(1)</script> 좋아요"})
    assert script.status_code == 201
    assert client.post(url, json={"rating": 9, "comment": "별로"}).status_code == 422
    statuses = [client.post(url, json={"rating": 5, "comment": "좋아요"}).status_code for _ in range(6)]
    assert 429 in statuses
    page = client.get(f"/labs/{lab.id}/prototypes/{prototype['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_csv_import_reports_rows_and_imports_nothing_on_error(client, make_lab, auth_header):
    lab = make_lab(stage=LabStage.REVIEW)
    header = auth_header(lab.facilitators[0])
    broken = "동,신고 건수\n온양1동,12\n온양2동\n배방읍,7,extra\n".encode("cp949")
    response = client.post(f"/api/v1/labs/{lab.id}/datasets", json={
        "name": "무단 투기 신고", "content_base64": base64.b64encode(broken).decode()}, headers=header)
    assert response.status_code == 422
    messages = response.get_json()["errors"]["file"]
    assert any("3" in m for m in messages) and any("4" in m for m in messages)
    assert db.session.scalar(select(func.count()).select_from(DataSet)) == 0
    good = "\ufeff동,신고 건수\n온양1동,12\n온양2동,\"1,204\"\n".encode("utf-8")
    created = client.post(f"/api/v1/labs/{lab.id}/datasets", json={
        "name": "무단 투기 신고", "content_base64": base64.b64encode(good).decode()}, headers=header)
    assert created.status_code == 201 and created.get_json()["row_count"] == 2
    assert created.get_json()["columns"] == ["동", "신고 건수"]


def test_openapi_lists_the_lab_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/labs", "/api/v1/labs/{lab_id}/stage", "/api/v1/labs/{lab_id}/plan/tasks",
                 "/api/v1/labs/{lab_id}/datasets", "/api/v1/labs/{lab_id}/kpis", "/api/v1/labs/{lab_id}/praise",
                 "/api/v1/labs/{lab_id}/sessions/{session_id}/checkin"):
        assert path in paths


def test_members_per_group_counted(client, make_lab, add_member):
    lab = make_lab()
    add_member(lab, MemberGroup.EXPERT)
    add_member(lab, MemberGroup.EXPERT)
    add_member(lab, MemberGroup.SUPPORTER)
    body = client.get(f"/api/v1/labs/{lab.id}").get_json()
    assert body["members_by_group"] == {"citizen": 0, "supporter": 1, "coordinator": 0, "expert": 2}
    assert body["kpis"]["members"] == 3


def test_editing_a_lab_and_adding_facilitators(client, make_lab, make_user, auth_header):
    lab = make_lab()
    header = auth_header(lab.facilitators[0])
    body = {"title": "골목 쓰레기 없는 온양", "summary": "골목마다 쓰레기가 버려지는 문제를 함께 풉니다. 새 요약입니다.",
            "district": "onyang1", "capacity": 15, "recruitment_deadline": lab.recruitment_deadline.isoformat(),
            "starts_on": lab.starts_on.isoformat(), "ends_on": lab.ends_on.isoformat()}
    assert client.patch(f"/api/v1/labs/{lab.id}", json=body, headers=auth_header(make_user())).status_code == 403
    edited = client.patch(f"/api/v1/labs/{lab.id}", json=body, headers=header)
    assert edited.status_code == 200 and edited.get_json()["capacity"] == 15
    assert client.patch(f"/api/v1/labs/{lab.id}", json={**body, "mode": "resident_led"},
                        headers=header).status_code == 422

    staff = auth_header(make_user(roles=["staff"]))
    resident = make_user()
    refused = client.post(f"/api/v1/labs/{lab.id}/facilitators", json={"user_id": resident.id}, headers=staff)
    assert refused.status_code == 422
    second = make_user(roles=["facilitator"])
    assert client.post(f"/api/v1/labs/{lab.id}/facilitators", json={"user_id": second.id},
                       headers=header).status_code == 403
    added = client.post(f"/api/v1/labs/{lab.id}/facilitators", json={"user_id": second.id}, headers=staff)
    assert [f["id"] for f in added.get_json()["facilitators"]] == [lab.facilitators[0].id, second.id]


def test_edit_page_keeps_mode(client, make_lab, login):
    lab = make_lab()
    login(lab.facilitators[0])
    page = client.get(f"/labs/{lab.id}/edit")
    assert page.status_code == 200 and 'name="mode"' not in page.get_data(as_text=True)


def test_only_the_facilitators_see_applications_and_motivations_page_and_api_alike(client, make_lab, make_user,
                                                                                    add_member, auth_header, login):
    """Staff see the accepted members, as on the members page, but no applicant's motivation."""
    lab = make_lab()
    member = add_member(lab)
    applicant = make_user()
    client.post(f"/api/v1/labs/{lab.id}/applications", json={"motivation": "아직 심사 중인 지원 동기입니다",
                                                              "group": "citizen"}, headers=auth_header(applicant))
    staff = make_user(roles=["staff"])

    as_staff = client.get(f"/api/v1/labs/{lab.id}/applications", headers=auth_header(staff)).get_json()["items"]
    assert [item["user_id"] for item in as_staff] == [member.id]
    assert all("motivation" not in item for item in as_staff)
    as_member = client.get(f"/api/v1/labs/{lab.id}/applications", headers=auth_header(member)).get_json()["items"]
    assert as_member == as_staff
    as_facilitator = client.get(f"/api/v1/labs/{lab.id}/applications",
                                headers=auth_header(lab.facilitators[0])).get_json()["items"]
    assert {item["user_id"] for item in as_facilitator} == {member.id, applicant.id}
    assert "아직 심사 중인 지원 동기입니다" in [item["motivation"] for item in as_facilitator]

    login(staff)
    page = client.get(f"/labs/{lab.id}/members").get_data(as_text=True)
    assert member.display_name in page and "아직 심사 중인 지원 동기입니다" not in page
