"""Factories for the walking tests: residents who joined, a funded walking budget, step tokens."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.models import ConsentItem
from app.auth.services import set_consent
from app.extensions import db
from app.ledger.models import ProgrammeType
from app.ledger.services import funds
from app.walking.services import participation, today


@pytest.fixture
def walker(make_user):
    """walker(**user_fields) -> a committed resident with the health consent who joined the programme."""

    def factory(**fields):
        user = make_user(**fields)
        set_consent(user, ConsentItem.HEALTH, True)
        participation.join(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def fund(make_user):
    """fund(amount, year=this year) -> the walking budget (created by an admin)."""

    def factory(amount=1_000_000, year=None):
        admin = make_user(roles=["admin"])
        budget = funds.create_budget(programme_type=ProgrammeType.WALKING, programme_id=1,
                                     fiscal_year=year or today().year, allocated_won=amount, actor=admin)
        db.session.commit()
        return budget

    return factory


@pytest.fixture
def days_ago():
    def factory(n: int) -> str:
        return (today() - timedelta(days=n)).isoformat()

    return factory


@pytest.fixture
def steps_header(client, auth_header):
    """steps_header(user) -> Authorization header of a token limited to the steps scope."""

    def make(user):
        response = client.post("/api/v1/me/walking/tokens", headers=auth_header(user))
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return make


@pytest.fixture
def post_steps(client):
    def send(header, payload):
        return client.post("/api/v1/steps", json=payload, headers={**header, "Accept-Language": "en"})

    return send
