"""The allowance lifecycle: created by attendance or a claim, confirmed, approved within budget,
rejected with a reason, and (once paid) corrected only by a reversing entry."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.auth.models import User
from app.core import DomainError, NotAllowed, utcnow
from app.extensions import db
from app.labs.models import Lab, LabSession
from app.ledger import receipts
from app.ledger.models import Allowance, AllowanceKind, AllowanceStatus, ExpenseCategory, ProgrammeType
from app.labs.models.lab import lab_facilitators
from app.ledger.programmes import fiscal_year, is_lab_member, seoul_date
from app.ledger.services.funds import budget_for, commit_funds, release_funds, reverse_funds, rule_for
from app.notifications.services import notify
from app.timefmt import format_month

CITY_EMPLOYEE_REFUSAL = _l("City employees are not paid allowances (ordinance article 16).")
MAX_REASON = 500


def refuse_city_employee(user: User) -> None:
    if user.is_city_employee:
        raise DomainError(CITY_EMPLOYEE_REFUSAL)


def _flush_transition() -> None:
    try:
        db.session.flush()
    except StaleDataError as error:
        raise DomainError(_l("Someone else changed this allowance at the same moment. Reload and try again.")) \
            from error


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason the resident can read."), field="reason", status=422)
    if len(reason) > MAX_REASON:
        raise DomainError(_l("The reason may be at most 500 characters."), field="reason", status=422)
    return reason


# Plain paths: services also run outside requests (the CLI, the demo seeder), where url_for cannot build URLs.
STATEMENT_URL = "/me/allowances"
CONFIRMATIONS_URL = "/allowances/confirmations"


def create_session_allowance(attendance) -> Allowance | None:
    """A pending allowance for an attended lab session, when the lab has this year's budget and a rule.

    Returns the existing allowance when there is one already, and None when the lab pays nothing."""
    member = db.session.get(User, attendance.user_id)
    refuse_city_employee(member)
    session = db.session.get(LabSession, attendance.session_id)
    rule = rule_for(ProgrammeType.LAB, session.lab_id)
    budget = budget_for(ProgrammeType.LAB, session.lab_id, fiscal_year(utcnow()))
    if rule is None or budget is None or rule.amount_per_session_won <= 0:
        return None
    existing = db.session.scalar(select(Allowance).filter_by(user_id=member.id, session_id=session.id))
    if existing is not None:
        return existing
    allowance = Allowance(
        user_id=member.id, programme_type=ProgrammeType.LAB, programme_id=session.lab_id, budget_id=budget.id,
        kind=AllowanceKind.SESSION, session_id=session.id, amount_won=rule.amount_per_session_won,
        occurred_on=seoul_date(session.starts_at), status=AllowanceStatus.PENDING,
    )
    db.session.add(allowance)
    db.session.flush()
    return allowance


def on_attendance_recorded(attendance) -> None:
    """Receiver of ``app.labs.signals.attendance_recorded``; runs inside the labs service's transaction."""
    member = db.session.get(User, attendance.user_id)
    if member is None or member.is_city_employee:
        return
    create_session_allowance(attendance)


