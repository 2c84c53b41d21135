"""Reading consultations: lists, numbers and the policy timeline. Shared by the pages and the API."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.consultations.models import (
    Channel,
    Consultation,
    ConsultationStatus,
    HearingRegistration,
    Opinion,
    OpinionTheme,
    RegistrationStatus,
)
from app.extensions import db

PHASES = ("open", "closed", "results")


def consultations_query(*, phase: str | None = None, include_drafts: bool = False, now=None):
    """Open ones first by nearest deadline, then the rest newest first."""
    query = select(Consultation).options(selectinload(Consultation.documents))
    if not include_drafts:
        query = query.where(Consultation.status != ConsultationStatus.DRAFT)
    if phase == "open":
        query = query.where(Consultation.status == ConsultationStatus.OPEN, Consultation.deadline_at >= now)
    elif phase == "closed":
        query = query.where(Consultation.status == ConsultationStatus.OPEN, Consultation.deadline_at < now)
    elif phase == "results":
        query = query.where(Consultation.status == ConsultationStatus.RESULTS)
    accepting = (Consultation.status == ConsultationStatus.OPEN) & (Consultation.deadline_at >= now)
    return query.order_by(case((accepting, 0), else_=1), case((accepting, Consultation.deadline_at), else_=None),
                          Consultation.deadline_at.desc(), Consultation.id.desc())


def load_consultation(consultation_id: int) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.id == consultation_id).options(
        selectinload(Consultation.documents), selectinload(Consultation.themes)))


@dataclass
class Numbers:
    opinions: int = 0
    participants: int = 0
    by_channel: dict[Channel, int] = field(default_factory=dict)
    registered: int = 0
    waitlisted: int = 0


def numbers(consultation: Consultation) -> Numbers:
    """Opinions by channel and participants: distinct accounts, distinct confirmed guest addresses and numbers, and one
    person per opinion staff typed in (paper, phone, hearing). Two queries whatever the size."""
    rows = db.session.execute(
        select(Opinion.channel, func.count(), func.count(Opinion.user_id.distinct()),
               func.count(Opinion.guest_email.distinct()) + func.count(Opinion.guest_phone_lookup.distinct()),
               func.count(Opinion.entered_by_id))
        .where(Opinion.consultation_id == consultation.id).group_by(Opinion.channel)).all()
    result = Numbers(by_channel={channel: 0 for channel in Channel})
    for channel, count, _accounts, guests, entered in rows:
        result.by_channel[channel] = count
        result.opinions += count
        result.participants += guests + entered
    result.participants += db.session.scalar(select(func.count(Opinion.user_id.distinct())).where(
        Opinion.consultation_id == consultation.id)) or 0
    seats = db.session.execute(
        select(HearingRegistration.status, func.count()).where(
            HearingRegistration.consultation_id == consultation.id).group_by(HearingRegistration.status)).all()
    for status, count in seats:
        if status is RegistrationStatus.REGISTERED:
            result.registered = count
        elif status is RegistrationStatus.WAITLISTED:
            result.waitlisted = count
    return result


def theme_counts(consultation: Consultation) -> dict[int, int]:
    return {theme_id: count for theme_id, count in db.session.execute(select(Opinion.theme_id, func.count()).where(
        Opinion.consultation_id == consultation.id, Opinion.theme_id.is_not(None)).group_by(Opinion.theme_id))}


def opinions_query(consultation: Consultation, *, theme: str | None = None):
    """Every opinion, oldest first (staff); ``theme`` is a theme id, or "none" for the ungrouped ones."""
    query = (select(Opinion).where(Opinion.consultation_id == consultation.id)
             .options(selectinload(Opinion.theme), selectinload(Opinion.entered_by)).order_by(Opinion.id))
    if theme == "none":
        query = query.where(Opinion.theme_id.is_(None))
    elif theme and theme.isdigit():
        query = query.where(Opinion.theme_id == int(theme))
    return query


def own_opinions(consultation: Consultation, user) -> list[Opinion]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(select(Opinion).where(
        Opinion.consultation_id == consultation.id, Opinion.user_id == user.id).order_by(Opinion.id)))


def consultations_for_policy(policy_id: int) -> list[Consultation]:
    """What the policy's timeline shows: its published consultations."""
    return list(db.session.scalars(select(Consultation).where(
        Consultation.policy_id == policy_id, Consultation.status != ConsultationStatus.DRAFT)
        .order_by(Consultation.opened_at)))


def themes_with_responses(consultation: Consultation) -> list[OpinionTheme]:
    return list(consultation.themes)


def home_section() -> dict | None:
    """The home page: up to three consultations taking opinions and three running surveys, soonest deadline first."""
    from app.consultations.clock import utc_to_seoul
    from app.core import utcnow
    from app.surveys.queries import surveys_query
    from app.surveys.models import Survey, SurveyStatus

    now = utcnow()
    consultations = list(db.session.scalars(consultations_query(phase="open", now=now).limit(3)))
    surveys = list(db.session.scalars(surveys_query(now=now).where(
        Survey.status == SurveyStatus.PUBLISHED, Survey.opens_at <= now, Survey.closes_at > now).limit(3)))
    if not consultations and not surveys:
        return None
    return {"template": "consultations/_home.html", "consultations": consultations, "surveys": surveys,
            "seoul": utc_to_seoul}


def policy_choices() -> list:
    """The policies a consultation may be linked to, by title (the consultation form's choices)."""
    from app.policies.models import Policy

    return list(db.session.scalars(select(Policy).order_by(Policy.title)))
