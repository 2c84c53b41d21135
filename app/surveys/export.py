"""The resident's own survey answers in "download my data"."""
from sqlalchemy import select

from app.core import iso
from app.extensions import db
from app.surveys.models import SurveyResponse
from app.surveys.services import answers_of


def responses_section(user) -> list[dict]:
    return [{"survey_id": r.survey_id, "answers": {str(k): v for k, v in answers_of(r).items()},
             "consented_at": iso(r.consented_at), "updated_at": iso(r.updated_at)}
            for r in db.session.scalars(select(SurveyResponse).where(SurveyResponse.user_id == user.id)
                                        .order_by(SurveyResponse.id))]
