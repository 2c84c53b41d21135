"""Retention of the number staff enter with a resident's participation: erased at the claim, or by
`flask privacy purge` once unclaimed for PRIVACY_RETENTION_DAYS["intake_unclaimed"] days. The record and what
it holds stay; pages, the API and the export show an erased number without decrypting it."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from app.consultations.models import Opinion
from app.extensions import db
from app.intake.models import IntakeRecord
from app.intake.services import phone_of
from app.phones.numbers import ERASED_PHONE, encrypt_phone, phone_lookup
from app.privacy.models import PurgeRun
from app.privacy.retention import purge
from app.proposals.models import Proposal
from tests.intake.conftest import NUMBER, PHONE, proposal_form, resident_form
from tests.privacy.test_export import open_zip

EN = {"Accept-Language": "en"}


@pytest.fixture
def entered(client, login, centre, choices, consultation):
    login(centre)
    assert client.post("/intake/proposal", data=proposal_form()).status_code == 302
    assert client.post("/intake/opinion", data={**resident_form(), "consultation_id": consultation.id,
                                                "body": "노선 개편 의견입니다.",
                                                "written_on": date.today().isoformat()}).status_code == 302
    client.post("/logout")
    return list(db.session.scalars(select(IntakeRecord).order_by(IntakeRecord.id)))


def _erased() -> int:
    return db.session.scalar(select(func.count()).select_from(IntakeRecord)
                             .where(IntakeRecord.phone_lookup == ERASED_PHONE))


def test_purge_erases_unclaimed_numbers_exactly_when_due_and_only_once(app, entered):
    days = app.config["PRIVACY_RETENTION_DAYS"]["intake_unclaimed"]
    newest = max(r.created_at for r in entered)
    oldest = min(r.created_at for r in entered)
    # A day before the period ends: nothing.
    counts = purge(now=oldest + timedelta(days=days - 1))
    db.session.commit()
    assert counts["intake_numbers_unclaimed"] == 0 and _erased() == 0
    assert phone_of(entered[0]) == PHONE
    # Just after it ends for the first record only (the second is a second younger).
    db.session.execute(update(IntakeRecord).where(IntakeRecord.id == entered[1].id)
                       .values(created_at=oldest + timedelta(days=1)))
    counts = purge(now=oldest + timedelta(days=days, seconds=1))
    db.session.commit()
    assert counts["intake_numbers_unclaimed"] == 1 and _erased() == 1
    db.session.expire_all()
    first, second = (db.session.get(IntakeRecord, r.id) for r in entered)
    assert first.phone_erased and first.phone_encrypted == ERASED_PHONE and phone_of(first) is None
    assert not second.phone_erased and phone_of(second) == PHONE
    # What the resident gave stays, under the name they agreed to.
    assert first.resident_name == "정순자" and db.session.get(Proposal, first.proposal_id) is not None
    # Later runs: the second record when due, then nothing more (idempotent).
    later = max(newest, oldest + timedelta(days=1)) + timedelta(days=days, seconds=1)
    assert purge(now=later)["intake_numbers_unclaimed"] == 1
    assert purge(now=later)["intake_numbers_unclaimed"] == 0
    db.session.commit()
    assert _erased() == 2
    runs = list(db.session.scalars(select(PurgeRun).order_by(PurgeRun.id)))
    assert [run.counts["intake_numbers_unclaimed"] for run in runs] == [0, 1, 1, 0]


def test_an_erased_record_cannot_be_claimed_and_staff_pages_say_so(app, client, login, make_user, centre, entered,
                                                                    auth_header, last_code):
    purge(now=max(r.created_at for r in entered) + timedelta(days=app.config["PRIVACY_RETENTION_DAYS"][
        "intake_unclaimed"], seconds=1))
    db.session.commit()
    resident = make_user()
    login(resident)
    client.post("/intake/claim/code", data={"phone": PHONE})
    refused = client.post("/intake/claim", data={"claim-phone": PHONE, "claim-code": last_code(NUMBER)},
                          headers=EN)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Nothing entered with this phone number is waiting to be claimed." in text
    assert "Entries not claimed within 365 days no longer keep the phone number and cannot be claimed" in text
    # The API refuses it the same way.
    headers = {**auth_header(resident), **EN}
    assert client.post("/api/v1/me/claims/code", json={"phone": PHONE}, headers=headers).status_code == 202
    api = client.post("/api/v1/me/claims", json={"phone": PHONE, "code": last_code(NUMBER)}, headers=headers)
    assert api.status_code == 404 and "cannot be claimed" in api.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(IntakeRecord)
                             .where(IntakeRecord.claimed_at.is_not(None))) == 0
    assert db.session.get(Proposal, entered[0].proposal_id).author_id == entered[0].holder_id
    client.post("/logout")
    login(centre)
    page = client.get(f"/intake/{entered[0].id}", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and PHONE not in html
    assert "Erased: not claimed within 365 days" in html and "it can no longer be claimed" in html
    listing = client.get("/intake/", headers=EN).get_data(as_text=True)
    assert listing.count("No longer possible: number erased") == 2
    body = client.get(f"/api/v1/intake/{entered[0].id}", headers=auth_header(centre)).get_json()
    assert body["phone"] is None and body["phone_erased"] is True and body["claimed"] is False
    assert client.get(f"/intake/{entered[1].id}").status_code == 200  # in Korean too


def test_a_claim_erases_the_number_at_once(client, login, make_user, centre, entered, last_code):
    resident = make_user()
    login(resident)
    client.post("/intake/claim/code", data={"phone": PHONE})
    claimed = client.post("/intake/claim", data={"claim-phone": PHONE, "claim-code": last_code(NUMBER)},
                          headers=EN, follow_redirects=True)
    assert "2 contributions are now in your account." in claimed.get_data(as_text=True)
    db.session.expire_all()
    assert _erased() == 2
    records = list(db.session.scalars(select(IntakeRecord).order_by(IntakeRecord.id)))
    assert all(r.claimed_by_id == resident.id and phone_of(r) is None for r in records)
    # The resident's export still lists what they claimed.
    data = json.loads(open_zip(client.get("/account/export")).read("data.json"))
    assert [item["kind"] for item in data["intake_claimed"]] == ["proposal", "opinion"]
    client.post("/logout")
    login(centre)
    html = client.get(f"/intake/{records[0].id}", headers=EN).get_data(as_text=True)
    assert "Erased when the resident claimed this" in html and PHONE not in html
    # Nothing is left for the purge.
    assert purge()["intake_numbers_claimed"] == 0


def test_purge_erases_numbers_kept_with_records_claimed_before_claims_erased_them(make_user, entered):
    resident = make_user()
    db.session.execute(update(IntakeRecord).where(IntakeRecord.id == entered[0].id)
                       .values(claimed_at=entered[0].created_at, claimed_by_id=resident.id))
    db.session.commit()
    counts = purge()
    db.session.commit()
    assert counts["intake_numbers_claimed"] == 1 and counts["intake_numbers_unclaimed"] == 0
    db.session.expire_all()
    assert db.session.get(IntakeRecord, entered[0].id).phone_erased
    unclaimed = db.session.get(IntakeRecord, entered[1].id)
    assert unclaimed.phone_lookup == phone_lookup(NUMBER) and phone_of(unclaimed) == PHONE
    assert purge()["intake_numbers_claimed"] == 0


def test_an_erased_marker_is_never_decrypted_even_if_only_one_column_was_erased(entered):
    record = entered[0]
    record.phone_encrypted = ERASED_PHONE
    assert phone_of(record) is None
    record.phone_encrypted, record.phone_lookup = encrypt_phone(NUMBER), ERASED_PHONE
    assert phone_of(record) is None


def test_the_opinion_entered_keeps_its_phone_until_the_consultation_rule(app, entered):
    """The opinion staff entered carries the number on the consultation's form; the consultation's own
    retention (tests/consultations/test_retention.py) erases it, not the intake one."""
    purge(now=max(r.created_at for r in entered) + timedelta(days=app.config["PRIVACY_RETENTION_DAYS"][
        "intake_unclaimed"], seconds=1))
    db.session.commit()
    opinion = db.session.get(Opinion, entered[1].opinion_id)
    assert opinion.body == "노선 개편 의견입니다." and opinion.name == "정순자" and opinion.phone == PHONE


def test_a_claim_racing_the_purge_loses_to_it(app, make_user, entered, monkeypatch, request_context):
    """The claim found the records, then the purge erased their number before the claim's UPDATE: nothing is
    claimed (the UPDATE re-checks the number)."""
    from app.core import DomainError
    from app.intake import services

    found = services.waiting_for(NUMBER)
    assert len(found) == 2
    purge(now=max(r.created_at for r in entered) + timedelta(days=app.config["PRIVACY_RETENTION_DAYS"][
        "intake_unclaimed"], seconds=1))
    db.session.commit()
    monkeypatch.setattr(services, "waiting_for", lambda number: found)
    with pytest.raises(DomainError) as refused:
        services.claim(make_user(), NUMBER)
    assert refused.value.status == 404
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(IntakeRecord)
                             .where(IntakeRecord.claimed_at.is_not(None))) == 0
