"""Who may do what with surveys and quick polls. Pure predicates: the caller passes whether the user is an
accepted member of the survey's lab (``lab_member``), so nothing here queries the database.

Who may answer is one table by audience, like the lab workspace rules:"""
from __future__ import annotations

from datetime import datetime

from app.auth.permissions import signed_in

from app.surveys.models import Audience, Survey, SurveyKind, SurveyStatus

PUBLIC, GUEST, USER, LAB_MEMBER = "public", "guest", "user", "lab_member"

# audience: kinds of respondent who may answer (a guest is someone without an account who confirmed an email)
ANSWER_RULES = {
    Audience.EVERYONE: frozenset({GUEST, USER}),
    Audience.RESIDENTS: frozenset({USER}),
    Audience.LAB: frozenset({LAB_MEMBER}),
}


def _staff(user) -> bool:
    return signed_in(user) and user.is_staff


def respondent_kinds(user, lab_member: bool = False) -> frozenset[str]:
    if signed_in(user):
        return frozenset({USER, LAB_MEMBER} if lab_member else {USER})
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset({GUEST})
    return frozenset()  # a deactivated account


def can_view_survey(user, survey: Survey) -> bool:
    return survey.status is not SurveyStatus.DRAFT or _staff(user)


def can_answer(user, survey: Survey, now: datetime, lab_member: bool = False) -> bool:
    return survey.is_open(now) and bool(ANSWER_RULES[survey.audience] & respondent_kinds(user, lab_member))


def can_create_survey(user) -> bool:
    return _staff(user)


def can_manage_survey(user, survey: Survey) -> bool:
    return _staff(user)


def can_edit_questions(user, survey: Survey) -> bool:
    return _staff(user) and survey.status is SurveyStatus.DRAFT


def can_close_survey(user, survey: Survey) -> bool:
    return _staff(user) and survey.status is SurveyStatus.PUBLISHED


def can_view_results(user, survey: Survey, now: datetime) -> bool:
    """Staff any time; everyone once the survey is closed; a quick poll's counts are public while it runs."""
    if _staff(user):
        return True
    if survey.status is SurveyStatus.DRAFT:
        return False
    return survey.kind is SurveyKind.POLL or survey.is_closed(now)


def can_read_text_answers(user, survey: Survey) -> bool:
    """Free-text answers may name people or places: staff read them, the public sees only their number."""
    return _staff(user)


def can_export(user, survey: Survey) -> bool:
    return _staff(user)
