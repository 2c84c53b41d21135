"""Survey permission predicates as a matrix: audience × respondent, status × time, staff-only actions."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from app.surveys import permissions as p
from app.surveys.models import Audience, Survey, SurveyKind, SurveyStatus

OPENS, CLOSES = datetime(2030, 1, 1), datetime(2030, 1, 10)
DURING, AFTER, BEFORE = datetime(2030, 1, 5), CLOSES, OPENS - timedelta(seconds=1)


def user(kind):
    if kind == "guest":
        return None
    if kind == "anonymous":
        return SimpleNamespace(is_authenticated=False, active=False, is_staff=False)
    return SimpleNamespace(is_authenticated=True, active=kind != "inactive", is_staff=kind == "staff")


def survey(audience=Audience.RESIDENTS, status=SurveyStatus.PUBLISHED, kind=SurveyKind.SURVEY):
    return Survey(audience=audience, status=status, kind=kind, opens_at=OPENS, closes_at=CLOSES, lab_id=1)


@pytest.mark.parametrize("audience,kind,member,expected", [
    (Audience.EVERYONE, "guest", False, True), (Audience.EVERYONE, "anonymous", False, True),
    (Audience.EVERYONE, "resident", False, True), (Audience.EVERYONE, "inactive", False, False),
    (Audience.RESIDENTS, "guest", False, False), (Audience.RESIDENTS, "resident", False, True),
    (Audience.LAB, "resident", False, False), (Audience.LAB, "resident", True, True),
    (Audience.LAB, "guest", True, False), (Audience.LAB, "staff", False, False),
])
def test_answer_by_audience(audience, kind, member, expected):
    assert p.can_answer(user(kind), survey(audience), DURING, member) is expected


@pytest.mark.parametrize("status,now,expected", [
    (SurveyStatus.DRAFT, DURING, False), (SurveyStatus.PUBLISHED, BEFORE, False),
    (SurveyStatus.PUBLISHED, OPENS, True), (SurveyStatus.PUBLISHED, AFTER, False),
    (SurveyStatus.CLOSED, DURING, False),
])
def test_answer_by_time_and_status(status, now, expected):
    assert p.can_answer(user("resident"), survey(status=status), now) is expected


@pytest.mark.parametrize("kind,status,survey_kind,now,expected", [
    ("resident", SurveyStatus.PUBLISHED, SurveyKind.SURVEY, DURING, False),
    ("resident", SurveyStatus.PUBLISHED, SurveyKind.SURVEY, AFTER, True),
    ("guest", SurveyStatus.CLOSED, SurveyKind.SURVEY, DURING, True),
    ("guest", SurveyStatus.PUBLISHED, SurveyKind.POLL, DURING, True),
    ("resident", SurveyStatus.DRAFT, SurveyKind.POLL, DURING, False),
    ("staff", SurveyStatus.PUBLISHED, SurveyKind.SURVEY, DURING, True),
])
def test_view_results(kind, status, survey_kind, now, expected):
    assert p.can_view_results(user(kind), survey(status=status, kind=survey_kind), now) is expected


@pytest.mark.parametrize("kind,expected", [("staff", True), ("resident", False), ("guest", False)])
def test_staff_only(kind, expected):
    draft = survey(status=SurveyStatus.DRAFT)
    assert p.can_create_survey(user(kind)) is expected
    assert p.can_edit_questions(user(kind), draft) is expected
    assert p.can_export(user(kind), draft) is expected
    assert p.can_read_text_answers(user(kind), draft) is expected
    assert p.can_close_survey(user(kind), survey()) is expected
    assert p.can_view_survey(user(kind), draft) is expected


def test_questions_freeze_and_closing_needs_a_published_survey():
    staff = user("staff")
    assert not p.can_edit_questions(staff, survey())
    assert not p.can_close_survey(staff, survey(status=SurveyStatus.CLOSED))
