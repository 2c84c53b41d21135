"""Simultaneous first answers from one account make one response, counted once (PostgreSQL)."""
import threading

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.surveys import services
from app.surveys.models import Survey, SurveyResponse
from tests.conftest import is_postgres
from tests.surveys.conftest import opt, q

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]


def test_double_submit_makes_one_response(app, make_survey, make_user):
    survey = make_survey()
    survey_id, user_id = survey.id, make_user().id
    raw = {q(survey, 0).id: [opt(survey, 0, 0)]}
    start = threading.Barrier(4)
    errors = []

    def run():
        with app.app_context(), app.test_request_context():
            try:
                start.wait()
                services.submit_response(db.session.get(Survey, survey_id), raw, user=db.session.get(User, user_id))
                db.session.commit()
            except Exception as error:  # noqa: BLE001
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert db.session.get(Survey, survey_id).response_count == 1
