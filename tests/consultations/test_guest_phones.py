"""A guest without an account confirms a mobile number with a texted code and sends an opinion; the number is
kept only encrypted and as its keyed hash, and the published results are texted to it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text, update

from app.consultations import services
from app.consultations.models import Opinion
from app.core import utcnow
from app.extensions import db
from app.phones.models import PhoneCode
from app.phones.numbers import decrypt_phone, phone_lookup
from tests.consultations.conftest import form_opinion

NUMBER = "01023456789"


def _send_code(client, consultation, phone="010-2345-6789"):
    return client.post(f"/consultations/{consultation.id}/guest-phone-code", data={"guestphone-phone": phone})


def _confirm(client, consultation, code, phone="010-2345-6789"):
    return client.post(f"/consultations/{consultation.id}/guest-phone-confirm",
                       data={"guestphone-phone": phone, "guestphone-code": code})


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_guest_confirms_a_phone_then_sends_an_opinion(client, make_consultation, last_code):
    consultation = make_consultation()
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "guestphone-phone" in page and f"/consultations/{consultation.id}/guest-phone-code" in page
    assert _send_code(client, consultation).status_code == 302
    code = last_code(NUMBER)
    wrong = _confirm(client, consultation, _wrong(code))
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion()).status_code == 409
    assert _confirm(client, consultation, code).status_code == 302
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "010-****-6789" in page and "2345" not in page.split("<main", 1)[1]
    assert client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion()).status_code == 302
    opinion = db.session.scalar(select(Opinion))
    assert opinion.guest_email is None and opinion.user_id is None
    assert opinion.guest_phone_lookup == phone_lookup(NUMBER) and decrypt_phone(opinion.guest_phone_encrypted) == NUMBER
    row = db.session.execute(text("SELECT * FROM opinions")).one()
    assert not any(NUMBER in str(value) or "2345-6789" in str(value) for value in row if value != opinion.phone)


def test_a_used_or_expired_code_is_refused(client, make_consultation, last_code):
    consultation = make_consultation()
    _send_code(client, consultation)
    code = last_code(NUMBER)
    assert _confirm(client, consultation, code).status_code == 302
    used = _confirm(client, consultation, code)
    assert used.status_code == 422
    _send_code(client, consultation)
    fresh = last_code(NUMBER)
    # Every code expires, the used one too: the confirmation kept in the session lapses with it.
    db.session.execute(update(PhoneCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _confirm(client, consultation, fresh).status_code == 422
    assert client.post(f"/consultations/{consultation.id}/opinions", data=form_opinion()).status_code == 409
    assert db.session.scalar(select(Opinion.id)) is None


def test_a_confirmation_counts_for_its_own_consultation_only(client, make_consultation, last_code):
    first, second = make_consultation(), make_consultation(title="두 번째 의견수렴")
    _send_code(client, first)
    assert _confirm(client, first, last_code(NUMBER)).status_code == 302
    assert client.post(f"/consultations/{second.id}/opinions", data=form_opinion()).status_code == 409
    assert _confirm(client, second, last_code(NUMBER)).status_code == 422


def test_a_bad_number_is_refused_beside_the_field(client, make_consultation, text_provider):
    consultation = make_consultation()
    bad = _send_code(client, consultation, phone="02-123-4567")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="02-123-4567"' in page and 'aria-invalid="true"' in page
    assert text_provider.messages == [] and db.session.scalar(select(PhoneCode.id)) is None


def test_codes_per_number_are_limited(app, client, make_consultation, text_provider, roomy_limit):
    consultation = make_consultation()
    limit = app.config["PHONE_CODE_PER_NUMBER_PER_HOUR"]
    statuses = [_send_code(client, consultation).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [302] * limit and statuses[-1] == 429
    assert len(text_provider.texts_to(NUMBER)) == limit


def test_code_requests_are_limited_per_address(client, make_consultation, text_provider):
    consultation = make_consultation()
    statuses = [_send_code(client, consultation, phone=f"010-5555-{n:04d}").status_code for n in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_wrong_codes_run_out_with_429(app, client, make_consultation, last_code, roomy_limit):
    consultation = make_consultation()
    _send_code(client, consultation)
    code = last_code(NUMBER)
    statuses = [_confirm(client, consultation, _wrong(code)).status_code
                for _ in range(app.config["PHONE_CODE_MAX_ATTEMPTS"] + 1)]
    assert statuses[:-1] == [422] * app.config["PHONE_CODE_MAX_ATTEMPTS"] and statuses[-1] == 429
    assert _confirm(client, consultation, code).status_code == 429  # even the right code: ask for a new one


def test_published_results_are_texted_once_to_each_phone_guest(client, make_consultation, staff,
                                                              text_provider, last_code):
    consultation = make_consultation()
    _send_code(client, consultation)
    _confirm(client, consultation, last_code(NUMBER))
    for body in ("첫 의견입니다.", "두 번째 의견입니다."):
        assert client.post(f"/consultations/{consultation.id}/opinions",
                           data=form_opinion(body=body)).status_code == 302
    consultation.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    theme = services.add_theme(consultation, staff, "정책 전반")
    services.assign_opinions(consultation, staff, list(db.session.scalars(select(Opinion.id))), theme.id)
    services.edit_theme(theme, staff, "정책 전반", "모두 반영합니다.")
    told = services.publish_results(consultation, staff, "의견 두 건을 받았습니다.")
    db.session.commit()
    results = [t for t in text_provider.texts_to(NUMBER) if f"/consultations/{consultation.id}" in t]
    assert told == 1 and len(results) == 1 and consultation.title in results[0]


def test_api_guest_sends_an_opinion_with_a_texted_code_used_once(client, make_consultation, last_code,
                                                                 roomy_limit):
    consultation = make_consultation()
    url = f"/api/v1/consultations/{consultation.id}"
    assert client.post(f"{url}/guest-phone-code", json={"phone": "02-123-4567"}).status_code == 422
    assert client.post(f"{url}/guest-phone-code", json={}).status_code == 422
    assert client.post(f"{url}/guest-phone-code", json={"phone": "010-2345-6789"}).status_code == 202
    code = last_code(NUMBER)
    body = form_opinion(guest_phone="010-2345-6789")
    wrong = client.post(f"{url}/opinions", json={**body, "code": _wrong(code)})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["errors"]
    assert client.post(f"{url}/opinions", json={**body, "code": code}).status_code == 201
    assert client.post(f"{url}/opinions", json={**body, "code": code}).status_code == 422  # used up
    opinion = db.session.scalar(select(Opinion))
    assert opinion.guest_phone_lookup == phone_lookup(NUMBER) and db.session.scalar(
        select(func.count()).select_from(Opinion)) == 1