def create_meeting_allowances(attendance) -> list[Allowance]:
    """Pending allowances for a committee member's attended meeting (제16조, 제18조): the meeting allowance
    (the committee's allowance rule, per session) and the flat travel expense (the committee's setting).

    Only members with an account who are not city employees are paid; nothing is created without this
    year's budget. The unique constraint (user, meeting, kind) makes a second call add nothing."""
    from app.committees.models import CommitteeMember, Meeting

    member = db.session.get(CommitteeMember, attendance.member_id)
    if member.user_id is None or member.is_city_employee:
        return []
    user = db.session.get(User, member.user_id)
    if user.is_city_employee:
        return []
    meeting = db.session.get(Meeting, attendance.meeting_id)
    budget = budget_for(ProgrammeType.COMMITTEE, meeting.committee_id, fiscal_year(meeting.starts_at))
    if budget is None:
        return []
    rule = rule_for(ProgrammeType.COMMITTEE, meeting.committee_id)
    amounts = [(AllowanceKind.SESSION, None, rule.amount_per_session_won if rule else 0, meeting.title),
               (AllowanceKind.EXPENSE, ExpenseCategory.TRANSPORT, meeting.committee.travel_expense_won,
                meeting.title)]
    created = []
    for kind, category, amount, description in amounts:
        if amount <= 0:
            continue
        existing = db.session.scalar(select(Allowance).filter_by(
            user_id=user.id, committee_meeting_id=meeting.id, kind=kind))
        if existing is not None:
            created.append(existing)
            continue
        allowance = Allowance(
            user_id=user.id, programme_type=ProgrammeType.COMMITTEE, programme_id=meeting.committee_id,
            budget_id=budget.id, kind=kind, expense_category=category, committee_meeting_id=meeting.id,
            description=description, amount_won=amount, occurred_on=seoul_date(meeting.starts_at),
            status=AllowanceStatus.PENDING,
        )
        db.session.add(allowance)
        created.append(allowance)
    db.session.flush()
    return created


def claim_expense(user: User, *, lab_id: int, category: ExpenseCategory, amount_won: int, spent_on: date,
                  description: str, receipt_upload) -> Allowance:
    refuse_city_employee(user)
    lab = db.session.get(Lab, lab_id)
    if lab is None or not is_lab_member(user, lab_id):
        raise DomainError(_l("You can claim expenses only for a lab you are a member of."), field="lab_id",
                          status=422)
    if amount_won <= 0:
        raise DomainError(_l("Enter an amount above zero."), field="amount", status=422)
    if spent_on > seoul_date(utcnow()):
        raise DomainError(_l("The date cannot be in the future."), field="spent_on", status=422)
    budget = budget_for(ProgrammeType.LAB, lab_id, fiscal_year(utcnow()))
    if budget is None:
        raise DomainError(_l("This lab has no allowance budget this year, so it cannot take claims."),
                          field="lab_id", status=422)
    content, mime = receipts.check_receipt(receipt_upload)
    allowance = Allowance(
        user_id=user.id, programme_type=ProgrammeType.LAB, programme_id=lab_id, budget_id=budget.id,
        kind=AllowanceKind.EXPENSE, expense_category=category, amount_won=amount_won, occurred_on=spent_on,
        description=description.strip(), receipt_type=mime, receipt_file=receipts.save_receipt(content, mime),
        status=AllowanceStatus.PENDING,
    )
    db.session.add(allowance)
    db.session.flush()
    notify([f.id for f in lab.facilitators if f.id != user.id], "allowance_claimed",
           CONFIRMATIONS_URL, name=user.display_name, lab=lab.title)
    return allowance


def confirm_allowance(allowance: Allowance, actor: User) -> Allowance:
    refuse_city_employee(allowance.user)
    if allowance.user_id == actor.id:
        raise NotAllowed(_l("You cannot confirm your own allowance."))
    allowance.confirm(actor, utcnow())
    _flush_transition()
    audit.record(actor, "allowance.confirmed", "allowance", allowance.id)
    return allowance


def approve_allowance(allowance: Allowance, actor: User, *, idempotency_key: str | None = None) -> Allowance:
    """Approve within the budget and the member's monthly cap; the budget row serialises racing approvals."""
    refuse_city_employee(allowance.user)
    if allowance.user_id == actor.id:
        raise NotAllowed(_l("You cannot approve your own allowance."))
    allowance.approve(actor, utcnow())
    _flush_transition()
    commit_funds(allowance.budget, allowance.amount_won, actor=actor, allowance=allowance,
                 idempotency_key=idempotency_key)
    _check_monthly_cap(allowance)
    db.session.flush()
    audit.record(actor, "allowance.approved", "allowance", allowance.id, amount_won=allowance.amount_won)
    notify([allowance.user_id], "allowance_approved", STATEMENT_URL, amount=f"{allowance.amount_won:,}")
    return allowance


