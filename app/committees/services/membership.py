"""Membership (제12조, 제14조): nominate, appoint within the cap, council and gender rules, renew once,
replace for the rest of a term, dismiss only for an article 14 reason, elect the chair and vice-chair."""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app import audit
from app.auth.models import User
from app.committees import queries
from app.committees.models import (
    MAX_COUNCIL_MEMBERS,
    MAX_MEMBERS,
    Committee,
    CommitteeMember,
    CommitteeOfficer,
    DismissalReason,
    Gender,
    Meeting,
    MeetingAttendance,
    MeetingStatus,
    MemberCategory,
    MemberStatus,
    Office,
    term_end,
)
from app.committees.rules import Tally, gender_change_refused
from app.committees.services import today
from app.committees.signals import meeting_attended
from app.core import DomainError, utcnow
from app.extensions import db

MAX_NOTE = 1000


def create_committee(actor: User, *, name: str, description: str, travel_expense_won: int) -> Committee:
    name = name.strip()
    if db.session.scalar(select(Committee.id).where(Committee.name == name)) is not None:
        raise DomainError(_l("A committee with this name exists already."), field="name", status=422)
    if travel_expense_won < 0:
        raise DomainError(_l("The amount cannot be negative."), field="travel_expense_won", status=422)
    committee = Committee(name=name, description=description.strip(), travel_expense_won=travel_expense_won,
                          created_by_id=actor.id)
    db.session.add(committee)
    db.session.flush()
    audit.record(actor, "committee.created", "committee", committee.id, name=name)
    return committee


def update_committee(committee: Committee, actor: User, *, name: str, description: str,
                     travel_expense_won: int) -> Committee:
    name = name.strip()
    clash = db.session.scalar(select(Committee.id).where(Committee.name == name, Committee.id != committee.id))
    if clash is not None:
        raise DomainError(_l("A committee with this name exists already."), field="name", status=422)
    if travel_expense_won < 0:
        raise DomainError(_l("The amount cannot be negative."), field="travel_expense_won", status=422)
    committee.name, committee.description, committee.travel_expense_won = name, description.strip(), travel_expense_won
    db.session.flush()
    audit.record(actor, "committee.updated", "committee", committee.id, travel_expense_won=travel_expense_won)
    return committee


def _account(user_id: int | None, committee: Committee, exclude_member_id: int | None = None) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise DomainError(_l("There is no active account with this number."), field="user_id", status=422)
    taken = db.session.scalar(select(CommitteeMember.id).where(
        CommitteeMember.committee_id == committee.id, CommitteeMember.user_id == user_id,
        CommitteeMember.status.in_([MemberStatus.NOMINATED, MemberStatus.ACTIVE]),
        CommitteeMember.id != (exclude_member_id or 0)))
    if taken is not None:
        raise DomainError(_l("This account already holds a seat or a nomination on this committee."),
                          field="user_id", status=422)
    return user


def nominate_member(committee: Committee, actor: User, *, name: str, gender: Gender, category: MemberCategory,
                    affiliation: str = "", contact: str = "", is_city_employee: bool = False,
                    user_id: int | None = None, replaces_id: int | None = None) -> CommitteeMember:
    """Enter a person for appointment. Nothing counts towards the rules until they are appointed."""
    user = _account(user_id, committee)
    predecessor = None
    if replaces_id is not None:
        predecessor = db.session.get(CommitteeMember, replaces_id)
        if predecessor is None or predecessor.committee_id != committee.id:
            raise DomainError(_l("There is no such member on this committee."), field="replaces_id", status=422)
        _check_replaceable(predecessor)
        if predecessor.category.appointed != category.appointed:
            raise DomainError(_l("The ex officio member is replaced by the next director, not by an appointed "
                                 "member."), field="category", status=422)
    member = CommitteeMember(
        committee_id=committee.id, user_id=user.id if user else None, name=name.strip(),
        affiliation=affiliation.strip(), contact=contact.strip(), gender=gender, category=category,
        # The director in charge is a district official by definition (제12조④), so never paid (제16조).
        is_city_employee=(is_city_employee or category is MemberCategory.EX_OFFICIO
                          or bool(user and user.is_city_employee)),
        status=MemberStatus.NOMINATED, renewals=0, predecessor_id=predecessor.id if predecessor else None,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "committee_member.nominated", "committee_member", member.id, committee_id=committee.id,
                 category=category.value, replaces=replaces_id)
    return member


