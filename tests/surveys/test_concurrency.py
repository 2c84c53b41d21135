"""Simultaneous first answers from one account make one response, counted once (PostgreSQL)."""
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.surveys import services
from app.surveys.models import Survey, SurveyResponse
from tests.concurrency import run_together
from tests.conftest import is_postgres
from tests.surveys.conftest import opt, q

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]


def test_double_submit_makes_one_response(app, make_survey, make_user):
    survey = make_survey()
    survey_id, user_id = survey.id, make_user().id
    raw = {q(survey, 0).id: [opt(survey, 0, 0)]}

    def submit(_):
        services.submit_response(db.session.get(Survey, survey_id), raw, user=db.session.get(User, user_id))

    _, errors = run_together(app, submit, range(4))
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert db.session.get(Survey, survey_id).response_count == 1
