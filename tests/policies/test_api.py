"""The policies API: same rules as the pages, JSON only, codes not labels."""
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification
from app.policies import services
from app.policies.models import Policy, PolicyStatus
from app.proposals.models import ProposalStatus, Support


@pytest.fixture
def staff_auth(auth_header, staff):
    return auth_header(staff)


def new_policy(**overrides):
    body = {"title": "자율주행 셔틀", "summary": "천안아산역과 **캠퍼스**를 잇습니다.", "department": "대중교통과",
            "field": "transport", "horizon": "mid", "proposal_ids": [],
            "steps": [{"title": "구축", "weight": 3}, {"title": "시범 운행", "weight": 1}]}
    body.update(overrides)
    return body


def test_staff_create_a_policy_with_steps_and_proposals(client, staff_auth, make_proposal, make_field):
    make_field("transport")
    proposal = make_proposal()
    response = client.post("/api/v1/policies", json=new_policy(proposal_ids=[proposal.id]), headers=staff_auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["progress"], body["horizon"], body["field"]) == ("planned", 0, "mid", "transport")
    assert body["proposal_ids"] == [proposal.id]
    assert [(s["position"], s["title"], s["weight"], s["state"]) for s in body["steps"]] == [
        (0, "구축", 3, "planned"), (1, "시범 운행", 1, "planned")]
    assert body["timeline"][0]["to"] == "planned" and body["timeline"][0]["from"] is None


@pytest.mark.parametrize("overrides, field", [
    ({"title": ""}, "title"),
    ({"horizon": "soon"}, "horizon"),
    ({"field": "nowhere"}, "field"),
    ({"budget_won": -10}, "budget_won"),
    ({"colour": "red"}, "colour"),
    ({"steps": [{"title": "구축", "weight": 0}]}, "steps[0].weight"),
    ({"steps": [{"title": ""}]}, "steps[0].title"),
    ({"steps": "구축"}, "steps"),
    ({"horizon": None}, "horizon"),
])
def test_invalid_policies_are_refused_with_field_errors(client, staff_auth, make_field, overrides, field):
    make_field("transport")
    response = client.post("/api/v1/policies", json=new_policy(**overrides), headers=staff_auth)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Policy)) == 0


def test_a_proposal_not_adopted_cannot_be_linked(client, staff_auth, make_proposal, make_field):
    make_field("transport")
    proposal = make_proposal(status=ProposalStatus.UNDER_REVIEW)
    response = client.post("/api/v1/policies", json=new_policy(proposal_ids=[proposal.id]), headers=staff_auth)
    assert response.status_code == 422 and "proposal_ids" in response.get_json()["errors"]


def test_residents_and_anonymous_cannot_write(client, auth_header, make_user, make_policy):
    policy = make_policy()
    resident = auth_header(make_user())
    assert client.post("/api/v1/policies", json=new_policy()).status_code == 401
    assert client.post("/api/v1/policies", json=new_policy(), headers=resident).status_code == 403
    for method, url, body in [
        ("post", f"/api/v1/policies/{policy.id}/status", {"status": "in_progress"}),
        ("post", f"/api/v1/policies/{policy.id}/updates", {"body": "x"}),
        ("post", f"/api/v1/policies/{policy.id}/steps", {"title": "x"}),
        ("put", f"/api/v1/policies/{policy.id}/steps/{policy.steps[0].id}",
         {"title": "x", "weight": 1, "state": "done"}),
    ]:
        assert getattr(client, method)(url, json=body, headers=resident).status_code == 403


def test_list_and_detail_are_public_and_filtered(client, make_policy, staff):
    near = make_policy(title="AI 기반 CCTV", department="정보통신과")
    services.change_status(make_policy(title="스마트 주차", department="교통행정과"), staff, PolicyStatus.IN_PROGRESS)
    db.session.commit()
    listing = client.get("/api/v1/policies?per_page=500").get_json()
    assert listing["total"] == 2 and listing["per_page"] == 100
    assert {p["title"] for p in listing["items"]} == {"AI 기반 CCTV", "스마트 주차"}
    assert [p["title"] for p in client.get("/api/v1/policies?status=in_progress").get_json()["items"]] == ["스마트 주차"]
    assert [p["title"] for p in client.get("/api/v1/policies?department=정보통신과").get_json()["items"]] == [
        "AI 기반 CCTV"]
    assert client.get("/api/v1/policies?horizon=far").get_json()["total"] == 0
    bad = client.get("/api/v1/policies?status=finished")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    detail = client.get(f"/api/v1/policies/{near.id}").get_json()
    assert detail["progress"] == 0 and detail["following"] is False and detail["updates"] == []
    assert client.get("/api/v1/policies/9999").status_code == 404


def test_status_changes_follow_the_lifecycle(client, staff_auth, make_policy):
    policy = make_policy()
    url = f"/api/v1/policies/{policy.id}/status"
    assert client.post(url, json={"status": "done"}, headers=staff_auth).status_code == 409
    refused = client.post(url, json={"status": "stopped"}, headers=staff_auth)
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    assert client.post(url, json={"status": "finished"}, headers=staff_auth).status_code == 422
    moved = client.post(url, json={"status": "stopped", "reason": "예산 미확보"}, headers=staff_auth)
    assert moved.status_code == 200
    assert [(c["from"], c["to"], c["reason"]) for c in moved.get_json()["timeline"]] == [
        (None, "planned", None), ("planned", "stopped", "예산 미확보")]
    assert client.post(url, json={"status": "planned"}, headers=staff_auth).status_code == 403  # final


