"""Factories for survey tests."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import utcnow
from app.extensions import db
from app.surveys import services
from app.surveys.models import Audience, Demographic, QuestionKind
from tests.phones.conftest import last_code, roomy_limit, text_provider  # noqa: F401  (the phone guests' fixtures)


@pytest.fixture
def staff(make_user):
    return make_user(roles=["staff"], city_employee=True, display_name="김담당")


@pytest.fixture
def make_survey(staff):
    """make_survey(audience=…, publish=True, demographics=True) -> a survey with one question of each kind."""

    def factory(*, audience=Audience.RESIDENTS, publish=True, demographics=True, lab_id=None,
                title="아산시 스마트도시 시민 설문"):
        now = utcnow()
        survey = services.create_survey(staff, services.SurveyData(
            title=title, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7), audience=audience,
            lab_id=lab_id, consent_notice="통계에만 씁니다."))
        section = services.add_section(survey, staff, "도시 일반현황")
        services.add_question(survey, staff, kind=QuestionKind.SINGLE, text="아산시 거주환경 만족도", required=True,
                              options=["매우 좋음", "좋은 편", "보통", "나쁜 편"], section_id=section.id)
        services.add_question(survey, staff, kind=QuestionKind.MULTIPLE, text="개선이 필요한 분야",
                              options=["의료/복지", "교육", "교통"])
        services.add_question(survey, staff, kind=QuestionKind.SCALE, text="스마트도시를 얼마나 아십니까")
        services.add_question(survey, staff, kind=QuestionKind.SHORT_TEXT, text="한마디")
        services.add_question(survey, staff, kind=QuestionKind.LONG_TEXT, text="바라는 점")
        if demographics:
            services.add_demographic(survey, staff, Demographic.SEX)
            services.add_demographic(survey, staff, Demographic.AGE)
        if publish:
            services.publish_survey(survey, staff)
        db.session.commit()
        return survey

    return factory


def q(survey, index):
    return survey.questions[index]


def opt(survey, index, option):
    return str(survey.questions[index].options[option].id)


@pytest.fixture
def english(app):
    """A request context in English, for calling services whose messages are translated."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