def _check_replaceable(predecessor: CommitteeMember) -> None:
    if not predecessor.category.appointed:
        raise DomainError(_l("The ex officio member is replaced by the next director, not by an appointed member."),
                          field="replaces_id", status=422)
    if predecessor.status not in (MemberStatus.ACTIVE, MemberStatus.DISMISSED):
        raise DomainError(_l("Only a member who left before the end of their term can be replaced."),
                          field="replaces_id", status=422)
    if predecessor.term_ends_on is None or predecessor.term_ends_on < today():
        raise DomainError(_l("The predecessor's term is over, so there is no rest of the term to serve. "
                             "Appoint a new member for a full term instead."), field="replaces_id", status=422)
    successor = db.session.scalar(select(CommitteeMember.id).where(
        CommitteeMember.predecessor_id == predecessor.id,
        CommitteeMember.status.in_([MemberStatus.NOMINATED, MemberStatus.ACTIVE])))
    if successor is not None:
        raise DomainError(_l("Someone is already nominated or appointed to replace this member."),
                          field="replaces_id", status=422)


def withdraw_nomination(member: CommitteeMember, actor: User) -> CommitteeMember:
    member.move_to(MemberStatus.WITHDRAWN)
    db.session.flush()
    audit.record(actor, "committee_member.withdrawn", "committee_member", member.id)
    return member


