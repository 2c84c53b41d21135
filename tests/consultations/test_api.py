"""The consultation API: the same rules as the pages, JSON errors, private fields for staff only."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app.consultations import services
from app.consultations.models import Opinion
from app.core import utcnow
from app.extensions import db
from tests.consultations.conftest import PDF, code_from_outbox, form_opinion, opinion


def test_create_open_and_read_a_consultation(client, staff, auth_header):
    headers = auth_header(staff)
    body = {"title": "제4차 스마트도시 종합계획(안)", "purpose": "의견수렴", "department": "도시경제과",
            "deadline_date": (utcnow() + timedelta(days=4)).date().isoformat(), "deadline_time": "18:00",
            "has_hearing": True, "hearing_date": (utcnow() + timedelta(days=2)).date().isoformat(),
            "hearing_start": "14:00", "hearing_end": "16:00", "hearing_place": "국토연구원 대강당",
            "hearing_capacity": 100}
    created = client.post("/api/v1/consultations", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["status"] == "draft" and data["deadline_korea"].endswith("18:00")
    assert data["hearing"]["capacity"] == 100
    assert client.get(f"/api/v1/consultations/{data['id']}").status_code == 404  # drafts are staff-only
    opened = client.post(f"/api/v1/consultations/{data['id']}/open", headers=headers)
    assert opened.status_code == 200 and opened.get_json()["accepting"] is True
    with io.BytesIO(PDF) as pdf:
        attached = client.post(f"/api/v1/consultations/{data['id']}/documents", headers=headers,
                               data={"document": (pdf, "plan.pdf")}, content_type="multipart/form-data")
    assert attached.status_code == 201
    public = client.get(f"/api/v1/consultations/{data['id']}").get_json()
    assert public["documents"][0]["name"] == "plan.pdf" and public["numbers"] is None


def test_invalid_and_unauthorised_creation(client, staff, make_user, auth_header):
    assert client.post("/api/v1/consultations", json={}).status_code == 401
    assert client.post("/api/v1/consultations", json={"title": "x"}, headers=auth_header(make_user())).status_code == 403
    refused = client.post("/api/v1/consultations", json={"title": "", "deadline_time": "25:00", "bogus": 1},
                          headers=auth_header(staff))
    assert refused.status_code == 422
    assert {"title", "deadline_time", "bogus", "purpose"} <= set(refused.get_json()["errors"])


def test_one_second_late_the_api_refuses(client, make_user, auth_header, make_consultation):
    consultation = make_consultation(deadline_at=utcnow() - timedelta(seconds=1))
    response = client.post(f"/api/v1/consultations/{consultation.id}/opinions", json=form_opinion(),
                           headers=auth_header(make_user()))
    assert response.status_code == 409 and response.get_json()["error"]["message"]
    assert db.session.scalar(select(Opinion)) is None


def test_a_resident_sends_and_the_public_never_sees_name_or_phone(client, make_user, auth_header, staff,
                                                                  make_consultation):
    consultation = make_consultation()
    sent = client.post(f"/api/v1/consultations/{consultation.id}/opinions",
                       json=form_opinion(phone="010-2222-3333"), headers=auth_header(make_user()))
    assert sent.status_code == 201
    public = client.get(f"/api/v1/consultations/{consultation.id}").get_data(as_text=True)
    assert "010-2222-3333" not in public
    assert client.get(f"/api/v1/consultations/{consultation.id}/opinions",
                      headers=auth_header(make_user())).status_code == 403
    listed = client.get(f"/api/v1/consultations/{consultation.id}/opinions", headers=auth_header(staff)).get_json()
    assert listed["items"][0]["phone"] == "010-2222-3333"


def test_a_guest_uses_a_mailed_code(app, client, make_consultation):
    consultation = make_consultation()
    url = f"/api/v1/consultations/{consultation.id}"
    assert client.post(f"{url}/guest-code", json={"email": "nope"}).status_code == 422
    assert client.post(f"{url}/guest-code", json={"email": "guest@example.kr"}).status_code == 202
    code = code_from_outbox(app)
    bad = client.post(f"{url}/opinions", json={**form_opinion(), "email": "guest@example.kr",
                                               "code": "000000" if code != "000000" else "111111"})
    assert bad.status_code == 403
    good = client.post(f"{url}/opinions", json={**form_opinion(), "email": "guest@example.kr", "code": code})
    assert good.status_code == 201 and good.get_json()["email"] == "guest@example.kr"
    assert client.post(f"{url}/opinions", json=form_opinion()).status_code == 422  # no token, no code


def test_grouping_answering_and_publishing_through_the_api(client, staff, make_user, auth_header,
                                                          make_consultation):
    deadline = utcnow() - timedelta(minutes=5)
    consultation = make_consultation(deadline_at=deadline)
    resident = make_user()
    services.submit_opinion(consultation, opinion(), user=resident, now=deadline - timedelta(minutes=1))
    db.session.commit()
    headers = auth_header(staff)
    url = f"/api/v1/consultations/{consultation.id}"
    assert client.post(f"{url}/results", json={"results_summary": "요약"}, headers=headers).status_code == 409
    theme = client.post(f"{url}/themes", json={"title": "데이터허브"}, headers=headers).get_json()
    opinion_id = db.session.scalar(select(Opinion.id))
    assert client.post(f"{url}/assign", json={"opinion_ids": [opinion_id], "theme_id": theme["id"]},
                       headers=headers).get_json() == {"assigned": 1}
    assert client.put(f"{url}/themes/{theme['id']}", json={"title": "데이터허브", "response": "넓히겠습니다"},
                      headers=headers).status_code == 200
    published = client.post(f"{url}/results", json={"results_summary": "한 건"}, headers=headers)
    assert published.status_code == 200
    body = published.get_json()
    assert body["status"] == "results" and body["results"]["themes"][0]["opinions"] == 1
    assert body["numbers"] == {"opinions": 1, "participants": 1,
                               "by_channel": {"online": 1, "paper": 0, "phone": 0, "hearing": 0}}


def test_hearing_registration_through_the_api(client, make_user, auth_header, make_consultation):
    consultation = make_consultation(hearing_at=utcnow() + timedelta(days=2), capacity=1)
    url = f"/api/v1/consultations/{consultation.id}/hearing/registration"
    first, second = auth_header(make_user()), auth_header(make_user())
    assert client.put(url, headers=first).get_json() == {"status": "registered"}
    assert client.put(url, headers=second).get_json() == {"status": "waitlisted"}
    assert client.delete(url, headers=first).status_code == 200
    assert client.delete(url, headers=first).status_code == 409
    detail = client.get(f"/api/v1/consultations/{consultation.id}", headers=second).get_json()
    assert detail["hearing"]["my_registration"] == "registered" and detail["hearing"]["waitlisted"] == 0


def test_staff_enter_a_paper_opinion(client, staff, auth_header, make_consultation):
    consultation = make_consultation()
    entered = client.post(f"/api/v1/consultations/{consultation.id}/entered-opinions", headers=auth_header(staff),
                          json={**form_opinion(phone=""), "channel": "paper",
                                "written_on": utcnow().date().isoformat()})
    assert entered.status_code == 201 and entered.get_json()["channel"] == "paper"
    online = client.post(f"/api/v1/consultations/{consultation.id}/entered-opinions", headers=auth_header(staff),
                         json={**form_opinion(), "channel": "online", "written_on": utcnow().date().isoformat()})
    assert online.status_code == 422


def test_guest_attempts_are_rate_limited_but_accounts_are_not(client, make_user, auth_header, make_consultation):
    consultation = make_consultation()
    url = f"/api/v1/consultations/{consultation.id}/opinions"
    guesses = [client.post(url, json={**form_opinion(), "email": "x@example.kr", "code": "123456"}).status_code
               for _ in range(6)]
    assert guesses[:5] == [403] * 5 and guesses[5] == 429
    headers = auth_header(make_user())
    assert all(client.post(url, json=form_opinion(), headers=headers).status_code == 201 for _ in range(6))


def test_remind_command_is_idempotent(runner, make_consultation, make_user):
    from app.consultations import services

    from datetime import time

    from app.consultations.clock import seoul_date, seoul_minute

    tomorrow = seoul_minute(seoul_date(utcnow()) + timedelta(days=1), time(14, 0))
    consultation = make_consultation(hearing_at=tomorrow)
    services.register_for_hearing(consultation, make_user())
    db.session.commit()
    first = runner.invoke(args=["consultations", "remind"])
    second = runner.invoke(args=["consultations", "remind"])
    assert first.exit_code == 0 and "Reminded 1 " in first.output
    assert "Reminded 0 " in second.output
