"""The committee API: the same rules as the pages, JSON errors, no contact details in public answers."""
from datetime import timedelta

from app.committees.services import today
from app.core import utcnow
from app.extensions import db


def test_public_answers_never_carry_contact_details(client, formed):
    committee, members = formed(3, 3)
    body = client.get(f"/api/v1/committees/{committee.id}").get_json()
    assert body["enrolled"] == 6 and len(body["members"]) == 6
    assert "contact" not in str(body) and "010-" not in str(body)
    assert client.get("/api/v1/committees").get_json()["total"] == 1
    assert client.get(f"/api/v1/committees/{committee.id}/members").status_code == 401


def test_staff_build_a_committee_through_the_api(client, make_user, auth_header, staff):
    admin = make_user(["admin", "staff"], city_employee=True)
    h, hs = auth_header(admin), auth_header(staff)
    assert client.post("/api/v1/committees", json={"name": "위원회", "travel_expense_won": 0},
                       headers=hs).status_code == 403
    bad = client.post("/api/v1/committees", json={"name": "", "travel_expense_won": -1, "extra": 1}, headers=h)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"name", "travel_expense_won", "extra"}
    committee = client.post("/api/v1/committees", json={"name": "스마트도시 정책자문위원회", "travel_expense_won": 20000},
                            headers=h).get_json()
    cid = committee["id"]
    ids = []
    for n, gender in enumerate(["female"] * 7 + ["male"] * 4):
        created = client.post(f"/api/v1/committees/{cid}/members", headers=hs, json={
            "name": f"위원{n}", "gender": gender, "category": "expert", "contact": f"010-1111-{n:04d}"})
        assert created.status_code == 201
        ids.append(created.get_json()["id"])
    assert client.post(f"/api/v1/committees/{cid}/members", headers=hs, json={
        "name": "x", "gender": "other", "category": "expert"}).status_code == 422
    refused = client.post(f"/api/v1/committees/{cid}/appointments", headers=hs,
                          json={"member_ids": ids, "starts_on": today().isoformat()})
    assert refused.status_code == 409 and "11명 중 7명" in refused.get_json()["error"]["message"]
    appointed = client.post(f"/api/v1/committees/{cid}/appointments", headers=hs,
                            json={"member_ids": ids[1:], "starts_on": today().isoformat()})
    assert appointed.status_code == 200 and len(appointed.get_json()) == 10
    listed = client.get(f"/api/v1/committees/{cid}/members?status=active", headers=hs).get_json()
    assert listed["total"] == 10 and listed["items"][0]["contact"].startswith("010-1111")
    dismissed = client.post(f"/api/v1/committees/{cid}/members/{ids[1]}/dismissal", headers=hs,
                            json={"reason": "own_request", "note": "사임"})
    assert dismissed.status_code == 200
    record = dismissed.get_json()["dismissal"]
    assert record["reason_ko"] == "위원 스스로 직무를 수행하기 어렵다는 의사를 밝히는 경우" and record["by"] == staff.id
    assert client.post(f"/api/v1/committees/{cid}/members/{ids[2]}/dismissal", headers=hs,
                       json={"reason": "tired"}).status_code == 422
    renewed = client.post(f"/api/v1/committees/{cid}/members/{ids[2]}/renewal", headers=hs)
    assert renewed.status_code == 200 and renewed.get_json()["renewals"] == 1
    assert client.post(f"/api/v1/committees/{cid}/members/{ids[2]}/renewal", headers=hs).status_code == 409
    assert client.get(f"/api/v1/committees/{cid}/expiring-terms", headers=hs).get_json() == []


