import io
from datetime import timedelta

from sqlalchemy import func, select

from app.core import utcnow
from app.extensions import db
from app.labs.services import sessions as session_services
from app.labs.services import workspace as ws
from app.labs.models import LabMembership, LabStage, MemberGroup, MembershipStatus
from app.labs.models import DataSet


def _populate(lab, add_member, members):
    people = [add_member(lab, group) for group in list(MemberGroup) * (members // 4)]
    starts = utcnow() - timedelta(days=1)
    session = session_services.create_session(lab, lab.facilitators[0], title="모임", starts_at=starts,
                                              ends_at=starts + timedelta(hours=2), place="주민센터")
    for person in people:
        ws.write_problem(lab, person, title="문제", body="골목에 쓰레기가 쌓입니다.")
        session_services.record_attendance(session, person.id, lab.facilitators[0])
    db.session.commit()


def test_lab_page_shows_kpis_with_a_fixed_number_of_queries(client, make_lab, add_member, count_queries):
    small, large = make_lab(title="작은 랩"), make_lab(title="큰 랩", capacity=20)
    _populate(small, add_member, 4)
    _populate(large, add_member, 12)
    with count_queries() as small_queries:
        page = client.get(f"/labs/{small.id}")
    assert page.status_code == 200
    with count_queries() as large_queries:
        page = client.get(f"/labs/{large.id}")
    html = page.get_data(as_text=True)
    assert "100%" in html  # everyone attended the one held session
    assert len(large_queries) == len(small_queries)


def test_lists_use_a_fixed_number_of_queries(client, make_lab, make_user, login, count_queries):
    staff = make_user(roles=["staff"])
    make_lab()
    login(staff)
    db.session.expire_all()  # as after any commit, so both measurements start alike
    with count_queries() as few:
        assert client.get("/labs/overview").status_code == 200
    for n in range(5):
        make_lab(title=f"리빙랩 {n}")
    db.session.expire_all()
    with count_queries() as many:
        overview = client.get("/labs/overview")
    assert overview.status_code == 200 and "리빙랩 4" in overview.get_data(as_text=True)
    assert len(many) == len(few)
    with count_queries() as index_queries:
        assert client.get("/labs/").status_code == 200
    assert len(index_queries) <= len(many) + 2


def test_overview_is_for_staff_and_facilitators(client, make_user, login):
    assert client.get("/labs/overview").status_code == 302  # to the login page
    login(make_user())
    assert client.get("/labs/overview").status_code == 403


def test_resident_applies_through_the_page_and_sees_the_status(client, make_lab, make_user, login):
    lab = make_lab()
    resident = make_user()
    login(resident)
    short = client.post(f"/labs/{lab.id}/apply", data={"group": "citizen", "motivation": "짧아"}, follow_redirects=True)
    assert "10" in short.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LabMembership)) == 0
    client.post(f"/labs/{lab.id}/apply", data={"group": "supporter", "motivation": "행정 경험으로 돕고 싶습니다."})
    membership = db.session.scalar(select(LabMembership))
    assert membership.group is MemberGroup.SUPPORTER and membership.status is MembershipStatus.APPLIED


def test_blocked_stage_change_lists_what_is_missing(client, make_lab, login):
    lab = make_lab()
    login(lab.facilitators[0])
    response = client.post(f"/labs/{lab.id}/stage", data={"action": "advance"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "3" in html and response.status_code == 409  # the page again, with what is missing
    db.session.refresh(lab)
    assert lab.stage is LabStage.PROBLEM


def test_member_checks_in_on_the_session_page(client, make_lab, add_member, login):
    lab = make_lab()
    member = add_member(lab)
    starts = utcnow() - timedelta(minutes=1)
    session = session_services.create_session(lab, lab.facilitators[0], title="모임", starts_at=starts,
                                              ends_at=starts + timedelta(hours=1),
                                              meeting_url="https://meet.example.kr/x")
    db.session.commit()
    login(member)
    page = client.get(f"/labs/{lab.id}/sessions/{session.id}").get_data(as_text=True)
    assert session.checkin_code not in page  # only facilitators see the code
    client.post(f"/labs/{lab.id}/sessions/{session.id}/checkin", data={"code": session.checkin_code})
    again = client.post(f"/labs/{lab.id}/sessions/{session.id}/checkin", data={"code": session.checkin_code},
                        follow_redirects=True)
    assert again.status_code == 200
    assert len(session_services.attendance_of(session)) == 1


def test_csv_upload_page_reports_row_numbers(client, make_lab, login):
    lab = make_lab(stage=LabStage.REVIEW)
    login(lab.facilitators[0])
    bad = "지역,건수\n온양1동,3\n온양2동,4,5\n".encode()
    response = client.post(f"/labs/{lab.id}/datasets", data={"name": "신고", "file": (io.BytesIO(bad), "a.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DataSet)) == 0
    good = "지역,건수\n온양1동,3\n온양2동,4\n".encode("cp949")
    client.post(f"/labs/{lab.id}/datasets", data={"name": "신고", "file": (io.BytesIO(good), "b.csv")},
                content_type="multipart/form-data")
    dataset = db.session.scalar(select(DataSet))
    assert dataset.encoding == "cp949" and dataset.rows == [["온양1동", "3"], ["온양2동", "4"]]
    chart = client.get(f"/labs/{lab.id}/datasets/{dataset.id}").get_data(as_text=True)
    assert chart.count("<rect") == 2


def test_recruiting_labs_are_on_the_home_page_and_in_search(client, make_lab):
    make_lab(title="혼자 사는 어르신 돌봄 리빙랩")
    home = client.get("/").get_data(as_text=True)
    assert "혼자 사는 어르신 돌봄 리빙랩" in home
    from app.search import query_index

    hits, total = query_index("어르신 돌봄")
    assert total == 1 and hits[0].type == "lab"


def test_workspace_is_for_members_and_shows_the_stage_forms(client, make_lab, add_member, make_user, login):
    lab = make_lab()
    member = add_member(lab)
    login(make_user())
    assert client.get(f"/labs/{lab.id}/workspace").status_code == 403
    client.post("/logout")
    login(member)
    page = client.get(f"/labs/{lab.id}/workspace")
    assert page.status_code == 200
    client.post(f"/labs/{lab.id}/problems", data={"title": "불법 주차", "body": "학교 앞 불법 주차가 위험합니다."})
    assert "불법 주차" in client.get(f"/labs/{lab.id}/workspace").get_data(as_text=True)


def test_public_finds_prototypes_on_the_lab_page_and_gives_feedback(client, make_lab):
    lab = make_lab(stage=LabStage.PROTOTYPING)
    prototype = ws.add_prototype(lab, lab.facilitators[0], title="안부 확인 스티커", description="현관문에 붙입니다.")
    db.session.commit()
    page = client.get(f"/labs/{lab.id}").get_data(as_text=True)
    assert f"/labs/{lab.id}/prototypes/{prototype.id}" in page
    client.post(f"/labs/{lab.id}/prototypes/{prototype.id}/feedback", data={"rating": "5", "comment": "좋아요"})
    empty = client.post(f"/labs/{lab.id}/prototypes/{prototype.id}/feedback", data={"rating": "7", "comment": ""},
                        follow_redirects=True)
    assert empty.status_code == 422
    assert [f.rating for f in ws.feedback_of(prototype)] == [5]
