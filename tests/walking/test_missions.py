"""Missions: steps, place (radius, location consent, position not stored) and programme; bonus paid once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import ConsentItem
from app.auth.services import set_consent
from app.extensions import db
from app.walking.models import MileageEntry, MileageKind, Mission, WalkingParticipant
from app.walking.services import today

ASAN_CITY_HALL = (36.7898, 127.0018)


@pytest.fixture
def staff_header(make_user, auth_header):
    return {**auth_header(make_user(roles=["staff"])), "Accept-Language": "en"}


def create(client, header, **fields):
    payload = {"title": "가을 걷기", "kind": "steps", "starts_on": (today() - timedelta(days=3)).isoformat(),
               "ends_on": (today() + timedelta(days=3)).isoformat(), "bonus_won": 500, **fields}
    return client.post("/api/v1/walking/missions", json=payload, headers=header)


def bonuses(user):
    return db.session.scalars(select(MileageEntry.amount_won).where(
        MileageEntry.user_id == user.id, MileageEntry.kind == MileageKind.BONUS)).all()


def test_staff_create_missions_and_bad_input_is_422(client, staff_header, auth_header, make_user):
    assert create(client, staff_header, target_steps=20000).status_code == 201
    assert create(client, staff_header).status_code == 422  # no target
    assert create(client, staff_header, kind="place", latitude=36.7).status_code == 422
    assert create(client, staff_header, kind="place", latitude=36.7, longitude=127.0, radius_m=5).status_code == 422
    assert create(client, staff_header, kind="programme").status_code == 422
    assert create(client, staff_header, kind="walk").status_code == 422
    assert create(client, staff_header, target_steps=1, ends_on="2000-01-01").status_code == 422
    assert create(client, auth_header(make_user()), target_steps=1).status_code == 403
    listed = client.get("/api/v1/walking/missions", headers=staff_header).get_json()
    assert [m["title"] for m in listed["items"]] == ["가을 걷기"]


def test_a_steps_mission_completes_when_the_steps_arrive_and_pays_once(walker, fund, client, staff_header,
                                                                       post_steps, steps_header, auth_header):
    user = walker()
    fund()
    mission_id = create(client, staff_header, target_steps=15000).get_json()["id"]
    header = auth_header(user)
    early = client.post(f"/api/v1/walking/missions/{mission_id}/claim", headers={**header, "Accept-Language": "en"})
    assert early.status_code == 409 and "0 of 15,000" in early.get_json()["error"]["message"]
    post_steps(steps_header(user), {"records": [
        {"date": (today() - timedelta(days=1)).isoformat(), "steps": 8000},
        {"date": today().isoformat(), "steps": 8000}]})
    done = client.post(f"/api/v1/walking/missions/{mission_id}/claim", headers=header)
    assert done.status_code == 200 and done.get_json()["completed"] is True
    again = client.post(f"/api/v1/walking/missions/{mission_id}/claim", headers=header)
    assert again.status_code == 409
    assert bonuses(user) == [500]


def test_a_place_mission_checks_the_radius_and_needs_the_location_consent(walker, fund, client, staff_header,
                                                                          auth_header):
    user = walker()
    fund()
    lat, lon = ASAN_CITY_HALL
    mission_id = create(client, staff_header, kind="place", latitude=lat, longitude=lon, radius_m=100).get_json()["id"]
    header = {**auth_header(user), "Accept-Language": "en"}
    url = f"/api/v1/walking/missions/{mission_id}/check-in"
    no_consent = client.post(url, json={"latitude": lat, "longitude": lon}, headers=header)
    assert no_consent.status_code == 409 and "location" in no_consent.get_json()["error"]["message"]
    set_consent(user, ConsentItem.LOCATION, True)
    db.session.commit()
    far = client.post(url, json={"latitude": lat + 0.01, "longitude": lon}, headers=header)
    assert far.status_code == 409 and "1,112 m" in far.get_json()["error"]["message"]
    assert client.post(url, json={"latitude": "here"}, headers=header).status_code == 422
    near = client.post(url, json={"latitude": lat + 0.0005, "longitude": lon}, headers=header)
    assert near.status_code == 200
    assert client.post(url, json={"latitude": lat, "longitude": lon}, headers=header).status_code == 409
    assert bonuses(user) == [500]
    # the position was used for the check and not stored anywhere
    mission = db.session.get(Mission, mission_id)
    assert (mission.latitude, mission.longitude) == (lat, lon)
    columns = {c.name for table in db.metadata.sorted_tables if table.name.startswith("walking_") for c in table.c}
    assert not {"check_in_latitude", "user_latitude", "position"} & columns


def test_a_programme_mission_completes_when_attendance_is_recorded(walker, fund, client, staff_header, make_user):
    from app.core import utcnow
    from app.labs.models import Attendance, AttendanceMethod, Lab, LabMode, LabSession
    from app.labs.signals import attendance_recorded

    user = walker()
    fund()
    facilitator = make_user(roles=["facilitator"])
    lab = Lab(title="건강 걷기 교실", summary="요약", mode=LabMode.RESIDENT_LED, district="onyang1", capacity=20,
              recruitment_deadline=today(), starts_on=today(), ends_on=today() + timedelta(days=30),
              created_by_id=facilitator.id)
    db.session.add(lab)
    db.session.flush()
    session = LabSession(lab_id=lab.id, title="1회차", starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=1),
                         checkin_code="WALK01")
    db.session.add(session)
    db.session.commit()
    mission_id = create(client, staff_header, kind="programme", session_id=session.id).get_json()["id"]
    attendance = Attendance(session_id=session.id, user_id=user.id, recorded_by_id=facilitator.id,
                            method=AttendanceMethod.FACILITATOR)
    db.session.add(attendance)
    db.session.flush()
    attendance_recorded.send(attendance)
    attendance_recorded.send(attendance)
    db.session.commit()
    assert bonuses(user) == [500]
    db.session.expire_all()
    assert db.session.get(WalkingParticipant, user.id).balance_won == 500
    assert db.session.scalar(select(func.count()).select_from(Mission)) == 1 and mission_id


def test_without_budget_the_bonus_is_not_paid_and_the_mission_stays_open(walker, client, staff_header, auth_header,
                                                                         post_steps, steps_header):
    user = walker()
    mission_id = create(client, staff_header, target_steps=1).get_json()["id"]
    post_steps(steps_header(user), {"date": today().isoformat(), "steps": 100})
    response = client.post(f"/api/v1/walking/missions/{mission_id}/claim",
                           headers={**auth_header(user), "Accept-Language": "en"})
    assert response.status_code == 409 and "budget" in response.get_json()["error"]["message"]
    assert bonuses(user) == []