def _check_composition(committee: Committee, day: date, *, joining: list[CommitteeMember],
                       leaving: list[CommitteeMember]) -> None:
    """The ordinance's limits on the committee as it would be on ``day`` after the change."""
    serving = queries.serving_members(committee.id, day)
    leaving_ids = {m.id for m in leaving}
    after = [m for m in serving if m.id not in leaving_ids] + joining
    if len(after) > MAX_MEMBERS:
        raise DomainError(_l("A committee has at most %(max)s members including the chair and vice-chair "
                             "(article 12(2)): %(serving)s serve, so %(adding)s more would make %(total)s.",
                             max=MAX_MEMBERS, serving=len(serving) - len(leaving_ids), adding=len(joining),
                             total=len(after)), field="member_ids")
    council = sum(1 for m in after if m.category is MemberCategory.COUNCIL)
    if council > MAX_COUNCIL_MEMBERS and any(m.category is MemberCategory.COUNCIL for m in joining):
        raise DomainError(_l("At most %(max)s district council members may be appointed (article 12(5)3); "
                             "this would make %(count)s.", max=MAX_COUNCIL_MEMBERS, count=council), field="member_ids")
    ex_officio = sum(1 for m in after if m.category is MemberCategory.EX_OFFICIO)
    if ex_officio > 1:
        raise DomainError(_l("There is one ex officio member: the director in charge (article 12(4))."),
                          field="member_ids")
    before_counts = Counter(m.gender for m in serving if m.category.appointed)
    after_counts = Counter(m.gender for m in after if m.category.appointed)
    refused = gender_change_refused(before_counts, after_counts)
    if refused is not None:
        gender, count, total = refused
        women, men = after_counts.get(Gender.FEMALE, 0), after_counts.get(Gender.MALE, 0)
        raise DomainError(_l(
            "No gender may hold more than 6 in 10 of the appointed members (article 12(5)). After this change "
            "%(count)s of %(total)s appointed members would be %(gender)s (women %(women)s, men %(men)s); "
            "at most %(allowed)s may be.", count=count, total=total, gender=gender.label, women=women, men=men,
            allowed=total * 6 // 10), field="member_ids")


def appoint_members(committee: Committee, actor: User, member_ids: list[int], starts_on: date) -> list[CommitteeMember]:
    """위촉: appoint nominees together (a first committee is formed in one go, so that the gender rule is
    judged on the whole). An appointed member serves two years; a replacement the rest of the term."""
    if not member_ids:
        raise DomainError(_l("Choose at least one nominee to appoint."), field="member_ids", status=422)
    members = list(db.session.scalars(select(CommitteeMember).where(CommitteeMember.id.in_(member_ids))
                                      .order_by(CommitteeMember.id)))
    if len(members) != len(set(member_ids)) or any(m.committee_id != committee.id for m in members):
        raise DomainError(_l("There is no such nominee on this committee."), field="member_ids", status=422)
    for member in members:
        if member.status is not MemberStatus.NOMINATED:
            raise DomainError(_l("%(name)s is not a nominee waiting for appointment.", name=member.name),
                              field="member_ids")
        if member.predecessor is not None:
            if member.predecessor.status is not MemberStatus.DISMISSED:
                raise DomainError(_l("%(name)s replaces %(predecessor)s, who still serves: dismiss them first, or "
                                     "appoint the replacement in the same step as the dismissal.",
                                     name=member.name, predecessor=member.predecessor.name), field="member_ids")
            if starts_on > member.predecessor.term_ends_on:
                raise DomainError(_l("The predecessor's term is over by then, so there is no rest of the term to "
                                     "serve."), field="starts_on", status=422)
    _check_composition(committee, starts_on, joining=members, leaving=[])
    _appoint(members, actor, starts_on)
    return members


def _appoint(members: list[CommitteeMember], actor: User, starts_on: date) -> None:
    now = utcnow()
    for member in members:
        # 제12조⑦: a replacement serves the rest of the predecessor's term.
        ends_on = member.predecessor.term_ends_on if member.predecessor is not None else term_end(starts_on)
        member.appoint(actor, now, starts_on, ends_on)
        audit.record(actor, "committee_member.appointed", "committee_member", member.id,
                     starts_on=starts_on.isoformat(),
                     ends_on=ends_on.isoformat() if member.category.appointed else None)
    db.session.flush()


def renew_member(member: CommitteeMember, actor: User) -> CommitteeMember:
    member.renew(today())
    db.session.flush()
    audit.record(actor, "committee_member.renewed", "committee_member", member.id,
                 term_ends_on=member.term_ends_on.isoformat())
    return member


def dismiss_member(member: CommitteeMember, actor: User, *, reason: DismissalReason, note: str,
                   replacement_id: int | None = None) -> CommitteeMember:
    """해촉 for one of article 14's reasons, recorded with who and when. A replacement nominee may be
    appointed in the same step, so that a dismissal the gender rule would refuse on its own can go ahead."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_l("The note may be at most 1,000 characters."), field="note", status=422)
    day = today()
    if not member.serving_on(day):
        raise DomainError(_l("Only a serving member can be dismissed."))
    committee = member.committee
    joining = []
    if replacement_id is not None:
        replacement = db.session.get(CommitteeMember, replacement_id)
        if replacement is None or replacement.predecessor_id != member.id \
                or replacement.status is not MemberStatus.NOMINATED:
            raise DomainError(_l("The replacement must be a nominee entered to replace this member."),
                              field="replacement_id", status=422)
        joining = [replacement]
    _check_composition(committee, day, joining=joining, leaving=[member])
    member.dismiss(actor, utcnow(), day, reason, note)
    db.session.execute(delete(CommitteeOfficer).where(CommitteeOfficer.member_id == member.id))
    db.session.flush()
    audit.record(actor, "committee_member.dismissed", "committee_member", member.id, reason=reason.value, note=note)
    if joining:
        _appoint(joining, actor, day)
    return member


def end_expired_terms(committee: Committee, actor: User | None = None) -> list[CommitteeMember]:
    """Mark members whose term ran out as ended (they already stopped counting on the day after)."""
    day = today()
    members = list(db.session.scalars(select(CommitteeMember).where(
        CommitteeMember.committee_id == committee.id, CommitteeMember.status == MemberStatus.ACTIVE,
        CommitteeMember.term_ends_on < day)))
    for member in members:
        member.end_term(day)
        db.session.execute(delete(CommitteeOfficer).where(CommitteeOfficer.member_id == member.id))
        audit.record(actor, "committee_member.term_ended", "committee_member", member.id)
    db.session.flush()
    return members


def link_account(member: CommitteeMember, actor: User, user_id: int) -> CommitteeMember:
    """Connect a member kept by name to their account; allowances for meetings they attended follow."""
    if member.status not in (MemberStatus.NOMINATED, MemberStatus.ACTIVE):
        raise DomainError(_l("Only a nominee or a serving member can be linked to an account."))
    if member.user_id is not None:
        raise DomainError(_l("This member is linked to an account already."), field="user_id", status=422)
    user = _account(user_id, member.committee, exclude_member_id=member.id)
    member.user_id = user.id
    member.is_city_employee = member.is_city_employee or user.is_city_employee
    db.session.flush()
    audit.record(actor, "committee_member.account_linked", "committee_member", member.id, user_id=user.id)
    attended = db.session.scalars(
        select(MeetingAttendance).join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
        .where(MeetingAttendance.member_id == member.id,
               Meeting.status.in_([MeetingStatus.HELD, MeetingStatus.PUBLISHED])))
    for attendance in attended:
        meeting_attended.send(attendance)
    return member


def elect_officer(committee: Committee, actor: User, *, office: Office, member_id: int, elected_on: date,
                  present: int, votes_for: int) -> CommitteeOfficer:
    """호선 (제12조③): the members elect the chair or vice-chair from among themselves. Like every decision
    of the committee it needs a quorum and a majority of those present (제15조④)."""
    member = db.session.get(CommitteeMember, member_id)
    if member is None or member.committee_id != committee.id or not member.serving_on(elected_on):
        raise DomainError(_l("Only a member serving on the day of the election can be elected."), field="member_id",
                          status=422)
    enrolled = queries.enrolled_count(committee.id, elected_on)
    if not 0 <= votes_for <= present <= enrolled:
        raise DomainError(_l("The counts do not add up: %(present)s present of %(enrolled)s members, %(votes)s "
                             "votes in favour.", present=present, enrolled=enrolled, votes=votes_for),
                          field="votes_for", status=422)
    tally = Tally(enrolled=enrolled, present=present, votes_for=votes_for, votes_against=0, votes_abstain=0)
    if not tally.has_quorum:
        raise DomainError(_l("No quorum: %(present)s of %(enrolled)s members were present; at least %(needed)s "
                             "must be (article 15(4)).", present=present, enrolled=enrolled,
                             needed=tally.quorum_needed), field="present", status=422)
    if not tally.passed:
        raise DomainError(_l("Not elected: %(votes)s votes in favour of %(present)s present; at least %(needed)s "
                             "are needed (article 15(4)).", votes=votes_for, present=present,
                             needed=tally.majority_needed), field="votes_for", status=422)
    other = db.session.scalar(select(CommitteeOfficer).where(
        CommitteeOfficer.committee_id == committee.id, CommitteeOfficer.member_id == member.id,
        CommitteeOfficer.office != office))
    if other is not None:
        raise DomainError(_l("This member holds the other office; one person cannot be chair and vice-chair."),
                          field="member_id", status=422)
    officer = db.session.get(CommitteeOfficer, (committee.id, office))
    if officer is None:
        officer = CommitteeOfficer(committee_id=committee.id, office=office)
        db.session.add(officer)
    officer.member_id, officer.elected_on = member.id, elected_on
    officer.present, officer.votes_for = present, votes_for
    officer.recorded_by_id, officer.recorded_at = actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "committee.officer_elected", "committee", committee.id, office=office.value,
                 member_id=member.id, present=present, votes_for=votes_for)
    return officer


def account_id_for_email(email: str | None) -> int | None:
    """The account an email names (blank: none); an unknown email is refused rather than ignored."""
    if not email or not email.strip():
        return None
    from app.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise DomainError(_l("No Maeul account uses this email address."), field="account_email", status=422)
    return user.id
