"""Intake fixtures: staff of a community centre, an open consultation, a recruiting lab, the text provider."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.extensions import db
from tests.factories import choices, request_context  # noqa: F401  (fixtures)
from tests.phones.conftest import text_provider  # noqa: F401  (fixture)

PHONE = "010-2345-6789"
NUMBER = "01023456789"


@pytest.fixture
def centre(make_user):
    return make_user(roles=["intake"], display_name="온양1동 주민센터 박주무관")


@pytest.fixture
def consultation(make_user):
    from app.consultations import services

    staff = make_user(roles=["staff"])
    item = services.create_consultation(staff, services.ConsultationData(
        title="버스 노선 개편 의견수렴", purpose="개편안에 대한 의견을 듣습니다.", department="교통과",
        deadline_date=date.today() + timedelta(days=10), deadline_time=time(18, 0)))
    services.open_consultation(item, staff)
    db.session.commit()
    return item


@pytest.fixture
def lab(make_user):
    from app.labs.models import LabMode
    from app.labs.services import labs as lab_services

    today = date.today()
    item = lab_services.create_lab(
        make_user(roles=["facilitator"]), title="어르신 스마트폰 배움터", summary="스마트폰 사용을 함께 배웁니다.",
        mode=LabMode.RESIDENT_LED, district="onyang1", capacity=10, recruitment_deadline=today + timedelta(days=10),
        starts_on=today, ends_on=today + timedelta(days=60))
    db.session.commit()
    return item


def resident_form(**overrides) -> dict:
    values = {"channel": "phone", "resident_name": "정순자", "phone": PHONE, "district": "onyang1",
              "birth_year": "1948", "consent_privacy": "y", "consent_texts": "y", "consent_note": "전화로 낭독 후 동의"}
    values.update(overrides)
    return values


def proposal_form(**overrides) -> dict:
    values = {**resident_form(), "title": "경로당 앞 횡단보도 신호 연장", "field": "transport", "topics": ["walking"],
              "body": "경로당 앞 횡단보도 신호가 짧아 어르신들이 다 건너지 못합니다. 신호 시간을 늘려 주세요.",
              "place": "onyang1"}
    values.update(overrides)
    return values


@pytest.fixture
def last_code(text_provider):  # noqa: F811
    """last_code("01012345678") -> the code in the latest text to that number. Digits next to Hangul (the Korean
    text reads "…123456입니다") have no word boundary, so the code is found as six digits between non-digits."""
    import re

    def read(number):
        texts = text_provider.texts_to(number)
        assert texts, f"no text to {number}"
        return re.search(r"(?<!\d)(\d{6})(?!\d)", texts[-1]).group(1)

    return read
