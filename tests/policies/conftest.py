"""Factories for policy tests: fields, adopted proposals and policies with steps."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.policies import services
from app.policies.models import Horizon
from app.proposals.models import Field, Proposal, ProposalStatus


@pytest.fixture
def make_field():
    def factory(slug="transport", name_ko="교통", name_en="Transport"):
        field = db.session.scalar(db.select(Field).where(Field.slug == slug))
        if field is None:
            field = Field(slug=slug, name_ko=name_ko, name_en=name_en)
            db.session.add(field)
            db.session.commit()
        return field

    return factory


@pytest.fixture
def make_proposal(make_user, make_field):
    def factory(author=None, *, status=ProposalStatus.ADOPTED, title="버스정류장에 온열의자를 설치해 주세요"):
        proposal = Proposal(title=title, body="겨울에 너무 춥습니다.", field_id=make_field().id,
                            author_id=(author or make_user()).id, status=status)
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return factory


@pytest.fixture
def staff(make_user):
    return make_user(roles=["staff"], city_employee=True, display_name="김담당")


@pytest.fixture
def make_policy(staff):
    def factory(*, title="AI 기반 CCTV", department="정보통신과", steps=(("구축", 2), ("시범 운영", 1)),
                horizon=Horizon.NEAR, proposal_ids=(), field_slug=None, actor=None, summary="**스마트** 안전"):
        policy = services.create_policy(
            actor or staff, services.PolicyData(title=title, summary=summary, department=department,
                                                horizon=horizon),
            steps=list(steps), proposal_ids=proposal_ids, field_slug=field_slug,
        )
        db.session.commit()
        return policy

    return factory
