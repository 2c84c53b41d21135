"""The committee pages: public page without contacts, staff page, forms keeping input, meeting workflow."""
from datetime import timedelta

from sqlalchemy import select

from app.committees.models import ItemOutcome, MeetingStatus, MemberStatus, RequestStatus, SubjectType
from app.committees.services import deliberation, meetings, today
from app.core import utcnow
from app.extensions import db
from app.ledger.models import Allowance


def _csrf_off(app):
    app.config["WTF_CSRF_ENABLED"] = False


def test_public_page_lists_members_without_contacts(client, formed):
    committee, members = formed(3, 3)
    page = client.get(f"/committees/{committee.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and committee.name in html and members[0].name in html
    assert "010-0000" not in html
    assert client.get("/committees").status_code == 200


def test_staff_page_shows_contacts_and_expiring_terms_and_is_for_staff_only(client, login, formed, staff, make_user):
    committee, members = formed(3, 3)
    members[0].term_ends_on = today() + timedelta(days=30)
    db.session.commit()
    assert client.get(f"/committees/{committee.id}/manage").status_code == 302  # to the login page
    login(make_user())
    assert client.get(f"/committees/{committee.id}/manage").status_code == 403
    client.post("/logout")
    login(staff)
    html = client.get(f"/committees/{committee.id}/manage").get_data(as_text=True)
    assert "010-0000-0000" in html
    expiring = html[html.index('id="expiring-heading"'):html.index('id="serving-heading"')]
    assert members[0].name in expiring and members[1].name not in expiring
    assert client.get(f"/committees/{committee.id}/members/{members[0].id}").status_code == 200


def test_nomination_form_keeps_input_and_refusals_are_shown(app, client, login, formed, staff):
    _csrf_off(app)
    committee, _ = formed(6, 4)
    login(staff)
    bad = client.post(f"/committees/{committee.id}/members", data={"name": "", "gender": "female",
                                                                  "category": "expert", "contact": "010-9"})
    assert bad.status_code == 422 and 'value="010-9"' in bad.get_data(as_text=True)
    client.post(f"/committees/{committee.id}/members", data={"name": "김여성", "gender": "female", "category": "expert"})
    nominee = db.session.scalar(select(type(_[0])).where(type(_[0]).name == "김여성"))
    refused = client.post(f"/committees/{committee.id}/appointments",
                          data={"member_ids": [nominee.id], "starts_on": today().isoformat()})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="member_ids-error"' in page and "11명 중 7명" in page  # the reason, beside the field
    db.session.refresh(nominee)
    assert nominee.status is MemberStatus.NOMINATED


def test_members_ask_for_a_meeting_and_sign_on_the_site(app, client, login, formed, make_user):
    _csrf_off(app)
    users = [make_user() for _ in range(3)]
    committee, members = formed(5, 4, users=users)
    login(users[0])
    client.post(f"/committees/{committee.id}/requests", data={"purpose": "가로등 사업 점검"})
    request = db.session.scalar(select(__import__("app.committees.models", fromlist=["MeetingRequest"]).MeetingRequest))
    client.post("/logout")
    for user in users[1:]:
        login(user)
        assert client.post(f"/committees/{committee.id}/requests/{request.id}/sign").status_code == 302
        client.post("/logout")
    db.session.refresh(request)
    assert request.status is RequestStatus.DUE and request.signature_count == 3
    outsider = make_user()
    login(outsider)
    assert client.post(f"/committees/{committee.id}/requests/{request.id}/sign").status_code == 403


def test_meeting_workflow_on_the_pages_and_the_public_result(app, client, login, formed, staff, with_chair,
                                                             make_user, count_queries):
    _csrf_off(app)
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    with_chair(committee, members[0])
    login(staff)
    starts = (utcnow() + timedelta(days=3) + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/committees/{committee.id}/meetings", data={
        "title": "제1차 정기회", "starts_at": starts, "place": "구청 3층", "basis": "chair"})
    assert response.status_code == 302
    meeting = db.session.scalar(select(__import__("app.committees.models", fromlist=["Meeting"]).Meeting))
    assert client.post(f"/committees/{committee.id}/meetings/{meeting.id}/items",
                       data={"title": "사업 자문", "subject_type": "proposal", "subject_id": "999"}).status_code == 422
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/items", data={"title": "사업 자문"})
    meeting.starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/hold")
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/attendance",
                data={"member_ids": [m.id for m in members[:4]]})
    item = meeting.items[0]
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/items/{item.id}/recusals", data={
        "member_id": members[3].id, "kind": "self", "ground": "advised", "reason": "자문 용역 수행"})
    votes = {f"vote-{m.id}": "for" for m in members[:3]}
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/items/{item.id}/votes", data={**votes, "note": "가결"})
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/minutes", data={"minutes": "회의록 본문"})
    client.post(f"/committees/{committee.id}/meetings/{meeting.id}/publish")
    db.session.expire_all()
    meeting = db.session.get(type(meeting), meeting.id)
    assert meeting.status is MeetingStatus.PUBLISHED and meeting.items[0].outcome is ItemOutcome.PASSED
    assert db.session.scalar(select(Allowance).where(Allowance.user_id == resident.id)) is None  # no budget
    client.post("/logout")
    with count_queries() as queries:
        page = client.get(f"/committees/{committee.id}/meetings/{meeting.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "회의록 본문" in html and "자문 용역 수행" not in html
    assert len(queries) <= 14


def test_held_meetings_are_not_public_until_published(client, formed, held_meeting, login, make_user):
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members)
    assert client.get(f"/committees/{committee.id}/meetings/{meeting.id}").status_code == 404
    login(make_user())
    assert client.get(f"/committees/{committee.id}/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/committees/{committee.id}/meetings/999").status_code == 404