def test_request_call_vote_and_publish_through_the_api(client, formed, make_user, auth_header, staff, make_proposal):
    users = [make_user() for _ in range(3)]
    committee, members = formed(5, 4, users=users)
    cid, hs = committee.id, auth_header(staff)
    hm = [auth_header(u) for u in users]
    assert client.post(f"/api/v1/committees/{cid}/officers", headers=hs, json={
        "office": "chair", "member_id": members[0].id, "elected_on": today().isoformat(), "present": 4,
        "votes_for": 3}).status_code == 422  # 4 of 9 is no quorum
    assert client.post(f"/api/v1/committees/{cid}/officers", headers=hs, json={
        "office": "chair", "member_id": members[0].id, "elected_on": today().isoformat(), "present": 7,
        "votes_for": 5}).status_code == 200
    req = client.post(f"/api/v1/committees/{cid}/requests", headers=hm[1], json={"purpose": "점검"}).get_json()
    assert req["signatures_needed"] == 3 and req["status"] == "open"
    assert client.post(f"/api/v1/committees/{cid}/requests/{req['id']}/signatures", headers=hm[1]).status_code == 409
    assert client.post(f"/api/v1/committees/{cid}/requests", headers=auth_header(make_user()),
                       json={"purpose": "x"}).status_code == 403
    client.post(f"/api/v1/committees/{cid}/requests/{req['id']}/signatures", headers=hm[2])
    due = client.post(f"/api/v1/committees/{cid}/requests/{req['id']}/signatures", headers=hm[0]).get_json()
    assert due["status"] == "due" and due["signature_count"] == 3
    starts = (utcnow() + timedelta(days=2)).isoformat() + "+00:00"
    meeting = client.post(f"/api/v1/committees/{cid}/meetings", headers=hm[0], json={
        "title": "임시회", "starts_at": starts, "place": "회의실", "basis": "members_request",
        "request_id": req["id"]})
    assert meeting.status_code == 201
    mid = meeting.get_json()["id"]
    proposal = make_proposal()
    base = f"/api/v1/committees/{cid}/meetings/{mid}"
    item = client.post(f"{base}/items", headers=hs, json={"title": "제안 검토", "subject_type": "proposal",
                                                          "subject_id": proposal.id}).get_json()["items"][0]
    assert client.post(f"{base}/status", headers=hs, json={"status": "held"}).status_code == 409  # not started
    from app.committees.models import Meeting

    db.session.get(Meeting, mid).starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.post(f"{base}/status", headers=hs, json={"status": "held"}).status_code == 200
    assert client.get(base).status_code == 404  # held, not yet published
    client.post(f"{base}/attendance", headers=hs, json={"member_ids": [m.id for m in members[:6]]})
    step = client.post(f"{base}/items/{item['id']}/step-aside", headers=hm[1],
                       json={"ground": "advised", "reason": "관련 연구 수행"})
    assert step.status_code == 201 and step.get_json()["kind"] == "self"
    votes = {str(m.id): "for" for m in members[:6]}
    assert client.post(f"{base}/items/{item['id']}/votes", headers=hs, json={"votes": votes}).status_code == 422
    votes.pop(str(members[1].id))
    votes[str(members[2].id)] = "maybe"
    assert client.post(f"{base}/items/{item['id']}/votes", headers=hs, json={"votes": votes}).status_code == 422
    votes[str(members[2].id)] = "abstain"
    result = client.post(f"{base}/items/{item['id']}/votes", headers=hs, json={"votes": votes, "note": "권고"})
    assert result.status_code == 200
    assert result.get_json()["outcome"] == "passed" and result.get_json()["eligible_enrolled"] == 8
    assert client.put(f"{base}/minutes", headers=hs, json={"minutes": "회의록"}).status_code == 200
    assert client.post(f"{base}/status", headers=hm[0], json={"status": "published"}).status_code == 403
    assert client.post(f"{base}/status", headers=hs, json={"status": "published"}).status_code == 200
    public = client.get(base).get_json()
    assert public["minutes"] == "회의록" and len(public["attendance"]) == 6
    assert "reason" not in public["items"][0]["recusals"][0]
    found = client.get(f"/api/v1/committee-discussions?subject_type=proposal&subject_id={proposal.id}").get_json()
    assert [f["result_note"] for f in found] == ["권고"]
    assert client.get("/api/v1/committee-discussions?subject_type=park&subject_id=1").status_code == 422


def test_numbers_no_row_can_have_are_refused_not_crashed(client, formed, staff, auth_header, held_meeting):
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members)
    hs = auth_header(staff)
    for huge in (2**40, 10**20):
        assert client.get(f"/api/v1/committees/{huge}").status_code == 404
        assert client.get(f"/api/v1/committees/{committee.id}/meetings/{huge}", headers=hs).status_code == 404
        assert client.get(f"/committees/{committee.id}/members/{huge}").status_code in (302, 404)
        bad = [
            client.post(f"/api/v1/committees/{committee.id}/appointments", headers=hs,
                        json={"member_ids": [huge], "starts_on": today().isoformat()}),
            client.post(f"/api/v1/committees/{committee.id}/members", headers=hs, json={
                "name": "x", "gender": "male", "category": "expert", "replaces_id": huge}),
            client.post(f"/api/v1/committees/{committee.id}/meetings/{meeting.id}/items", headers=hs,
                        json={"title": "x", "subject_type": "lab", "subject_id": huge}),
            client.post(f"/api/v1/committees/{committee.id}/meetings/{meeting.id}/attendance", headers=hs,
                        json={"member_ids": [huge]}),
            client.post(f"/api/v1/committees/{committee.id}/meetings/{meeting.id}/items/{meeting.items[0].id}/votes",
                        headers=hs, json={"votes": {str(huge): "for"}}),
        ]
        assert [r.status_code for r in bad] == [422] * len(bad)
        assert client.get(f"/api/v1/committee-discussions?subject_type=lab&subject_id={huge}").status_code == 422
