"""Use cases of a lab: creating and editing it, recruitment, and moving it through the stages.

Services validate business rules, change data, write audit rows, queue notifications and flush;
the caller commits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select

from app import audit
from app.auth.models import User
from app.core import DomainError, NotAllowed, utcnow
from app.extensions import db
from app.labs.gates import unmet_conditions
from app.labs.models import (
    Lab,
    LabMembership,
    LabMode,
    LabStage,
    LabStageChange,
    MemberGroup,
    MembershipStatus,
    lab_proposals,
)
from app.labs.search import index_lab
from app.labs.signals import lab_closed
from app.notifications.services import notify, notify_selected
from app.proposals.models import Proposal
from app.timefmt import format_day


def lab_url(lab: Lab) -> str:
    return f"/labs/{lab.id}"


# --- creating and editing ---------------------------------------------------------------------

def _check_schedule(recruitment_deadline: date, starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError(_l("The lab cannot end before it starts."), field="ends_on", status=422)
    if recruitment_deadline > ends_on:
        raise DomainError(_l("Recruitment must close before the lab ends."), field="recruitment_deadline",
                          status=422)


def create_lab(creator: User, *, title: str, summary: str, mode: LabMode, district: str, capacity: int,
               recruitment_deadline: date, starts_on: date, ends_on: date, budget_won: int | None = None,
               proposal_ids: list[int] | tuple[int, ...] = ()) -> Lab:
    _check_schedule(recruitment_deadline, starts_on, ends_on)
    if mode is LabMode.CITY_COMMISSIONED and not proposal_ids:
        raise DomainError(_l("A city-commissioned lab is created from at least one proposal."),
                          field="proposal_ids", status=422)
    lab = Lab(title=title.strip(), summary=summary.strip(), mode=mode, district=district, capacity=capacity,
              recruitment_deadline=recruitment_deadline, starts_on=starts_on, ends_on=ends_on,
              budget_won=budget_won, stage=LabStage.PROBLEM, created_by_id=creator.id)
    lab.facilitators.append(creator)
    db.session.add(lab)
    db.session.flush()
    if proposal_ids:
        link_proposals(lab, proposal_ids)
    db.session.add(LabStageChange(lab_id=lab.id, from_stage=None, to_stage=LabStage.PROBLEM, actor_id=creator.id))
    audit.record(creator, "lab.create", "lab", lab.id, mode=mode.value, proposal_ids=sorted(proposal_ids))
    index_lab(lab)
    db.session.flush()
    _notify_interested(lab, creator)
    return lab


def _notify_interested(lab: Lab, creator: User) -> None:
    """A new lab recruits from the start: tell the residents who follow its district, or the fields
    and topics of the proposals it came from."""
    from app.interests.services import LAB_RECRUITING, notify_interested
    from app.proposals.models import proposal_topic_links

    linked = select(lab_proposals.c.proposal_id).where(lab_proposals.c.lab_id == lab.id)
    notify_interested(
        LAB_RECRUITING, lab_url(lab), districts=[lab.district],
        field_ids=select(Proposal.field_id).where(Proposal.id.in_(linked)),
        topic_ids=select(proposal_topic_links.c.topic_id).where(proposal_topic_links.c.proposal_id.in_(linked)),
        exclude_user_ids=[creator.id, *(f.id for f in lab.facilitators)], title=lab.title,
        deadline=lab.recruitment_deadline.isoformat())


def update_lab(lab: Lab, actor: User, *, title: str, summary: str, district: str, capacity: int,
               recruitment_deadline: date, starts_on: date, ends_on: date, budget_won: int | None) -> Lab:
    _check_schedule(recruitment_deadline, starts_on, ends_on)
    if capacity < accepted_count(lab):
        raise DomainError(_l("The capacity cannot be lower than the number of accepted members."),
                          field="capacity", status=422)
    lab.title, lab.summary, lab.district, lab.capacity = title.strip(), summary.strip(), district, capacity
    lab.recruitment_deadline, lab.starts_on, lab.ends_on, lab.budget_won = (
        recruitment_deadline, starts_on, ends_on, budget_won)
    audit.record(actor, "lab.update", "lab", lab.id)
    index_lab(lab)
    db.session.flush()
    return lab


def add_facilitator(lab: Lab, user: User, actor: User) -> None:
    if not user.is_facilitator:
        raise DomainError(_l("Only users with the facilitator role can facilitate a lab."), field="user_id",
                          status=422)
    if lab.is_facilitator(user):
        raise DomainError(_l("This person already facilitates the lab."), field="user_id", status=422)
    membership = lab.membership_of(user)
    if membership is not None and membership.status in (MembershipStatus.ACCEPTED, MembershipStatus.WAITLISTED,
                                                        MembershipStatus.APPLIED):
        raise DomainError(_l("A member of the lab cannot also facilitate it."), field="user_id", status=422)
    lab.facilitators.append(user)
    audit.record(actor, "lab.add_facilitator", "lab", lab.id, user_id=user.id)
    db.session.flush()


# --- recruitment ------------------------------------------------------------------------------

def _lock_lab(lab: Lab) -> None:
    """Serialise membership decisions per lab (a PostgreSQL row lock), so capacity is never overrun."""
    db.session.execute(select(Lab.id).where(Lab.id == lab.id).with_for_update())


def accepted_count(lab: Lab) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LabMembership).where(
            LabMembership.lab_id == lab.id, LabMembership.status == MembershipStatus.ACCEPTED)
    )


def apply(lab: Lab, user: User, *, motivation: str, group: MemberGroup, today: date) -> LabMembership:
    if lab.is_closed:
        raise DomainError(_l("This lab is closed."))
    if today > lab.recruitment_deadline:
        raise DomainError(_l("Applications for this lab closed on %(date)s.",
                             date=format_day(lab.recruitment_deadline)))
    if lab.is_facilitator(user):
        raise NotAllowed(_l("You facilitate this lab, so you cannot apply to it."))
    if lab.membership_of(user) is not None:
        raise DomainError(_l("You have already applied to this lab."))
    motivation = motivation.strip()
    if not 10 <= len(motivation) <= 1000:
        raise DomainError(_l("Write your motivation in 10 to 1000 characters."), field="motivation", status=422)
    membership = LabMembership(lab_id=lab.id, user_id=user.id, group=group, motivation=motivation,
                               status=MembershipStatus.APPLIED, applied_at=utcnow())
    db.session.add(membership)
    db.session.flush()
    notify([f.id for f in lab.facilitators], "lab_application_received", f"{lab_url(lab)}/members",
           name=user.display_name, lab=lab.title)
    return membership


def decide_application(membership: LabMembership, actor: User, *, accept: bool) -> LabMembership:
    """Accept (or, once the lab is full, waitlist) or decline an application, and tell the applicant."""
    lab = membership.lab
    _lock_lab(lab)
    now = utcnow()
    if not accept:
        membership.decline(actor, now)
        kind = "lab_application_declined"
    elif membership.status is MembershipStatus.APPLIED and accepted_count(lab) >= lab.capacity:
        membership.waitlist(actor, now)
        kind = "lab_application_waitlisted"
    else:
        if accepted_count(lab) >= lab.capacity:
            raise DomainError(_l("The lab is full: a waitlisted applicant moves up when a member leaves."))
        membership.accept(actor, now)
        kind = "lab_application_accepted"
    audit.record(actor, "lab.decide_application", "lab_membership", membership.id, lab_id=lab.id,
                 status=membership.status.value)
    db.session.flush()
    notify([membership.user_id], kind, lab_url(lab), lab=lab.title)
    return membership


def leave(membership: LabMembership, actor: User) -> LabMembership | None:
    """The member leaves; if they held a place, the first waitlisted applicant moves up (returned)."""
    was_accepted = membership.status is MembershipStatus.ACCEPTED
    membership.leave()
    audit.record(actor, "lab.leave", "lab_membership", membership.id, lab_id=membership.lab_id)
    db.session.flush()
    if not was_accepted:
        return None
    return promote_waitlisted(membership.lab)


def promote_waitlisted(lab: Lab) -> LabMembership | None:
    _lock_lab(lab)
    if accepted_count(lab) >= lab.capacity:
        return None
    first = db.session.scalar(
        select(LabMembership)
        .where(LabMembership.lab_id == lab.id, LabMembership.status == MembershipStatus.WAITLISTED)
        .order_by(LabMembership.waitlisted_at, LabMembership.id)
        .limit(1)
        .with_for_update(of=LabMembership)
    )
    if first is None:
        return None
    first.status = MembershipStatus.ACCEPTED
    first.decided_at = utcnow()
    audit.record(None, "lab.waitlist_moved_up", "lab_membership", first.id, lab_id=lab.id)
    db.session.flush()
    notify([first.user_id], "lab_waitlist_moved_up", lab_url(lab), lab=lab.title)
    return first


# --- stages -----------------------------------------------------------------------------------

def _members_query(lab: Lab):
    return select(LabMembership.user_id).where(
        LabMembership.lab_id == lab.id, LabMembership.status == MembershipStatus.ACCEPTED)


def _record_stage_change(lab: Lab, actor: User, change: LabStageChange) -> LabStageChange:
    db.session.add(change)
    audit.record(actor, "lab.stage", "lab", lab.id, from_stage=change.from_stage.value,
                 to_stage=change.to_stage.value, reason=change.reason)
    db.session.flush()
    if change.to_stage is LabStage.CLOSED:
        notify_selected(_members_query(lab), "lab_closed", lab_url(lab), lab=lab.title)
        lab_closed.send(lab)
    else:
        notify_selected(_members_query(lab), "lab_stage_changed", lab_url(lab), lab=lab.title,
                        number=change.to_stage.number)
    return change


def advance_stage(lab: Lab, actor: User, reason: str | None = None) -> LabStageChange:
    """Move on to the next stage (from stage 5: close the lab) once the stage's gate is met."""
    return _record_stage_change(lab, actor, lab.move_to(lab.stage.next, actor_id=actor.id, reason=reason,
                                                        unmet_conditions=unmet_conditions))


def move_back(lab: Lab, actor: User, reason: str | None) -> LabStageChange:
    return _record_stage_change(lab, actor, lab.move_to(lab.stage.previous, actor_id=actor.id, reason=reason))


def timeline(lab: Lab) -> list[LabStageChange]:
    return list(db.session.scalars(
        select(LabStageChange).where(LabStageChange.lab_id == lab.id).order_by(LabStageChange.at,
                                                                               LabStageChange.id)))


# --- proposals ---------------------------------------------------------------------------------

def link_proposals(lab: Lab, proposal_ids) -> None:
    ids = sorted(set(int(i) for i in proposal_ids))
    found = set(db.session.scalars(select(Proposal.id).where(Proposal.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(_l("No proposal has the number %(ids)s.", ids=", ".join(map(str, missing))),
                          field="proposal_ids", status=422)
    db.session.execute(insert(lab_proposals), [{"lab_id": lab.id, "proposal_id": i} for i in ids])
