"""Factories for lab tests: a lab with a facilitator, members, and the content each stage gate needs."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core import utcnow
from app.extensions import db
from app.labs.services import labs as services
from app.labs.services import workspace as ws
from app.labs.models import Lab, LabMode, LabStage, MemberGroup


@pytest.fixture(autouse=True)
def _request_context(app):
    """Services build translated messages, which need a request (for the locale)."""
    with app.test_request_context():
        yield


@pytest.fixture
def make_lab(make_user):
    """make_lab(facilitator=None, capacity=10, stage=LabStage.PROBLEM, deadline_days=14) -> a committed Lab."""

    def factory(facilitator=None, *, capacity=10, stage=LabStage.PROBLEM, deadline_days=14, title="불법 투기 없는 골목"):
        facilitator = facilitator or make_user(roles=["facilitator"])
        today = date.today()
        lab = services.create_lab(
            facilitator, title=title, summary="골목마다 쓰레기가 무단으로 버려져 주민들이 불편을 겪고 있습니다.",
            mode=LabMode.RESIDENT_LED, district="onyang1", capacity=capacity,
            recruitment_deadline=today + timedelta(days=deadline_days), starts_on=today,
            ends_on=today + timedelta(days=90))
        lab.stage = stage
        db.session.commit()
        return lab

    return factory


@pytest.fixture
def add_member(make_user):
    """add_member(lab, group=MemberGroup.CITIZEN, user=None) -> an accepted member (User)."""

    def factory(lab: Lab, group=MemberGroup.CITIZEN, user=None):
        user = user or make_user()
        membership = services.apply(lab, user, motivation="동네 문제를 함께 풀고 싶습니다.", group=group,
                                    today=date.today())
        services.decide_application(membership, lab.facilitators[0], accept=True)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def fulfil_gate(add_member):
    """fulfil_gate(lab) adds what the lab's current stage needs to move on (without moving it)."""

    def factory(lab: Lab):
        facilitator = lab.facilitators[0]
        if lab.stage is LabStage.PROBLEM:
            a, b = add_member(lab), add_member(lab)
            cards = [ws.write_problem(lab, a, title=f"문제 {n}", body="무단 투기가 반복됩니다.") for n in range(3)]
            ws.set_empathy(cards[0], a, True)
            ws.set_empathy(cards[0], b, True)
            ws.add_resource(lab, a, kind=ws.ResourceKind.PLACE, name="온양1동 행정복지센터")
        elif lab.stage is LabStage.PLANNING:
            ws.add_goal(lab, facilitator, "무단 투기 50% 줄이기")
            ws.add_task(lab, facilitator, title="투기 지점 조사", owner_id=facilitator.id, due_on=None)
        elif lab.stage is LabStage.PROTOTYPING:
            prototype = ws.add_prototype(lab, facilitator, title="스마트 안내판", description="투기 지점에 안내판 설치")
            for rating in (3, 4, 5):
                ws.give_feedback(prototype, lab, None, rating=rating, comment="좋아요")
        elif lab.stage is LabStage.REVIEW:
            ws.record_kpi(lab, facilitator, name="무단 투기 신고", unit="건", target=10, actual=6)
            ws.write_text(lab, facilitator, "findings", "신고가 40% 줄었습니다.")
        elif lab.stage is LabStage.SHARING:
            ws.write_text(lab, facilitator, "retrospective", "함께해서 즐거웠습니다.")
            ws.write_text(lab, facilitator, "results_summary", "골목 투기가 줄었습니다.")
        db.session.commit()

    return factory


def soon():
    return utcnow() + timedelta(minutes=5)
