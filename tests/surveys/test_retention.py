"""Retention of a guest's confirmed email or number with survey answers: it keeps one answer per guest while
the survey is open; `flask privacy purge` erases it PRIVACY_RETENTION_DAYS["survey_guest_contacts"] days after
the survey closed (closed early by staff, or at its closing time). The answers stay."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from app.extensions import db
from app.phones.numbers import encrypt_phone, phone_lookup
from app.privacy.retention import purge
from app.surveys import services
from app.surveys.models import Audience, SurveyAnswer, SurveyResponse
from tests.surveys.conftest import opt, q

NUMBER, OTHER = "01023456789", "01098765432"


def _respond(survey, option: int, **who) -> SurveyResponse:
    response = SurveyResponse(survey_id=survey.id, **who)
    db.session.add(response)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, question_id=q(survey, 0).id,
                                option_id=int(opt(survey, 0, option))))
    survey.response_count += 1
    return response


def _answered(survey, make_user):
    _respond(survey, 0, guest_email="guest@example.kr")
    for number, option in ((NUMBER, 1), (OTHER, 1)):
        _respond(survey, option, guest_phone_encrypted=encrypt_phone(number), guest_phone_lookup=phone_lookup(number))
    _respond(survey, 2, user_id=make_user().id)
    db.session.commit()


def _guest_columns(survey) -> list[tuple]:
    return list(db.session.execute(select(SurveyResponse.guest_email, SurveyResponse.guest_phone_encrypted,
                                          SurveyResponse.guest_phone_lookup)
                                   .where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)))


def test_guest_contacts_are_erased_a_period_after_the_survey_closed_and_only_once(app, make_survey, make_user,
                                                                                   staff):
    days = app.config["PRIVACY_RETENTION_DAYS"]["survey_guest_contacts"]
    closed, still_open = make_survey(audience=Audience.EVERYONE), make_survey(audience=Audience.EVERYONE, title="둘")
    _answered(closed, make_user)
    _answered(still_open, make_user)
    services.close_survey(closed, staff)
    db.session.commit()
    kept = _guest_columns(closed)
    assert purge(now=closed.closed_at + timedelta(days=days - 1))["survey_guest_contacts"] == 0
    db.session.commit()
    assert _guest_columns(closed) == kept
    counts = purge(now=closed.closed_at + timedelta(days=days, seconds=1))
    db.session.commit()
    assert counts["survey_guest_contacts"] == 3
    erased = _guest_columns(closed)
    assert [(email, encrypted) for email, encrypted, _lookup in erased] == [(None, None)] * 4
    markers = [lookup for _email, _encrypted, lookup in erased]
    assert all(m.startswith("erased:") for m in markers[:3]) and len(set(markers[:3])) == 3 and markers[3] is None
    # The survey that closes at its own time (a week on) is not due yet; its answers are untouched anyway.
    assert _guest_columns(still_open)[0][0] == "guest@example.kr"
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 8
    assert purge(now=closed.closed_at + timedelta(days=days, seconds=2))["survey_guest_contacts"] == 0
    # The other survey is due the retention period after its closing time.
    assert purge(now=still_open.closes_at + timedelta(days=days, seconds=1))["survey_guest_contacts"] == 3
    db.session.commit()
    rows = " ".join(str(value) for row in db.session.execute(text("SELECT * FROM survey_responses")) for value in row)
    assert "guest@example.kr" not in rows and phone_lookup(NUMBER) not in rows and phone_lookup(OTHER) not in rows


def test_results_and_export_still_count_every_answer(app, client, login, make_survey, make_user, staff):
    survey = make_survey(audience=Audience.EVERYONE)
    _answered(survey, make_user)
    services.close_survey(survey, staff)
    db.session.commit()
    login(staff)
    before_page = client.get(f"/surveys/{survey.id}/results")
    before_csv = client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True)
    purge(now=survey.closed_at + timedelta(days=app.config["PRIVACY_RETENTION_DAYS"]["survey_guest_contacts"],
                                           seconds=1))
    db.session.commit()
    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == before_page.status_code == 200
    assert page.get_data(as_text=True).count("매우 좋음") == before_page.get_data(as_text=True).count("매우 좋음")
    csv = client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True)
    assert csv == before_csv and len(csv.splitlines()) == 5
    assert client.get(f"/surveys/{survey.id}/manage").status_code == 200
