"""Retention of contact details kept with opinions: a guest's confirmed email or number (used to send the
results) and the phone number on the opinion form are erased by `flask privacy purge`
PRIVACY_RETENTION_DAYS["consultation_contacts"] days after the results were published, or
["consultation_contacts_no_results"] days after the deadline when they never were. Opinions stay, and so do
the participant counts."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from app.consultations import services
from app.consultations.models import Channel, ConsultationStatus, Opinion, OpinionTheme
from app.consultations.queries import numbers
from app.core import utcnow
from app.extensions import db
from app.phones.numbers import encrypt_phone, phone_lookup
from app.privacy.retention import purge
from tests.privacy.test_export import open_zip

NUMBER, OTHER = "01023456789", "01098765432"


def _guest_phone(number: str) -> dict:
    return {"guest_phone_encrypted": encrypt_phone(number), "guest_phone_lookup": phone_lookup(number)}


@pytest.fixture
def with_opinions(make_consultation, make_user, staff):
    """make() -> a consultation whose deadline passed, with opinions from: a guest by email (two), a guest by
    phone (two, same number), another phone guest, an account (with a phone on the form), staff typing a paper
    form."""

    def make(**kwargs):
        consultation = make_consultation(deadline_at=kwargs.pop("deadline_at", utcnow() - timedelta(days=1)),
                                         **kwargs)
        resident = make_user()
        common = {"consultation_id": consultation.id, "body": "데이터허브를 넓혀 주세요.", "written_on": date.today()}
        rows = [
            Opinion(channel=Channel.ONLINE, name="손님1", guest_email="guest@example.kr", phone="", **common),
            Opinion(channel=Channel.ONLINE, name="손님1", guest_email="guest@example.kr", phone="", **common),
            Opinion(channel=Channel.ONLINE, name="손님2", phone="010-2345-6789", **_guest_phone(NUMBER), **common),
            Opinion(channel=Channel.ONLINE, name="손님2", phone="", **_guest_phone(NUMBER), **common),
            Opinion(channel=Channel.ONLINE, name="손님3", phone="", **_guest_phone(OTHER), **common),
            Opinion(channel=Channel.ONLINE, name="주민", user_id=resident.id, phone="010-1111-2222", **common),
            Opinion(channel=Channel.PAPER, name="종이", entered_by_id=staff.id, phone="010-3333-4444", **common),
        ]
        db.session.add_all(rows)
        db.session.commit()
        return consultation, resident

    return make


def _published(consultation, staff, client=None) -> None:
    theme = OpinionTheme(consultation_id=consultation.id, title="데이터", response="반영하겠습니다.")
    db.session.add(theme)
    db.session.flush()
    for row in db.session.scalars(select(Opinion).where(Opinion.consultation_id == consultation.id)):
        row.theme_id = theme.id
    db.session.refresh(consultation)
    services.publish_results(consultation, staff, "결과 요약입니다.")
    db.session.commit()


def _contacts(consultation) -> list[tuple]:
    return list(db.session.execute(select(Opinion.guest_email, Opinion.guest_phone_encrypted, Opinion.phone)
                                   .where(Opinion.consultation_id == consultation.id).order_by(Opinion.id)))


def test_contacts_are_erased_a_period_after_the_results_and_only_once(app, with_opinions, staff, text_provider):
    consultation, _resident = with_opinions()
    _published(consultation, staff)
    assert len(text_provider.texts_to(NUMBER)) == 1 and len(text_provider.texts_to(OTHER)) == 1
    before = numbers(consultation)
    days = app.config["PRIVACY_RETENTION_DAYS"]["consultation_contacts"]
    published = consultation.results_at
    kept = _contacts(consultation)
    assert purge(now=published + timedelta(days=days - 1))["consultation_contacts"] == 0
    db.session.commit()
    assert _contacts(consultation) == kept
    counts = purge(now=published + timedelta(days=days, seconds=1))
    db.session.commit()
    assert counts["consultation_contacts"] == 7
    assert _contacts(consultation) == [(None, None, "")] * 7
    lookups = [o.guest_phone_lookup for o in db.session.scalars(select(Opinion).order_by(Opinion.id))]
    assert all(lookup.startswith("erased:") for lookup in lookups[:5]) and lookups[5:] == [None, None]
    assert phone_lookup(NUMBER) not in lookups and phone_lookup(OTHER) not in lookups
    # One guest stays one participant: their opinions share a marker, and the counts do not move.
    assert lookups[0] == lookups[1] and lookups[2] == lookups[3] and len(set(lookups[:5])) == 3
    after = numbers(consultation)
    assert (after.opinions, after.participants) == (before.opinions, before.participants) == (7, 5)
    # Nothing of a number or an address is left anywhere in the rows; the opinions are.
    for row in db.session.execute(text("SELECT * FROM opinions")):
        values = " ".join(str(value) for value in row)
        assert "guest@example.kr" not in values and not any(d in values.replace("-", "") for d in (
            NUMBER, OTHER, "01011112222", "01033334444"))
        assert "데이터허브를 넓혀 주세요." in values
    assert purge(now=published + timedelta(days=days, seconds=2))["consultation_contacts"] == 0


def test_contacts_are_erased_long_after_a_deadline_without_results_and_late_results_text_nobody(
        app, with_opinions, staff, text_provider):
    days = app.config["PRIVACY_RETENTION_DAYS"]["consultation_contacts_no_results"]
    deadline = utcnow() - timedelta(days=days + 1)
    consultation, _resident = with_opinions(deadline_at=deadline)
    fresh, _ = with_opinions(deadline_at=utcnow() - timedelta(days=days - 1))
    counts = purge()
    db.session.commit()
    assert counts["consultation_contacts"] == 7
    assert _contacts(consultation) == [(None, None, "")] * 7
    kept = _contacts(fresh)
    assert sum(1 for email, encrypted, _phone in kept if email or encrypted) == 5
    assert [phone for _email, _encrypted, phone in kept if phone] == ["010-2345-6789", "010-1111-2222",
                                                                       "010-3333-4444"]
    # Results published after all: nobody left to mail or text, and no error decrypting an erased number.
    assert consultation.status is ConsultationStatus.OPEN
    _published(consultation, staff)
    assert text_provider.texts_to(NUMBER) == [] and text_provider.texts_to(OTHER) == []


def test_pages_api_and_export_show_erased_contacts(app, client, login, auth_header, with_opinions, staff):
    consultation, resident = with_opinions()
    _published(consultation, staff)
    login(staff)
    assert "010-3333-4444" in client.get(f"/consultations/{consultation.id}/manage").get_data(as_text=True)
    purge(now=consultation.results_at + timedelta(days=app.config["PRIVACY_RETENTION_DAYS"][
        "consultation_contacts"], seconds=1))
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/manage")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "손님2" in html and "guest@example.kr" not in html
    assert not any(number in html for number in ("010-2345-6789", "010-1111-2222", "010-3333-4444"))
    listing = client.get(f"/api/v1/consultations/{consultation.id}/opinions", headers=auth_header(staff))
    assert listing.status_code == 200
    items = listing.get_json()["items"]
    assert len(items) == 7 and all(item["email"] is None and item["phone"] == "" for item in items)
    client.post("/logout")
    login(resident)
    data = json.loads(open_zip(client.get("/account/export")).read("data.json"))
    mine = [entry for name, section in data.items() if "opinion" in name for entry in section]
    assert [(entry["name"], entry["phone"]) for entry in mine] == [("주민", "")]
