from sqlalchemy import func, select

from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal

NEW = {"title": "버스정류장 그늘막 설치 요청", "body": "여름에 버스를 기다리는 어르신들이 더위에 너무 힘들어하십니다.",
       "field": "transport", "topics": ["bus", "elderly"]}


def test_create_and_read_a_proposal(client, auth_header, make_user, choices):
    headers = auth_header(make_user())
    response = client.post("/api/v1/proposals", json=NEW, headers=headers)
    assert response.status_code == 201
    item = response.get_json()
    assert item["field"] == "transport" and item["topics"] == ["bus", "elderly"] and item["status"] == "open"
    assert item["support_count"] == 0 and item["answered"] is False
    assert client.get(f"/api/v1/proposals/{item['id']}").get_json()["title"] == NEW["title"]


def test_creation_errors_by_field_and_nothing_saved(client, auth_header, make_user, choices):
    headers = auth_header(make_user())
    cases = [
        ({**NEW, "title": "짧다"}, "title"),
        ({**NEW, "body": "x" * 10001}, "body"),
        ({**NEW, "field": "weather"}, "field"),
        ({**NEW, "topics": ["bus", "dragons"]}, "topics"),
        ({**NEW, "topics": ["bus", "parking", "walking", "waste", "cctv", "elderly"]}, "topics"),
        ({**NEW, "colour": "blue"}, "colour"),
        ({**NEW, "latitude": 36.8, "longitude": 127.0}, "latitude"),
    ]
    for payload, field in cases:
        response = client.post("/api/v1/proposals", json=payload, headers=headers)
        assert response.status_code == 422, payload
        assert field in response.get_json()["errors"], response.get_json()
    unknown_topic = client.post("/api/v1/proposals", json=cases[3][0], headers=headers).get_json()
    assert "dragons" in unknown_topic["errors"]["topics"][0]
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    assert client.post("/api/v1/proposals", json=NEW).status_code == 401


def test_list_shape_filters_and_per_page_cap(client, make_proposal, make_user):
    make_proposal(title="도서관 운영 시간 연장", field="culture", topics=[], body="도서관이 너무 일찍 닫아서 이용하기 어렵습니다.")
    popular = make_proposal(title="골목 주차 단속 요청")
    services.support_proposal(make_user(), popular)
    db.session.commit()
    body = client.get("/api/v1/proposals?sort=supports&per_page=500").get_json()
    assert body["per_page"] == 100 and body["total"] == 2 and body["page"] == 1
    assert set(body["items"][0]) >= {"id", "title", "body", "field", "topics", "status", "support_count",
                                     "comment_count", "answered", "author", "created_at"}
    assert body["items"][0]["title"] == "골목 주차 단속 요청"
    assert [i["title"] for i in client.get("/api/v1/proposals?field=culture").get_json()["items"]] == ["도서관 운영 시간 연장"]
    assert [i["title"] for i in client.get("/api/v1/proposals?q=주차").get_json()["items"]] == ["골목 주차 단속 요청"]
    assert client.get("/api/v1/proposals?answered=true").get_json()["total"] == 0
    assert client.get("/api/v1/proposals?topic=parking").get_json()["total"] == 1


def test_support_is_idempotent(client, auth_header, make_proposal, make_user):
    proposal = make_proposal()
    headers = auth_header(make_user())
    first = client.put(f"/api/v1/proposals/{proposal.id}/support", headers=headers)
    again = client.put(f"/api/v1/proposals/{proposal.id}/support", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == {"supported": True, "support_count": 1}
    gone = client.delete(f"/api/v1/proposals/{proposal.id}/support", headers=headers)
    assert gone.get_json() == {"supported": False, "support_count": 0}
    assert client.put(f"/api/v1/proposals/{proposal.id}/support").status_code == 401


def test_a_withdrawn_proposal_cannot_be_supported(client, auth_header, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    assert client.post(f"/api/v1/proposals/{proposal.id}/withdraw", headers=auth_header(author)).status_code == 200
    response = client.put(f"/api/v1/proposals/{proposal.id}/support", headers=auth_header(make_user()))
    assert response.status_code == 409 and response.get_json()["error"]["message"]


def test_follow_and_notifications(client, auth_header, make_proposal, make_user):
    proposal = make_proposal()
    follower, staff = make_user(), make_user(["staff"])
    headers = auth_header(follower)
    assert client.put(f"/api/v1/proposals/{proposal.id}/follow", headers=headers).get_json() == {"following": True}
    answer = {"body": "검토 후 내년에 추진하겠습니다.", "status": "under_review"}
    assert client.post(f"/api/v1/proposals/{proposal.id}/answer", json=answer, headers=headers).status_code == 403
    response = client.post(f"/api/v1/proposals/{proposal.id}/answer", json=answer, headers=auth_header(staff))
    assert response.status_code == 200 and response.get_json()["status"] == "under_review"
    assert response.get_json()["answered"] is False  # "under review" is an interim reply, not an answer
    inbox = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert inbox["unread"] == 1 and inbox["items"][0]["kind"] == "proposal_answered"
    assert client.post("/api/v1/me/notifications/read", headers=headers).get_json() == {"unread": 0}
    assert client.delete(f"/api/v1/proposals/{proposal.id}/follow", headers=headers).get_json() == {"following": False}


def test_answer_validation(client, auth_header, make_proposal, make_user):
    proposal = make_proposal()
    headers = auth_header(make_user(["staff"]))
    bad = client.post(f"/api/v1/proposals/{proposal.id}/answer", json={"body": "검토 결과를 알려 드립니다.", "status": "maybe"},
                      headers=headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    no_reason = client.post(f"/api/v1/proposals/{proposal.id}/answer",
                            json={"body": "검토 결과를 알려 드립니다.", "status": "not_adopted"}, headers=headers)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]


def test_hidden_proposals_are_404_except_for_author_and_staff(client, auth_header, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    proposal.hidden = True
    db.session.commit()
    assert client.get(f"/api/v1/proposals/{proposal.id}").status_code == 404
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=auth_header(make_user())).status_code == 404
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=auth_header(author)).status_code == 200
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=auth_header(make_user(["staff"]))).status_code == 200
    assert client.get("/api/v1/proposals").get_json()["total"] == 0


def test_fields_and_topics(client, choices):
    fields = client.get("/api/v1/fields", headers={"Accept-Language": "ko"}).get_json()["items"]
    assert {"slug": "welfare", "name": "보건·복지", "name_ko": "보건·복지", "name_en": "Health and welfare"} in fields
    assert any(t["slug"] == "parking" for t in client.get("/api/v1/topics").get_json()["items"])


def test_every_endpoint_is_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ["/api/v1/proposals", "/api/v1/proposals/{proposal_id}/support",
                 "/api/v1/proposals/{proposal_id}/comments", "/api/v1/reports", "/api/v1/search", "/api/v1/fields", "/api/v1/topics"]:
        assert path in paths


def test_the_api_list_runs_a_fixed_number_of_queries(client, make_proposal, count_queries):
    make_proposal()
    with count_queries() as few:
        client.get("/api/v1/proposals?sort=supports")
    for n in range(30):
        make_proposal(title=f"제안 번호 {n} 입니다", topics=["parking", "bus"])
    with count_queries() as many:
        body = client.get("/api/v1/proposals?sort=supports&per_page=50").get_json()
    assert len(body["items"]) == 31 and len(many) == len(few) <= 4
