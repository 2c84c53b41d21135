"""The staff access log of personal data, and breach records with the 72-hour checklist."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import utcnow
from app.extensions import db
from app.privacy.models import BreachIncident, DataKind, PersonalDataAccess


def logged(kind=None):
    query = select(PersonalDataAccess).order_by(PersonalDataAccess.id)
    if kind is not None:
        query = query.where(PersonalDataAccess.kind == kind)
    return [(row.actor_id, row.subject_id, row.kind.value, row.action.value, row.channel)
            for row in db.session.scalars(query)]


def test_bank_accounts_seen_or_exported_by_staff_are_logged_on_page_and_api(client, world, login, auth_header):
    from app.ledger.models import PayoutBatch

    batch = db.session.scalar(select(PayoutBatch))
    assert logged(DataKind.BANK_ACCOUNT) == [(world.staff.id, world.resident.id, "bank_account", "export", "page")]
    login(world.staff)
    assert client.get(f"/payouts/{batch.id}").status_code == 200
    client.get(f"/api/v1/payout-batches/{batch.id}", headers=auth_header(world.staff))
    assert logged(DataKind.BANK_ACCOUNT)[1:] == [
        (world.staff.id, world.resident.id, "bank_account", "view", "page"),
        (world.staff.id, world.resident.id, "bank_account", "view", "api")]


def test_applications_seen_by_a_facilitator_are_logged_but_not_ones_own_data(client, world, login, auth_header):
    login(world.facilitator)
    assert client.get(f"/labs/{world.lab.id}/members").status_code == 200
    client.get(f"/api/v1/labs/{world.lab.id}/applications", headers=auth_header(world.facilitator))
    assert logged(DataKind.APPLICATION) == [
        (world.facilitator.id, world.resident.id, "application", "view", "page"),
        (world.facilitator.id, world.resident.id, "application", "view", "api")]
    client.post("/logout")
    login(world.resident)
    client.get("/account/export")
    client.get(f"/labs/{world.lab.id}/members")
    assert len(logged(DataKind.APPLICATION)) == 2  # a resident's own data is not "access by staff"


def test_contact_details_seen_by_admins_are_logged(client, make_user, login, auth_header):
    admin, resident = make_user(["admin"]), make_user()
    login(admin)
    client.get(f"/admin/users/{resident.id}")
    client.get("/admin/users")
    client.get(f"/api/v1/admin/users/{resident.id}", headers=auth_header(admin))
    rows = logged(DataKind.CONTACT)
    assert (admin.id, resident.id, "contact", "view", "page") in rows
    assert (admin.id, resident.id, "contact", "view", "api") in rows
    assert all(subject != admin.id for _, subject, *_ in rows)


def test_receipt_views_are_logged(client, world, login, auth_header, english):
    from app.ledger import receipts
    from app.ledger.models import Allowance

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    allowance = db.session.scalar(select(Allowance))
    allowance.receipt_file, allowance.receipt_type = receipts.save_receipt(png, "image/png"), "image/png"
    db.session.commit()
    login(world.staff)
    for url, headers in [(f"/allowances/{allowance.id}/receipt", {}),
                         (f"/api/v1/allowances/{allowance.id}/receipt", auth_header(world.staff))]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        response.close()
    assert [row[3:] for row in logged(DataKind.RECEIPT)] == [("view", "page"), ("view", "api")]


def test_admins_see_and_filter_the_log_others_do_not(client, world, login, auth_header, count_queries):
    login(world.staff)
    assert client.get("/admin/privacy/access-log").status_code == 403
    client.post("/logout")
    login(world.admin)
    with count_queries() as queries:
        html = client.get("/admin/privacy/access-log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Bank accounts" in html and world.staff.email in html
    assert len(queries) <= 8
    filtered = client.get("/admin/privacy/access-log?kind=receipt").get_data(as_text=True)
    assert world.staff.email not in filtered
    body = client.get("/api/v1/privacy/access-log?kind=bank_account", headers=auth_header(world.admin)).get_json()
    assert body["total"] == 1 and body["items"][0]["subject_id"] == world.resident.id
    assert client.get("/api/v1/privacy/access-log?kind=dna", headers=auth_header(world.admin)).status_code == 422
    assert client.get("/api/v1/privacy/access-log", headers=auth_header(world.staff)).status_code == 403


def breach_form(**overrides):
    now = utcnow() + timedelta(hours=9)  # the form takes Korean time
    data = {"title": "계좌 정보 유출", "description": "내보낸 이체 파일이 메일로 잘못 보내졌습니다.",
            "data_kinds": ["bank_account"], "occurred_from": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "occurred_until": (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
            "discovered_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return data


def test_an_admin_records_a_breach_and_sees_deadline_checklist_and_who_is_affected(client, world, login):
    login(world.admin)
    response = client.post("/admin/privacy/breaches", data=breach_form(suspect_email=world.staff.email))
    assert response.status_code == 302
    incident = db.session.scalar(select(BreachIncident))
    assert incident.deadline == incident.discovered_at + timedelta(hours=72)
    assert abs(incident.discovered_at - (utcnow() - timedelta(hours=1))) < timedelta(minutes=2)  # stored as UTC
    html = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "72-hour checklist" in html and "hong@example.kr" in html and "park@example.kr" not in html
    assert "not required for fewer than 1,000 people" in html
    step = client.post(f"/admin/privacy/breaches/{incident.id}/steps/notify_subjects")
    assert step.status_code == 302 and "notify_subjects" in db.session.get(BreachIncident, incident.id).checklist
    assert client.post(f"/admin/privacy/breaches/{incident.id}/steps/notify_subjects").status_code == 302
    assert client.post(f"/admin/privacy/breaches/{incident.id}/steps/dance").status_code == 302
    assert list(db.session.get(BreachIncident, incident.id).checklist) == ["notify_subjects"]


def test_affected_people_depend_on_the_kinds_window_and_suspect(world, english):
    from app.privacy.breach import affected_count, record_breach

    now = utcnow()
    base = {"title": "t", "description": "d", "occurred_from": now - timedelta(days=1),
            "occurred_until": now + timedelta(minutes=1), "discovered_at": now}
    assert affected_count(record_breach(world.admin, data_kinds=["bank_account"], suspect_email=None, **base)) == 1
    assert affected_count(record_breach(world.admin, data_kinds=["receipt"], suspect_email=None, **base)) == 0
    assert affected_count(record_breach(world.admin, data_kinds=["bank_account"],
                                        suspect_email=world.facilitator.email, **base)) == 0
    past = {**base, "occurred_from": now - timedelta(days=9), "occurred_until": now - timedelta(days=8)}
    assert affected_count(record_breach(world.admin, data_kinds=["bank_account"], suspect_email=None, **past)) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"title": ""}, "Enter a title."),
    ({"data_kinds": []}, "Choose at least one kind of data."),
    ({"data_kinds": ["dna"]}, "is not a valid choice"),
    ({"occurred_until": "2020-01-01T00:00"}, "The end of the window is before its start."),
    ({"discovered_at": "2999-01-01T00:00"}, "This time is in the future."),
    ({"suspect_email": "nobody@example.kr"}, "No account uses this email."),
    ({"discovered_at": "yesterday"}, "Enter a date and time."),
])
def test_breach_input_is_checked_and_kept(client, make_user, login, overrides, message):
    login(make_user(["admin"]))
    response = client.post("/admin/privacy/breaches", data=breach_form(**overrides),
                           headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "내보낸 이체 파일이" in html
    assert db.session.scalar(select(BreachIncident)) is None


def test_only_admins_manage_breaches(client, make_user, login, auth_header):
    login(make_user(["staff"]))
    assert client.get("/admin/privacy/breaches").status_code == 403
    assert client.get("/api/v1/privacy/breaches", headers=auth_header(make_user(["staff"]))).status_code == 403


def test_breaches_through_the_api(client, world, auth_header):
    headers = auth_header(world.admin)
    now = utcnow().replace(microsecond=0)
    payload = {"title": "유출", "description": "설명", "data_kinds": ["bank_account"],
               "occurred_from": (now - timedelta(days=1)).isoformat() + "Z",
               "occurred_until": (now + timedelta(minutes=1)).isoformat() + "Z",
               "discovered_at": (now - timedelta(hours=2)).isoformat() + "+00:00"}
    bad = client.post("/api/v1/privacy/breaches", json={**payload, "discovered_at": "soon", "data_kinds": "all"},
                      headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"discovered_at", "data_kinds"}
    created = client.post("/api/v1/privacy/breaches", json=payload, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["affected_count"] == 1 and body["deadline"] == (now + timedelta(hours=70)).isoformat() + "Z"
    assert [s["step"] for s in body["checklist"]][:2] == ["contain", "identify"]
    done = client.post(f"/api/v1/privacy/breaches/{body['id']}/steps/contain", headers=headers).get_json()
    assert done["checklist"][0]["done_at"]
    assert client.post(f"/api/v1/privacy/breaches/{body['id']}/steps/contain", headers=headers).status_code == 409
    assert client.post(f"/api/v1/privacy/breaches/{body['id']}/steps/x", headers=headers).status_code == 404
    assert client.get("/api/v1/privacy/breaches", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/privacy/breaches/999", headers=headers).status_code == 404