def _check_monthly_cap(allowance: Allowance) -> None:
    rule = rule_for(allowance.programme_type, allowance.programme_id)
    if rule is None:
        return
    first = allowance.occurred_on.replace(day=1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    total = db.session.scalar(
        select(func.coalesce(func.sum(Allowance.amount_won), 0)).where(
            Allowance.user_id == allowance.user_id,
            Allowance.programme_type == allowance.programme_type,
            Allowance.programme_id == allowance.programme_id,
            Allowance.status.in_([AllowanceStatus.APPROVED, AllowanceStatus.PAID]),
            Allowance.occurred_on >= first, Allowance.occurred_on < after,
        )
    )
    if total > rule.monthly_cap_won:
        raise DomainError(_l(
            "This would exceed the monthly cap of %(cap)s won per person for %(month)s: "
            "%(already)s won is approved already.",
            cap=f"{rule.monthly_cap_won:,}", month=format_month(first),
            already=f"{total - allowance.amount_won:,}",
        ))


def reject_allowance(allowance: Allowance, actor: User, reason: str) -> Allowance:
    reason = _reason(reason)
    had_commitment = allowance.reject(actor, utcnow(), reason)
    _flush_transition()
    if had_commitment:
        release_funds(allowance.budget, allowance.amount_won, actor=actor, allowance=allowance, reason=reason)
    audit.record(actor, "allowance.rejected", "allowance", allowance.id, reason=reason)
    notify([allowance.user_id], "allowance_rejected", STATEMENT_URL, reason=reason)
    return allowance


def reverse_payment(allowance: Allowance, reason: str, actor: User, *, idempotency_key: str | None = None) -> Allowance:
    """Correct a payment: the paid amount stays in the ledger and a negative reversal entry offsets it."""
    reason = _reason(reason)
    allowance.reverse(actor, utcnow(), reason)
    _flush_transition()
    reverse_funds(allowance.budget, allowance.amount_won, actor=actor, allowance=allowance, reason=reason,
                  idempotency_key=idempotency_key)
    db.session.flush()
    audit.record(actor, "allowance.reversed", "allowance", allowance.id, amount_won=allowance.amount_won,
                 reason=reason)
    notify([allowance.user_id], "allowance_reversed", STATEMENT_URL, amount=f"{allowance.amount_won:,}",
           reason=reason)
    return allowance


def statement_totals(user_id: int) -> dict[AllowanceStatus, int]:
    rows = db.session.execute(
        select(Allowance.status, func.sum(Allowance.amount_won)).where(Allowance.user_id == user_id)
        .group_by(Allowance.status)
    )
    totals = {status: 0 for status in AllowanceStatus}
    totals.update({status: int(total) for status, total in rows})
    return totals


def statement_query(user_id: int, status: AllowanceStatus | None = None):
    query = select(Allowance).where(Allowance.user_id == user_id)
    if status is not None:
        query = query.where(Allowance.status == status)
    return query.order_by(Allowance.occurred_on.desc(), Allowance.id.desc())


def confirmation_queue_query(user: User):
    """Pending allowances this user may confirm: their labs' members, and staff for non-lab programmes."""
    scopes = [and_(Allowance.programme_type == ProgrammeType.LAB,
                   # a subquery, not a list: the menu's waiting-work count builds on this in one SELECT
                   Allowance.programme_id.in_(select(lab_facilitators.c.lab_id)
                                              .where(lab_facilitators.c.user_id == user.id)))]
    if user.is_staff:
        scopes.append(Allowance.programme_type != ProgrammeType.LAB)
    return (select(Allowance)
            .where(Allowance.status == AllowanceStatus.PENDING, Allowance.user_id != user.id, or_(*scopes))
            .order_by(Allowance.occurred_on, Allowance.id))


def approval_queue_query(user: User):
    return (select(Allowance)
            .where(Allowance.status == AllowanceStatus.CONFIRMED, Allowance.user_id != user.id)
            .order_by(Allowance.occurred_on, Allowance.id))
