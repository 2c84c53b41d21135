"""The survey API: building, answering (account and guest), results with cross-tab, CSV, polls, refusals."""
from __future__ import annotations

from datetime import timedelta

from app.core import utcnow
from app.extensions import db
from app.surveys import services
from app.surveys.models import Audience
from tests.consultations.conftest import code_from_outbox
from tests.surveys.conftest import opt, q


def _local(delta: timedelta) -> str:
    return (utcnow() + timedelta(hours=9) + delta).strftime("%Y-%m-%dT%H:%M")


def test_staff_build_publish_and_close_through_the_api(client, staff, make_user, auth_header):
    headers = auth_header(staff)
    created = client.post("/api/v1/surveys", headers=headers, json={
        "title": "주차 설문", "opens_at": _local(timedelta(minutes=-1)), "closes_at": _local(timedelta(days=2)),
        "audience": "residents", "consent_notice": "통계에만"})
    assert created.status_code == 201, created.get_json()
    survey_id = created.get_json()["id"]
    section = client.post(f"/api/v1/surveys/{survey_id}/sections", headers=headers, json={"title": "주차"})
    assert section.status_code == 201
    question = client.post(f"/api/v1/surveys/{survey_id}/questions", headers=headers, json={
        "text": "주차가 어렵습니까", "kind": "scale", "required": True})
    assert question.status_code == 201 and question.get_json()["kind"] == "scale"
    bad = client.post(f"/api/v1/surveys/{survey_id}/questions", headers=headers, json={
        "text": "고르기", "kind": "single", "options": ["하나"]})
    assert bad.status_code == 422 and "options" in bad.get_json()["errors"]
    assert client.post(f"/api/v1/surveys/{survey_id}/demographics", headers=headers,
                       json={"demographic": "district"}).status_code == 201
    assert client.post(f"/api/v1/surveys/{survey_id}/publish", headers=headers).get_json()["open"] is True
    resident = auth_header(make_user())
    qid = question.get_json()["id"]
    answered = client.put(f"/api/v1/surveys/{survey_id}/response", headers=resident, json={"answers": {str(qid): 4}})
    assert answered.status_code == 200 and answered.get_json() == {"answers": {str(qid): ["4"]}}
    assert client.get(f"/api/v1/surveys/{survey_id}/results", headers=resident).status_code == 403
    assert client.post(f"/api/v1/surveys/{survey_id}/close", headers=resident).status_code == 403
    assert client.post(f"/api/v1/surveys/{survey_id}/close", headers=headers).get_json()["status"] == "closed"
    late = client.put(f"/api/v1/surveys/{survey_id}/response", headers=resident, json={"answers": {str(qid): 5}})
    assert late.status_code == 409
    results = client.get(f"/api/v1/surveys/{survey_id}/results").get_json()
    assert results["questions"][0]["rows"][3] == {"label": "4", "count": 1, "percent": 100.0}


def test_bad_response_bodies_are_422(client, make_user, auth_header, make_survey):
    survey = make_survey()
    headers = auth_header(make_user())
    url = f"/api/v1/surveys/{survey.id}/response"
    assert client.put(url, headers=headers, json={"answers": []}).status_code == 422
    assert client.put(url, headers=headers, json={"answers": {}, "extra": 1}).status_code == 422
    assert client.put(url, headers=headers, json={"answers": {"abc": 1}}).status_code == 422
    missing = client.put(url, headers=headers, json={"answers": {str(q(survey, 2).id): 3}})
    assert missing.status_code == 422 and f"q{q(survey, 0).id}" in missing.get_json()["errors"]
    assert client.put(url, json={"answers": {}}).status_code == 403  # residents only, no token


def test_a_guest_answers_with_a_code(app, client, make_survey):
    survey = make_survey(audience=Audience.EVERYONE)
    url = f"/api/v1/surveys/{survey.id}"
    assert client.post(f"{url}/guest-code", json={"email": "guest@example.kr"}).status_code == 202
    code = code_from_outbox(app)
    body = {"answers": {str(q(survey, 0).id): int(opt(survey, 0, 0))}, "email": "guest@example.kr"}
    assert client.put(f"{url}/response", json={**body, "code": "000000" if code != "000000" else "1"}).status_code == 403
    assert client.put(f"{url}/response", json={**body, "code": code}).status_code == 200
    residents = make_survey()
    assert client.post(f"/api/v1/surveys/{residents.id}/guest-code", json={"email": "g@example.kr"}).status_code == 403


def test_crosstab_and_csv_through_the_api(client, staff, make_user, auth_header, make_survey):
    survey = make_survey()
    sex = next(x for x in survey.questions if x.demographic is not None and x.demographic.value == "sex")
    for index in range(6):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)],
                                          sex.id: [str(sex.options[0 if index < 5 else 1].id)]},
                                 user=make_user(display_name=f"이름{index}"), consent=True)
    db.session.commit()
    headers = auth_header(staff)
    body = client.get(f"/api/v1/surveys/{survey.id}/results?q={q(survey, 0).id}&by={sex.id}",
                      headers=headers).get_json()
    groups = body["crosstab"]["groups"]
    assert groups[0]["respondents"] == 5 and groups[0]["cells"][0]["percent"] == 100.0
    assert groups[1] == {"label": "여자", "respondents": 1, "suppressed": True, "cells": None}
    assert client.get(f"/api/v1/surveys/{survey.id}/results?q=1&by=999999", headers=headers).status_code == 422
    csv_text = client.get(f"/api/v1/surveys/{survey.id}/export.csv", headers=headers).get_data(as_text=True)
    assert csv_text.count("\n") == 7 and "이름" not in csv_text
    assert client.get(f"/api/v1/surveys/{survey.id}/export.csv",
                      headers=auth_header(make_user())).status_code == 403


def test_polls_through_the_api(client, staff, make_user, auth_header):
    from app.policies import services as policy_services
    from app.policies.models import Horizon

    policy = policy_services.create_policy(staff, policy_services.PolicyData(
        title="스마트 주차", summary="s", department="교통행정과", horizon=Horizon.NEAR))
    update = policy_services.post_update(policy, staff, body="시범 설치")
    db.session.commit()
    headers = auth_header(staff)
    poll = client.post("/api/v1/polls", headers=headers, json={
        "target_type": "policy_update", "target_id": update.id, "question": "만족하십니까?",
        "options": ["예", "아니요"], "closes_at": _local(timedelta(days=3))})
    assert poll.status_code == 201 and poll.get_json()["kind"] == "poll"
    assert client.post("/api/v1/polls", headers=headers, json={
        "target_type": "lab", "target_id": 1, "question": "?", "options": ["a", "b"],
        "closes_at": _local(timedelta(days=1))}).status_code == 422
    listed = client.get(f"/api/v1/polls?target_type=policy_update&target_id={update.id}").get_json()
    assert [p["title"] for p in listed] == ["만족하십니까?"]
    assert "만족하십니까?" in client.get(f"/policies/{policy.id}/updates/{update.id}").get_data(as_text=True)
