"""Allowances for attending members (제16조, 제18조) through the ledger: non-employees only, once per meeting."""
from datetime import date

import pytest
from sqlalchemy import select

from app.committees.models import MemberCategory
from app.committees.services import meetings, membership
from app.extensions import db
from app.ledger.models import Allowance, AllowanceKind, AllowanceStatus, ExpenseCategory, ProgrammeType
from app.ledger.services import allowances as allowance_services
from app.ledger.services import funds
from tests.committees.conftest import M


@pytest.fixture
def budgeted(staff, make_user):
    def factory(committee, amount=100_000, allocated=1_000_000):
        admin = make_user(["admin", "staff"], city_employee=True)
        funds.create_budget(programme_type=ProgrammeType.COMMITTEE, programme_id=committee.id,
                            fiscal_year=date.today().year, allocated_won=allocated, actor=admin)
        funds.set_allowance_rule(programme_type=ProgrammeType.COMMITTEE, programme_id=committee.id,
                                 amount_per_session_won=amount, monthly_cap_won=amount * 4 + 80_000, actor=admin)
        db.session.commit()
        return admin

    return factory


def _allowances(user_id=None):
    query = select(Allowance).order_by(Allowance.id)
    if user_id is not None:
        query = query.where(Allowance.user_id == user_id)
    return list(db.session.scalars(query))


def test_attending_members_get_the_meeting_allowance_and_travel_expenses(formed, make_user, held_meeting, budgeted):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    budgeted(committee)
    meeting = held_meeting(committee, members, present=members[:4])
    paid = _allowances(resident.id)
    assert [(a.kind, a.expense_category, a.amount_won) for a in paid] == [
        (AllowanceKind.SESSION, None, 100_000), (AllowanceKind.EXPENSE, ExpenseCategory.TRANSPORT, 20_000)]
    assert all(a.programme_type is ProgrammeType.COMMITTEE and a.programme_id == committee.id
               and a.committee_meeting_id == meeting.id and a.status is AllowanceStatus.PENDING for a in paid)


def test_city_employees_are_paid_nothing(formed, make_user, held_meeting, budgeted, staff):
    employee, flagged = make_user(city_employee=True), make_user()
    committee, members = formed(3, 3, users=[employee])
    budgeted(committee)
    members[1].user_id, members[1].is_city_employee = flagged.id, True
    db.session.commit()
    held_meeting(committee, members)
    assert _allowances() == []


def test_the_ex_officio_director_is_never_paid(formed, make_user, staff, held_meeting, budgeted):
    director_user = make_user()
    committee, members = formed(3, 3)
    director = membership.nominate_member(committee, staff, name="국장", gender=M, category=MemberCategory.EX_OFFICIO,
                                          user_id=director_user.id)
    from app.committees.services import today

    membership.appoint_members(committee, staff, [director.id], today())
    budgeted(committee)
    held_meeting(committee, [*members, director])
    assert _allowances(director_user.id) == []


def test_attendance_earns_once_per_member_and_meeting(formed, make_user, held_meeting, budgeted, staff):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    budgeted(committee)
    meeting = held_meeting(committee, members)
    assert meetings.record_attendance(meeting, staff, [members[0].id]) == 0
    db.session.commit()
    assert len(_allowances(resident.id)) == 2


def test_a_member_without_an_account_is_paid_once_linked(formed, make_user, held_meeting, budgeted, staff):
    committee, members = formed(3, 3)
    budgeted(committee)
    held_meeting(committee, members)
    assert _allowances() == []
    resident = make_user()
    membership.link_account(members[2], staff, resident.id)
    db.session.commit()
    assert len(_allowances(resident.id)) == 2


def test_without_a_budget_nothing_is_created(formed, make_user, held_meeting):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    held_meeting(committee, members)
    assert _allowances() == []


def test_committee_allowances_are_confirmed_and_approved_by_staff_within_the_budget(
        formed, make_user, held_meeting, budgeted, staff):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    admin = budgeted(committee, allocated=110_000)
    held_meeting(committee, members)
    session_allowance, travel = _allowances(resident.id)
    queue = list(db.session.scalars(allowance_services.confirmation_queue_query(staff)))
    assert {a.id for a in queue} == {session_allowance.id, travel.id}
    for allowance in (session_allowance, travel):
        allowance_services.confirm_allowance(allowance, staff)
    allowance_services.approve_allowance(session_allowance, admin)
    db.session.commit()
    with pytest.raises(Exception, match="budget"):
        allowance_services.approve_allowance(travel, admin)  # 10,000 won left for 20,000


def test_the_members_statement_names_the_meeting(client, login, formed, make_user, held_meeting, budgeted):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    budgeted(committee)
    meeting = held_meeting(committee, members)
    login(resident)
    assert meeting.title in client.get("/me/allowances").get_data(as_text=True)
    allowance = _allowances(resident.id)[0]
    page = client.get(f"/allowances/{allowance.id}").get_data(as_text=True)
    assert f"/committees/{committee.id}/meetings/{meeting.id}" in page
