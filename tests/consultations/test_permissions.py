"""The consultation permission predicates as a matrix over role × status × time."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from app.consultations import permissions as p
from app.consultations.models import Consultation, ConsultationStatus

DEADLINE = datetime(2024, 1, 29, 9, 0)
BEFORE, AFTER = DEADLINE - timedelta(seconds=1), DEADLINE + timedelta(seconds=1)


def user(kind):
    if kind == "anonymous":
        return SimpleNamespace(is_authenticated=False, active=False, is_staff=False)
    return SimpleNamespace(is_authenticated=True, active=kind != "inactive", is_staff=kind == "staff", id=1)


def consultation(status, hearing=True):
    return Consultation(status=status, deadline_at=DEADLINE,
                        hearing_starts_at=DEADLINE - timedelta(days=4) if hearing else None, hearing_capacity=10)


D, O, R = ConsultationStatus.DRAFT, ConsultationStatus.OPEN, ConsultationStatus.RESULTS


@pytest.mark.parametrize("kind,status,expected", [
    ("anonymous", D, False), ("resident", D, False), ("staff", D, True),
    ("anonymous", O, True), ("resident", R, True),
])
def test_view(kind, status, expected):
    assert p.can_view_consultation(user(kind), consultation(status)) is expected


@pytest.mark.parametrize("kind,status,now,expected", [
    ("anonymous", O, BEFORE, True), ("resident", O, DEADLINE, True), ("resident", O, AFTER, False),
    ("inactive", O, BEFORE, False), ("resident", D, BEFORE, False), ("resident", R, BEFORE, False),
    ("staff", O, AFTER, False),
])
def test_submit_opinion(kind, status, now, expected):
    assert p.can_submit_opinion(user(kind), consultation(status), now) is expected


@pytest.mark.parametrize("kind,status,now,expected", [
    ("staff", O, AFTER, True), ("staff", O, BEFORE, False), ("staff", R, AFTER, False),
    ("resident", O, AFTER, False), ("anonymous", O, AFTER, False),
])
def test_group_and_publish(kind, status, now, expected):
    assert p.can_group_opinions(user(kind), consultation(status), now) is expected
    assert p.can_publish_results(user(kind), consultation(status), now) is expected


@pytest.mark.parametrize("kind,status,expected", [
    ("staff", D, True), ("staff", O, True), ("staff", R, False), ("resident", O, False), ("anonymous", D, False),
])
def test_edit(kind, status, expected):
    assert p.can_edit_consultation(user(kind), consultation(status)) is expected


@pytest.mark.parametrize("kind,status,expected", [
    ("staff", O, True), ("staff", D, False), ("staff", R, False), ("resident", O, False),
])
def test_enter_opinion(kind, status, expected):
    assert p.can_enter_opinion(user(kind), consultation(status)) is expected


@pytest.mark.parametrize("kind,hearing,now,expected", [
    ("resident", True, DEADLINE - timedelta(days=5), True), ("resident", True, DEADLINE - timedelta(days=4), False),
    ("resident", False, BEFORE, False), ("anonymous", True, DEADLINE - timedelta(days=5), False),
])
def test_register_for_hearing(kind, hearing, now, expected):
    assert p.can_register_for_hearing(user(kind), consultation(O, hearing), now) is expected


@pytest.mark.parametrize("kind,expected", [("staff", True), ("resident", False), ("anonymous", False)])
def test_private_fields(kind, expected):
    assert p.can_see_private_fields(user(kind)) is expected
