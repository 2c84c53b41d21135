"""What erasing an account does to survey answers: the chosen options stay in the counts (the account they
hang on no longer says who it was); written answers go unless the person chose to keep what they wrote."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from app.auth.models import User
from app.extensions import db
from app.sql import rowcount
from app.surveys.models import SurveyAnswer, SurveyResponse


def erase_respondent(user: User, keep_content: bool, now: datetime) -> dict[str, int]:
    if keep_content:
        return {}
    mine = select(SurveyResponse.id).where(SurveyResponse.user_id == user.id)
    removed = rowcount(db.session.execute(delete(SurveyAnswer).where(
        SurveyAnswer.response_id.in_(mine), SurveyAnswer.text.is_not(None))))
    return {"survey_texts_removed": removed}
