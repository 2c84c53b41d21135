"""Who may do what with consultations: pure predicates over the user, the consultation's status and time.

Publishing and answering is staff work; taking part is open to everyone (a hearing notice invites
everybody), with an account or with an email confirmation code. Name and phone on an opinion are seen
by staff only.
"""
from __future__ import annotations

from datetime import datetime

from app.auth.permissions import signed_in

from app.consultations.models import Consultation, ConsultationStatus


def _staff(user) -> bool:
    return signed_in(user) and user.is_staff


def can_view_consultation(user, consultation: Consultation) -> bool:
    return consultation.status is not ConsultationStatus.DRAFT or _staff(user)


def can_create_consultation(user) -> bool:
    return _staff(user)


def can_manage_consultation(user, consultation: Consultation) -> bool:
    """Edit details and documents, open, see every opinion with names and phones."""
    return _staff(user)


def can_edit_consultation(user, consultation: Consultation) -> bool:
    return _staff(user) and consultation.status is not ConsultationStatus.RESULTS


def can_submit_opinion(user, consultation: Consultation, now: datetime) -> bool:
    """Anyone while it accepts opinions; a guest proves an email address first (checked by the service)."""
    return consultation.accepting(now) and (user is None or not getattr(user, "is_authenticated", False)
                                            or signed_in(user))


def can_enter_opinion(user, consultation: Consultation) -> bool:
    """Staff type in opinions that came on paper, by phone or at the hearing, until results are out."""
    return _staff(user) and consultation.status is ConsultationStatus.OPEN


def can_see_private_fields(user) -> bool:
    return _staff(user)


def can_group_opinions(user, consultation: Consultation, now: datetime) -> bool:
    """After the deadline staff group opinions by theme and write responses, until the results are out."""
    return _staff(user) and consultation.status is ConsultationStatus.OPEN and now > consultation.deadline_at


def can_publish_results(user, consultation: Consultation, now: datetime) -> bool:
    return can_group_opinions(user, consultation, now)


def can_register_for_hearing(user, consultation: Consultation, now: datetime) -> bool:
    return (signed_in(user) and consultation.has_hearing and consultation.status is ConsultationStatus.OPEN
            and now < consultation.hearing_starts_at)
