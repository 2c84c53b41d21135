"""Factories shared across test packages. ``make_user`` is available everywhere (tests/conftest.py imports
it); the proposal and comment factories and the English request context are imported by the conftests of
the packages that use them."""
from itertools import count

import pytest

from app.extensions import db

BODY = "우리 동네 골목길에 불법 주차가 많아 보행자가 위험합니다. 단속과 공영주차장 확충을 제안합니다."


_sequence = count(1)


@pytest.fixture
def make_user():
    """make_user(roles=["staff"], city_employee=False, **fields) -> a committed User."""
    from app.auth.models import Role
    from app.auth.services import create_user

    def factory(roles=(), *, email=None, password="password123", display_name=None, city_employee=False,
                district="onyang1", birth_year=1980):
        n = next(_sequence)
        user = create_user(
            email=email or f"user{n}@example.kr", password=password, display_name=display_name or f"주민{n}",
            roles=[Role(r) for r in roles], is_city_employee=city_employee, district=district,
            birth_year=birth_year,
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def choices(app):
    from app.proposals.choices import seed_fields_and_topics

    seed_fields_and_topics()
    db.session.commit()


@pytest.fixture
def make_proposal(choices, make_user):
    """make_proposal(author=None, title=..., body=..., field="transport", topics=("parking",)) -> committed Proposal."""
    from app.proposals.services import submit_proposal

    def factory(author=None, *, title="골목길 불법 주차 단속 요청", body=BODY, field="transport", topics=("parking",),
                **place):
        proposal = submit_proposal(author or make_user(), title=title, body=body, field_slug=field,
                                   topic_slugs=list(topics), **place)
        db.session.commit()
        return proposal

    return factory


@pytest.fixture
def make_comment():
    """make_comment(author, proposal, body="...", parent=None, stance=None) -> committed Comment."""
    from app.comments.services import add_comment

    def factory(author, proposal, body="좋은 제안입니다. 찬성합니다.", parent=None, stance=None):
        comment = add_comment(author, "proposal", proposal, body, parent_id=parent.id if parent else None,
                              stance=stance)
        db.session.commit()
        return comment

    return factory


@pytest.fixture(autouse=True)
def request_context(app):
    """Services raise lazily translated messages; reading them needs a request.
    English, so that tests can match the msgids."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
