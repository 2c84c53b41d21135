import time

from sqlalchemy import func, select

from app.extensions import db
from app.surveys import results
from app.surveys.demo import OPEN_SURVEY, RESIDENT_SURVEY
from app.surveys.models import Demographic, Survey, SurveyResponse, SurveyStatus


def _seed():
    from importlib import import_module

    for name in ("app.auth.demo", "app.surveys.demo"):
        import_module(name).seed_demo()
        db.session.commit()


def test_the_resident_survey_has_498_answers_that_follow_the_plan(client):
    started = time.perf_counter()
    _seed()
    elapsed = time.perf_counter() - started
    _seed()
    survey = db.session.scalar(select(Survey).where(Survey.title == RESIDENT_SURVEY))
    assert survey.status is SurveyStatus.CLOSED and survey.response_count == 498
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id)) == 498
    by_text = {r.question.text: r for r in results.question_results(survey)}
    satisfaction = by_text["아산시의 거주환경에 얼마나 만족하십니까?"]
    shares = {row.label: row.percent for row in satisfaction.rows}
    assert 40 <= shares["살기 좋은 편"] <= 60 and shares["매우 살기 나쁨"] == 0
    sex = next(q for q in survey.questions if q.demographic is Demographic.SEX)
    table = results.crosstab(survey, satisfaction.question, sex)
    assert [label for label, _, _ in table.groups] == ["남자", "여자"] and table.suppressed == 0
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert page.count("<svg") >= 8
    assert elapsed < 10
    open_survey = db.session.scalar(select(Survey).where(Survey.title == OPEN_SURVEY))
    assert open_survey.response_count == 2
