"""Open data set of surveys: the counts of every choice of every closed survey (the results everyone may
already see once a survey closes). Written answers and respondents stay out."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.opendata.registry import Column, Dataset, register_dataset
from app.surveys.models import SCALE, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyStatus


def _choice_counts():
    closed = select(Survey.id).where(Survey.status == SurveyStatus.CLOSED)
    counts: dict[tuple[int, int], int] = {}
    for question_id, option_id, value, count in db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value, func.count())
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyQuestion.survey_id.in_(closed), SurveyAnswer.text.is_(None))
            .group_by(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value)):
        counts[(question_id, option_id if option_id is not None else value)] = count
    surveys = db.session.scalars(select(Survey).where(Survey.status == SurveyStatus.CLOSED).order_by(Survey.id)
                                 .options(selectinload(Survey.questions).selectinload(SurveyQuestion.options)))
    for survey in surveys:
        for question in survey.questions:
            if question.kind.has_options:
                choices = [(option.label, counts.get((question.id, option.id), 0)) for option in question.options]
            elif question.kind is QuestionKind.SCALE:
                choices = [(str(value), counts.get((question.id, value), 0)) for value in SCALE]
            else:
                continue
            for choice, count in choices:
                yield (survey.id, survey.title, question.position, question.text, question.kind.value, choice, count)


def register() -> None:
    register_dataset(Dataset("survey_results", _l("Survey results"),
                             _l("How many people chose each answer of every closed survey, without written answers."), (
        Column("survey_id", "integer", _l("Survey number")), Column("survey", "string", _l("Title")),
        Column("question_position", "integer", _l("Order")), Column("question", "string", _l("Question")),
        Column("kind", "string", _l("single, multiple or scale (1 to 5)")),
        Column("choice", "string", _l("The answer chosen")),
        Column("count", "integer", _l("How many chose it"))), _choice_counts))