def test_updates_change_steps_progress_and_notify(client, staff_auth, make_policy, make_proposal, make_user):
    supporter = make_user()
    proposal = make_proposal()
    db.session.add(Support(proposal_id=proposal.id, user_id=supporter.id))
    db.session.commit()
    policy = make_policy(proposal_ids=[proposal.id])  # steps: 구축 (weight 2), 시범 운영 (weight 1)
    build = policy.steps[0]
    response = client.post(f"/api/v1/policies/{policy.id}/updates", headers=staff_auth, json={
        "body": "설치 70% 진행", "step_id": build.id, "step_state": "in_progress", "step_percent": 70})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["step_state"] == "in_progress"
    detail = client.get(f"/api/v1/policies/{policy.id}").get_json()
    assert detail["progress"] == 46  # 2 × 70 / 3 = 46.7, rounded down
    assert detail["updates"][0]["body"] == "설치 70% 진행" and detail["update_count"] == 1
    assert set(db.session.scalars(select(Notification.user_id))) == {supporter.id, proposal.author_id}

    refused = client.post(f"/api/v1/policies/{policy.id}/updates", headers=staff_auth, json={
        "body": "x", "step_id": build.id, "step_state": "done", "step_percent": 50})
    assert refused.status_code == 422 and "step_percent" in refused.get_json()["errors"]
    refused = client.post(f"/api/v1/policies/{policy.id}/updates", headers=staff_auth, json={
        "body": "x", "step_id": 99999, "step_state": "done"})
    assert refused.status_code == 422 and "step_id" in refused.get_json()["errors"]
    assert client.get(f"/api/v1/policies/{policy.id}/updates").get_json()["total"] == 1


def test_steps_are_added_edited_and_moved(client, staff_auth, make_policy):
    policy = make_policy(steps=[("구축", 1)])
    added = client.post(f"/api/v1/policies/{policy.id}/steps", json={"title": "운영"}, headers=staff_auth)
    assert added.status_code == 201 and added.get_json()["position"] == 1 and added.get_json()["weight"] == 1
    step_id = added.get_json()["id"]
    edited = client.put(f"/api/v1/policies/{policy.id}/steps/{step_id}", headers=staff_auth,
                        json={"title": "운영", "weight": 3, "state": "done"})
    assert edited.status_code == 200 and edited.get_json()["completion"] == 100
    moved = client.post(f"/api/v1/policies/{policy.id}/steps/{step_id}/move", json={"direction": "up"},
                        headers=staff_auth)
    assert [s["title"] for s in moved.get_json()] == ["운영", "구축"]
    assert [s["position"] for s in moved.get_json()] == [0, 1]
    assert client.get(f"/api/v1/policies/{policy.id}").get_json()["progress"] == 75
    bad = client.put(f"/api/v1/policies/{policy.id}/steps/{step_id}", headers=staff_auth,
                     json={"title": "운영", "weight": 1, "state": "someday"})
    assert bad.status_code == 422 and "state" in bad.get_json()["errors"]


def test_follow_and_unfollow(client, auth_header, make_user, make_policy):
    policy = make_policy()
    user = make_user()
    headers = auth_header(user)
    assert client.put(f"/api/v1/policies/{policy.id}/follow").status_code == 401
    assert client.put(f"/api/v1/policies/{policy.id}/follow", headers=headers).get_json() == {"following": True}
    assert client.get(f"/api/v1/policies/{policy.id}", headers=headers).get_json()["following"] is True
    assert client.delete(f"/api/v1/policies/{policy.id}/follow", headers=headers).get_json() == {"following": False}
    assert not services.is_following(policy, user)


def test_residents_comment_on_updates(client, auth_header, make_user, make_policy, staff):
    policy = make_policy()
    update = services.post_update(policy, staff, body="착공했습니다")
    db.session.commit()
    headers = auth_header(make_user())
    url = f"/api/v1/policies/{policy.id}/updates/{update.id}/comments"
    assert client.post(url, json={"body": "기대됩니다"}).status_code == 401
    created = client.post(url, json={"body": "기대됩니다"}, headers=headers)
    assert created.status_code == 201
    reply = client.post(url, json={"body": "저도요", "parent_id": created.get_json()["id"]}, headers=headers)
    assert reply.status_code == 201
    listing = client.get(url).get_json()
    assert [c["body"] for c in listing["items"]] == ["기대됩니다", "저도요"] and listing["total"] == 2
    assert client.post(url, json={"body": ""}, headers=headers).status_code == 422
    assert client.get(f"/api/v1/policies/{policy.id + 1}/updates/{update.id}/comments").status_code == 404
    assert client.get(f"/api/v1/policies/{policy.id}").get_json()["updates"][0]["comment_count"] == 2


def test_updates_take_an_attachment_as_multipart(client, staff_auth, make_policy):
    from tests.policies.test_routes import PNG

    policy = make_policy()
    response = client.post(f"/api/v1/policies/{policy.id}/updates", headers=staff_auth,
                           content_type="multipart/form-data",
                           data={"body": "현장 사진을 올립니다.", "attachment": (io.BytesIO(PNG), "현장.png")})
    assert response.status_code == 201, response.get_json()
    attachment = response.get_json()["attachment"]
    assert (attachment["name"], attachment["mime"]) == ("현장.png", "image/png")
    with client.get(attachment["url"]) as served:
        assert served.data == PNG

    refused = client.post(f"/api/v1/policies/{policy.id}/updates", headers=staff_auth,
                          content_type="multipart/form-data",
                          data={"body": "가짜 그림", "attachment": (io.BytesIO(b"not an image"), "fake.png")})
    assert refused.status_code == 422 and "attachment" in refused.get_json()["errors"]
    assert client.get(f"/api/v1/policies/{policy.id}").get_json()["update_count"] == 1
