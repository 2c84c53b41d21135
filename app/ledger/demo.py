"""Demo budgets and allowances: this year's budget and rule for every demo lab and the committee, session
allowances for the attendance the labs demo recorded, and allowances in every state (paid in an exported
batch, approved, confirmed, rejected, pending) for the demo resident and the senior demo member, both with
bank accounts. Safe to run twice."""
from sqlalchemy import exists, select

from app.auth.models import User
from app.auth.services import find_user_by_email
from app.core import utcnow
from app.extensions import db
from app.labs.models import Attendance, Lab
from app.ledger.models import Allowance, AllowanceStatus, ProgrammeType
from app.ledger.programmes import fiscal_year
from app.ledger.services import allowances, funds, payouts

LAB_BUDGET_WON = 1_500_000
PER_SESSION_WON = 30_000
MONTHLY_CAP_WON = 120_000
COMMITTEE_BUDGET_WON = 5_400_000  # 15 members x 6 meetings x 60,000 won
REJECTION_REASON = "같은 날 다른 리빙랩 모임 수당과 시간이 겹쳐 한 건만 지급합니다."


def seed_demo() -> None:
    admin, staff = find_user_by_email("admin@maeul.kr"), find_user_by_email("staff@maeul.kr")
    resident, senior = find_user_by_email("resident@maeul.kr"), find_user_by_email("senior@maeul.kr")
    if admin is None or staff is None:
        return
    year = fiscal_year(utcnow())
    for lab_id in db.session.scalars(select(Lab.id).order_by(Lab.id)):
        _fund(ProgrammeType.LAB, lab_id, year, LAB_BUDGET_WON, admin)
    from app.committees.models import Committee

    for committee_id in db.session.scalars(select(Committee.id).order_by(Committee.id)):
        _fund(ProgrammeType.COMMITTEE, committee_id, year, COMMITTEE_BUDGET_WON, admin, per_session=60_000,
              cap=120_000)
    _allowances_for_recorded_attendance()
    if resident is not None and senior is not None:
        _walk_through_every_state(resident, senior, staff)


def _fund(programme_type, programme_id, year, allocated, admin, per_session=PER_SESSION_WON,
          cap=MONTHLY_CAP_WON) -> None:
    if funds.budget_for(programme_type, programme_id, year) is None:
        funds.create_budget(programme_type=programme_type, programme_id=programme_id, fiscal_year=year,
                            allocated_won=allocated, actor=admin)
    if funds.rule_for(programme_type, programme_id) is None:
        funds.set_allowance_rule(programme_type=programme_type, programme_id=programme_id,
                                 amount_per_session_won=per_session, monthly_cap_won=cap, actor=admin)


def _allowances_for_recorded_attendance() -> None:
    """The labs demo recorded attendance before any budget existed, so no allowance was created then."""
    missing = select(Attendance).join(User, User.id == Attendance.user_id).where(
        User.is_city_employee.is_(False),
        ~exists().where(Allowance.user_id == Attendance.user_id, Allowance.session_id == Attendance.session_id),
    ).order_by(Attendance.id)
    for attendance in db.session.scalars(missing):
        allowances.create_session_allowance(attendance)
    db.session.flush()


def _walk_through_every_state(resident: User, senior: User, staff: User) -> None:
    if db.session.scalar(select(exists().where(Allowance.status != AllowanceStatus.PENDING))):
        return
    theirs = list(db.session.scalars(select(Allowance).where(Allowance.user_id == senior.id)
                                     .order_by(Allowance.occurred_on, Allowance.id)))
    if len(theirs) < 5:
        return
    for person, bank, number in ((resident, "농협은행", "302-1234-5678-91"), (senior, "우체국", "012345-02-123456")):
        if payouts.bank_account_of(person.id) is None:
            payouts.save_bank_account(person, bank=bank, account_number=number, holder_name=person.display_name)
    residents_first = db.session.scalar(select(Allowance).where(Allowance.user_id == resident.id)
                                        .order_by(Allowance.id).limit(1))
    to_pay = [a for a in (residents_first, *theirs[:2]) if a is not None]
    for allowance in to_pay:
        _confirm(allowance)
        allowances.approve_allowance(allowance, staff)
    batch, _blocked = payouts.create_batch(staff)
    payouts.export_batch_csv(batch, staff)
    payouts.mark_batch_paid(batch, staff)
    _confirm(theirs[2])
    allowances.approve_allowance(theirs[2], staff)
    _confirm(theirs[3])
    allowances.reject_allowance(theirs[4], staff, REJECTION_REASON)
    db.session.flush()


def _confirm(allowance: Allowance) -> None:
    lab = db.session.get(Lab, allowance.programme_id)
    allowances.confirm_allowance(allowance, lab.facilitators[0])
