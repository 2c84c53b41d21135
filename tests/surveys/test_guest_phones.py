"""A guest answers a survey open to everyone after confirming a mobile number with a texted code: one response
per number (answering again replaces it), the number kept only encrypted and as its keyed hash."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app.core import DomainError
from app.extensions import db
from app.phones.numbers import decrypt_phone, encrypt_phone, phone_lookup
from app.surveys import services
from app.surveys.models import Audience, SurveyAnswer, SurveyResponse
from tests.surveys.conftest import opt, q

NUMBER = "01034567890"


def _confirm(client, survey, last_code):
    assert client.post(f"/surveys/{survey.id}/guest-phone-code",
                       data={"guestphone-phone": "010 3456 7890"}).status_code == 302
    return client.post(f"/surveys/{survey.id}/guest-phone-confirm",
                       data={"guestphone-phone": "010-3456-7890", "guestphone-code": last_code(NUMBER)})


def test_a_phone_guest_answers_and_a_second_answer_replaces_the_first(client, make_survey, last_code):
    survey = make_survey(audience=Audience.EVERYONE)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "guestphone-phone" in page and f'name="q{q(survey, 0).id}"' not in page
    assert client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, 0)}
                       ).status_code == 403
    assert _confirm(client, survey, last_code).status_code == 302
    assert "010-****-7890" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    for option in (0, 2):
        assert client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, option)}
                           ).status_code == 302
    response = db.session.scalar(select(SurveyResponse))
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    db.session.refresh(survey)
    assert survey.response_count == 1
    assert [a.option_id for a in db.session.scalars(select(SurveyAnswer))] == [int(opt(survey, 0, 2))]
    assert response.guest_email is None and response.guest_phone_lookup == phone_lookup(NUMBER)
    assert decrypt_phone(response.guest_phone_encrypted) == NUMBER
    row = db.session.execute(text("SELECT * FROM survey_responses")).one()
    assert not any(NUMBER in str(value) or "3456" in str(value) for value in row)


def test_a_wrong_code_is_refused_beside_the_field(client, make_survey, last_code):
    survey = make_survey(audience=Audience.EVERYONE)
    client.post(f"/surveys/{survey.id}/guest-phone-code", data={"guestphone-phone": NUMBER})
    code = last_code(NUMBER)
    wrong = client.post(f"/surveys/{survey.id}/guest-phone-confirm",
                        data={"guestphone-phone": NUMBER, "guestphone-code": "000000" if code != "000000" else "1"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'aria-invalid="true"' in page and f'value="{NUMBER}"' in page
    assert client.post(f"/surveys/{survey.id}/answer", data={f"q{q(survey, 0).id}": opt(survey, 0, 0)}
                       ).status_code == 403
    assert db.session.scalar(select(SurveyResponse.id)) is None


def test_residents_only_surveys_take_no_phone_guests(client, make_survey, text_provider):
    survey = make_survey(audience=Audience.RESIDENTS)
    assert "guestphone-phone" not in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert client.post(f"/surveys/{survey.id}/guest-phone-code", data={"guestphone-phone": NUMBER}).status_code == 403
    assert text_provider.messages == []


def test_an_unconfirmed_number_cannot_answer_and_one_row_per_number(make_survey, english):
    survey = make_survey(audience=Audience.EVERYONE)
    with pytest.raises(DomainError, match="Confirm your email address or mobile phone"):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)]}, guest_phone=NUMBER)
    db.session.rollback()
    lookup = phone_lookup(NUMBER)  # the unique constraint, not only the service, keeps one response per number
    db.session.add(SurveyResponse(survey_id=survey.id, guest_phone_lookup=lookup,
                                  guest_phone_encrypted=encrypt_phone(NUMBER)))
    db.session.commit()
    db.session.add(SurveyResponse(survey_id=survey.id, guest_phone_lookup=lookup,
                                  guest_phone_encrypted=encrypt_phone(NUMBER)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(SurveyResponse(survey_id=survey.id))  # nobody: the check constraint refuses it
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_api_phone_guest_answers_twice_with_two_codes(client, make_survey, last_code):
    survey = make_survey(audience=Audience.EVERYONE)
    url = f"/api/v1/surveys/{survey.id}"
    assert client.post(f"{url}/guest-phone-code", json={"phone": NUMBER}).status_code == 202
    first = last_code(NUMBER)
    answer = {"answers": {str(q(survey, 0).id): opt(survey, 0, 0)}, "guest_phone": NUMBER}
    assert client.put(f"{url}/response", json={**answer, "code": first}).status_code == 200
    assert client.put(f"{url}/response", json={**answer, "code": first}).status_code == 422  # used up
    client.post(f"{url}/guest-phone-code", json={"phone": NUMBER})
    answer["answers"] = {str(q(survey, 0).id): opt(survey, 0, 3)}
    assert client.put(f"{url}/response", json={**answer, "code": last_code(NUMBER)}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert [a.option_id for a in db.session.scalars(select(SurveyAnswer))] == [int(opt(survey, 0, 3))]
