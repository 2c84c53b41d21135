"""Factories for consultation tests: staff, consultations with or without a hearing, opinions."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.consultations import services
from app.consultations.clock import utc_to_seoul
from app.consultations.models import ConsultationStatus
from app.core import utcnow
from app.extensions import db
from tests.phones.conftest import last_code, roomy_limit, text_provider  # noqa: F401  (the phone guests' fixtures)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff(make_user):
    return make_user(roles=["staff"], city_employee=True, display_name="김담당")


def data(**overrides) -> services.ConsultationData:
    values = dict(title="제4차 스마트도시 종합계획(안) 의견수렴", purpose="종합계획(안)을 설명하고 의견을 듣습니다.",
                  department="도시경제과", deadline_date=date(2024, 1, 29), deadline_time=time(18, 0),
                  contact="044-201-4879", paper_address="세종특별자치시 도움6로 11")
    values.update(overrides)
    return services.ConsultationData(**values)


@pytest.fixture
def make_consultation(staff):
    """make_consultation(deadline_at=utc, hearing_in=timedelta|None, capacity=2, status=OPEN) -> Consultation."""

    def factory(*, deadline_at=None, hearing_at=None, capacity=2, status=ConsultationStatus.OPEN, policy_id=None,
                title="제4차 스마트도시 종합계획(안) 의견수렴"):
        deadline_at = deadline_at or (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
        local = utc_to_seoul(deadline_at)
        extra = {}
        if hearing_at is not None:
            starts = utc_to_seoul(hearing_at)
            # A hearing ends on the day it starts: late in the evening it runs to 23:59.
            ends = (starts + timedelta(hours=2)).time() if (starts + timedelta(hours=2)).date() == starts.date() \
                else time(23, 59)
            extra = dict(hearing_date=starts.date(), hearing_start=starts.time(), hearing_end=ends,
                         hearing_place="국토연구원 대강당", hearing_capacity=capacity)
        consultation = services.create_consultation(staff, data(
            title=title, deadline_date=local.date(), deadline_time=local.time(), policy_id=policy_id, **extra))
        # Tests may put the deadline anywhere, to the second, to probe the boundary.
        consultation.deadline_at = deadline_at
        if status is not ConsultationStatus.DRAFT:
            consultation.status = ConsultationStatus.OPEN
            consultation.opened_at = utcnow() - timedelta(days=10)
        if status is ConsultationStatus.RESULTS:
            consultation.status = ConsultationStatus.RESULTS
        db.session.commit()
        return consultation

    return factory


def opinion(**overrides) -> services.OpinionData:
    values = dict(name="홍길동", phone="010-1234-5678", body="데이터허브를 읍면 지역까지 넓혀 주세요.",
                  affiliation="아산시민", position="주민")
    values.update(overrides)
    return services.OpinionData(**values)


def form_opinion(**overrides) -> dict:
    values = {"affiliation": "아산시민", "name": "홍길동", "position": "주민", "phone": "010-1234-5678",
              "body": "데이터허브를 읍면 지역까지 넓혀 주세요."}
    values.update(overrides)
    return values


def code_from_outbox(app, to: str | None = None) -> str:
    """The 6-digit code of the newest mail in the test outbox (optionally to ``to``)."""
    import email
    import os
    import re

    outbox = app.config["MAIL_OUTBOX_DIR"]
    names = sorted(n for n in os.listdir(outbox) if to is None or to.replace("@", "_at_") in n)
    with open(os.path.join(outbox, names[-1]), "rb") as handle:
        message = email.message_from_bytes(handle.read())
    return re.search(r"(?<!\d)(\d{6})(?!\d)", message.get_payload(decode=True).decode()).group(1)


@pytest.fixture
def english(app):
    """A request context in English, for calling services whose messages are translated."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
