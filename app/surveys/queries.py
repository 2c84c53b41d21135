"""Reading surveys: the list and one survey with its sections, questions and options. Pages and API share these."""
from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.surveys.models import Survey, SurveyKind, SurveyQuestion, SurveyStatus


def surveys_query(*, include_drafts: bool = False, now=None):
    """Surveys (not quick polls): open ones first by nearest close, then the rest newest first."""
    query = select(Survey).where(Survey.kind == SurveyKind.SURVEY)
    if not include_drafts:
        query = query.where(Survey.status != SurveyStatus.DRAFT)
    running = (Survey.status == SurveyStatus.PUBLISHED) & (Survey.opens_at <= now) & (Survey.closes_at > now)
    return query.order_by(case((running, 0), else_=1), case((running, Survey.closes_at), else_=None),
                          Survey.closes_at.desc(), Survey.id.desc())


def load_survey(survey_id: int) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.id == survey_id).options(
        selectinload(Survey.sections), selectinload(Survey.questions).selectinload(SurveyQuestion.options)))


def lab_choices() -> list:
    """The living labs a survey may be limited to, by title (the survey form's choices)."""
    from app.labs.models import Lab

    return list(db.session.scalars(select(Lab).order_by(Lab.title)))
