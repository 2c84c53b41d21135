"""Following fields, topics and districts; hearing about new things there once; pages and API."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core import DomainError
from app.extensions import db
from app.interests import services
from app.interests.models import Interest, InterestKind
from app.notifications.models import Notification
from app.policies.models import Horizon
from app.proposals.models import ProposalStatus



def notes(user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def follow(user, kind, key):
    services.follow(user, InterestKind(kind), key)
    db.session.commit()


# --- services -----------------------------------------------------------------------------------------

def test_follow_is_idempotent_and_unfollow_says_whether_anything_changed(choices, make_user):
    user = make_user()
    first, created = services.follow(user, InterestKind.FIELD, "transport")
    again, created_again = services.follow(user, InterestKind.FIELD, "transport")
    assert created and not created_again and first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(Interest)) == 1
    assert services.unfollow(user, InterestKind.FIELD, "transport") is True
    assert services.unfollow(user, InterestKind.FIELD, "transport") is False


@pytest.mark.parametrize("kind, key, message", [
    (InterestKind.FIELD, "no-such-field", "Choose a field from the list."),
    (InterestKind.TOPIC, "transport", "Choose a topic from the list."),  # a field slug is not a topic
    (InterestKind.DISTRICT, "gangnam", "Choose a district from the list."),
])
def test_unknown_things_cannot_be_followed(choices, make_user, kind, key, message):
    with pytest.raises(DomainError) as refused:
        services.follow(make_user(), kind, key)
    assert str(refused.value.message) == message and refused.value.status == 422


def test_own_district_is_suggested_until_followed(make_user):
    user = make_user(district="baebang")
    assert services.suggested_district(user) == "baebang"
    follow(user, "district", "baebang")
    assert services.suggested_district(user) is None


# --- fan-out ----------------------------------------------------------------------------------------------

def test_new_proposal_reaches_each_follower_once_however_many_of_its_things_they_follow(make_proposal, make_user):
    everything = make_user()
    for kind, key in (("field", "transport"), ("topic", "parking"), ("district", "onyang3")):
        follow(everything, kind, key)
    district_only = make_user()
    follow(district_only, "district", "onyang3")
    elsewhere = make_user()
    follow(elsewhere, "district", "dogo")
    follow(elsewhere, "field", "welfare")
    gone = make_user()
    follow(gone, "field", "transport")
    gone.active = False
    author = make_user()
    follow(author, "field", "transport")

    proposal = make_proposal(author, field="transport", topics=("parking",), district="onyang3")

    for person in (everything, district_only):
        received = notes(person, services.NEW_PROPOSAL)
        assert len(received) == 1
        assert received[0].url == f"/proposals/{proposal.id}" and received[0].params["title"] == proposal.title
    assert notes(elsewhere) == [] and notes(gone) == [] and notes(author) == []


def test_fan_out_runs_the_same_queries_for_one_follower_or_forty(make_proposal, make_user, count_queries):
    author = make_user()
    follow(make_user(), "topic", "parking")
    with count_queries() as few:
        make_proposal(author, title="첫 번째 제안 제목입니다")
    for _ in range(40):
        follow(make_user(), "topic", "parking")
    with count_queries() as many:
        make_proposal(author, title="두 번째 제안 제목입니다")
    assert len(many) == len(few)
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == services.NEW_PROPOSAL)) == 1 + 41


def test_new_lab_tells_its_district_and_the_fields_of_its_proposals(make_proposal, make_user):
    from app.labs.models import LabMode
    from app.labs.services import labs as lab_services

    proposal = make_proposal(field="environment", topics=("waste",), district="tangjeong")
    by_district, by_field, by_topic, other = make_user(), make_user(), make_user(), make_user()
    follow(by_district, "district", "yeomchi")
    follow(by_field, "field", "environment")
    follow(by_topic, "topic", "waste")
    follow(by_topic, "district", "yeomchi")  # and the district: still one message
    follow(other, "district", "onyang1")
    facilitator = make_user(roles=["facilitator"])
    follow(facilitator, "district", "yeomchi")
    today = date.today()
    lab = lab_services.create_lab(
        facilitator, title="쓰레기 없는 골목 실험", summary="무단투기를 함께 줄여 봅니다.", mode=LabMode.CITY_COMMISSIONED,
        district="yeomchi", capacity=10, recruitment_deadline=today + timedelta(days=14), starts_on=today,
        ends_on=today + timedelta(days=60), proposal_ids=[proposal.id])
    db.session.commit()
    for person in (by_district, by_field, by_topic):
        received = notes(person, services.LAB_RECRUITING)
        assert len(received) == 1 and received[0].url == f"/labs/{lab.id}"
    assert notes(other) == [] and notes(facilitator, services.LAB_RECRUITING) == []


def test_opened_consultation_tells_followers_of_its_policy_field(make_proposal, make_user):
    from app.consultations import services as consultation_services
    from app.policies import services as policy_services

    staff = make_user(roles=["staff"])
    proposal = make_proposal(field="safety", topics=("cctv",), district="songak")
    proposal.status = ProposalStatus.ADOPTED
    policy = policy_services.create_policy(
        staff, policy_services.PolicyData(title="안심 골목 CCTV", summary="설치", department="정보통신과",
                                          horizon=Horizon.NEAR),
        steps=[("구축", 1)], proposal_ids=[proposal.id], field_slug="safety")
    by_field, by_place, unrelated = make_user(), make_user(), make_user()
    follow(by_field, "field", "safety")
    follow(by_place, "district", "songak")
    follow(unrelated, "field", "economy")
    deadline = date.today() + timedelta(days=20)
    from datetime import time

    consultation = consultation_services.create_consultation(staff, consultation_services.ConsultationData(
        title="CCTV 설치 계획 의견수렴", purpose="의견을 듣습니다.", department="정보통신과", deadline_date=deadline,
        deadline_time=time(18, 0), policy_id=policy.id))
    db.session.commit()
    consultation_services.open_consultation(consultation, staff)
    db.session.commit()
    assert [n.url for n in notes(by_field, services.NEW_CONSULTATION)] == [f"/consultations/{consultation.id}"]
    assert len(notes(by_place, services.NEW_CONSULTATION)) == 1
    assert notes(unrelated) == []


def test_policy_update_reaches_a_follower_of_the_policy_and_its_field_once(make_proposal, make_user):
    from app.policies import services as policy_services

    staff = make_user(roles=["staff"])
    proposal = make_proposal(field="transport", topics=("bus",), district="inju")
    proposal.status = ProposalStatus.ADOPTED
    policy = policy_services.create_policy(
        staff, policy_services.PolicyData(title="수요응답형 버스", summary="도입", department="교통과",
                                          horizon=Horizon.NEAR),
        steps=[("구축", 1)], proposal_ids=[proposal.id], field_slug="transport")
    both, by_topic = make_user(), make_user()
    policy_services.follow(policy, both)
    follow(both, "field", "transport")
    follow(by_topic, "topic", "bus")
    db.session.commit()
    policy_services.post_update(policy, staff, body="시범 노선을 정했습니다.")
    db.session.commit()
    assert len(notes(both, "policy_update")) == 1
    assert len(notes(by_topic, "policy_update")) == 1
    assert len(notes(proposal.author, "policy_update")) == 1  # the author of the linked proposal, as before
    assert notes(staff, "policy_update") == []


# --- pages ------------------------------------------------------------------------------------------------

def test_interests_page_suggests_my_district_and_follows_and_unfollows(client, choices, make_user, login,
                                                                        count_queries):
    user = make_user(district="sinchang")
    login(user)
    db.session.expire_all()
    with count_queries() as queries:
        html = client.get("/account/interests/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Follow my district" in html and "Sinchang-myeon" in html and "You follow nothing yet" in html
    response = client.post("/account/interests/follow", data={"kind": "district", "key": "sinchang"})
    assert response.status_code == 302
    client.post("/account/interests/follow", data={"kind": "field", "key": "transport"})
    for n in range(8):
        follow(user, "topic", ["parking", "bus", "walking", "waste", "cctv", "elderly", "children", "parks"][n])
    db.session.expire_all()
    with count_queries() as more:
        html = client.get("/account/interests/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Follow my district" not in html and "Following: Transport" in html
    assert len(more) == len(queries), (queries, more)  # what one follows costs no query per item
    client.post("/account/interests/unfollow", data={"kind": "field", "key": "transport"})
    assert "Following: Transport" not in client.get("/account/interests/", headers={"Accept-Language": "en"}) \
        .get_data(as_text=True)


def test_interests_page_refuses_unknown_keys_with_a_message(client, choices, make_user, login):
    login(make_user())
    response = client.post("/account/interests/follow", data={"kind": "district", "key": "atlantis"},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Choose a district from the list." in response.get_data(as_text=True)
    response = client.post("/account/interests/follow", data={"kind": "planet", "key": "mars"},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Interest)) == 0


def test_interests_page_needs_a_login(client):
    assert client.get("/account/interests/").status_code == 302


# --- API --------------------------------------------------------------------------------------------------

def test_api_lists_follows_and_unfollows(client, choices, make_user, auth_header):
    user = make_user(district="dunpo")
    headers = auth_header(user)
    body = client.get("/api/v1/me/interests", headers=headers).get_json()
    assert body["items"] == [] and body["suggested_district"] == "dunpo"
    assert {c["key"] for c in body["choices"]["field"]} >= {"transport", "welfare"}
    created = client.post("/api/v1/me/interests", json={"kind": "topic", "key": "parking"}, headers=headers)
    assert created.status_code == 201 and created.get_json()["key"] == "parking"
    again = client.post("/api/v1/me/interests", json={"kind": "topic", "key": "parking"}, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == created.get_json()["id"]
    assert [i["key"] for i in client.get("/api/v1/me/interests", headers=headers).get_json()["items"]] == ["parking"]
    assert client.delete("/api/v1/me/interests/topic/parking", headers=headers).status_code == 204
    assert client.delete("/api/v1/me/interests/topic/parking", headers=headers).status_code == 404


@pytest.mark.parametrize("payload, field", [
    ({"kind": "topic", "key": "nothing"}, "key"),
    ({"kind": "planet", "key": "parking"}, "kind"),
    ({"kind": "topic"}, "key"),
    ({"kind": "topic", "key": ["parking"]}, "key"),
    ({"kind": "topic", "key": "parking", "extra": 1}, "extra"),
])
def test_api_refuses_bad_input_with_422(client, choices, make_user, auth_header, payload, field):
    response = client.post("/api/v1/me/interests", json=payload, headers=auth_header(make_user()))
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Interest)) == 0


def test_api_needs_a_token(client):
    assert client.get("/api/v1/me/interests").status_code == 401
    assert client.post("/api/v1/me/interests", json={"kind": "topic", "key": "parking"}).status_code == 401