def test_proposal_page_shows_the_committees_discussion(client, formed, staff, held_meeting, make_proposal):
    proposal = make_proposal()
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members, items=0)
    item = meetings.add_item(meeting, staff, title="주차 제안 검토", subject_type=SubjectType.PROPOSAL,
                             subject_id=proposal.id)
    deliberation.close_item(item, staff, outcome=ItemOutcome.DISCUSSED, note="시범 운영을 권고함")
    meetings.save_minutes(meeting, staff, "회의록")
    meetings.publish_meeting(meeting, staff)
    db.session.commit()
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "시범 운영을 권고함" in html


def test_committee_pages_run_a_fixed_number_of_queries(client, login, make_committee, staff, count_queries):
    from app.committees.models import Gender, MemberCategory
    from app.committees.services import membership

    counts = {}
    for size in (4, 12):
        committee = make_committee(name=f"위원회 {size}")
        nominees = [membership.nominate_member(committee, staff, name=f"위원{n}",
                                               gender=Gender(("female", "male")[n % 2]),
                                               category=MemberCategory.EXPERT, contact="010") for n in range(size)]
        membership.appoint_members(committee, staff, [m.id for m in nominees], today())
        db.session.commit()
        with count_queries() as public:
            assert client.get(f"/committees/{committee.id}").status_code == 200
        login(staff)
        with count_queries() as manage:
            assert client.get(f"/committees/{committee.id}/manage").status_code == 200
        client.post("/logout")
        counts[size] = (len(public), len(manage))
    assert counts[4] == counts[12], counts
    assert counts[12][0] <= 10 and counts[12][1] <= 16, counts


def test_a_members_data_export_carries_their_seat(client, login, formed, make_user):
    import io
    import json
    import zipfile

    resident = make_user()
    formed(3, 3, users=[resident])
    login(resident)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/export").data))
    data = json.loads(archive.read("data.json"))
    assert [s["contact"] for s in data["committee_seats"]] == ["010-0000-0000"]
    assert data["committee_seats"][0]["status"] == "active"


def test_the_chair_calls_a_meeting_from_the_committee_page(app, client, login, formed, make_user, with_chair):
    _csrf_off(app)
    chair_user = make_user()
    committee, members = formed(3, 3, users=[chair_user])
    with_chair(committee, members[0])
    login(chair_user)
    page = client.get(f"/committees/{committee.id}").get_data(as_text=True)
    assert f'action="/committees/{committee.id}/meetings"' in page
    starts = (utcnow() + timedelta(days=3, hours=9)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/committees/{committee.id}/meetings", data={
        "title": "임시회", "starts_at": starts, "place": "회의실", "basis": "chair"})
    assert response.status_code == 302 and "/meetings/" in response.headers["Location"]
    client.post("/logout")
    login(make_user())
    assert 'action="/committees/1/meetings"' not in client.get(f"/committees/{committee.id}").get_data(as_text=True)
    assert client.post(f"/committees/{committee.id}/meetings", data={
        "title": "임시회", "starts_at": starts, "place": "회의실", "basis": "chair"}).status_code == 403
