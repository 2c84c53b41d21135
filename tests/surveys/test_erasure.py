"""Erasing an account keeps the chosen options in the counts and removes written answers unless kept."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.privacy.deletion import erase_account, request_deletion
from app.surveys import services
from app.surveys.models import SurveyAnswer
from tests.surveys.conftest import opt, q


@pytest.mark.parametrize("keep_content", [True, False])
def test_erasure_removes_written_answers_unless_kept(app, make_survey, make_user, keep_content):
    survey = make_survey(demographics=False)
    leaving, other = make_user(), make_user()
    for user in (leaving, other):
        services.submit_response(survey, {str(q(survey, 0).id): [opt(survey, 0, 0)],
                                          str(q(survey, 3).id): ["제 번호는 010-1111-2222"]}, user=user)
    db.session.commit()

    with app.test_request_context():
        summary = erase_account(request_deletion(leaving, keep_content=keep_content))
    db.session.commit()

    def answers(condition):
        return db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(condition))

    texts, choices = answers(SurveyAnswer.text.is_not(None)), answers(SurveyAnswer.option_id.is_not(None))
    assert texts == (2 if keep_content else 1) and choices == 2
    assert summary.get("survey_texts_removed", 0) == (0 if keep_content else 1)
