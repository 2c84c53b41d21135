"""Membership by the ordinance: 15 seats, council members, the gender rule at its boundary, terms,
replacement, dismissal reasons, officers, accounts."""
from collections import Counter
from datetime import timedelta

import pytest

from app.committees import queries
from app.committees.models import (
    DISMISSAL_KOREAN,
    CommitteeOfficer,
    DismissalReason,
    MemberCategory,
    MemberStatus,
    Office,
    term_end,
)
from app.committees.rules import gender_change_refused, gender_excess
from app.committees.services import membership, today
from app.core import DomainError
from app.extensions import db
from tests.committees.conftest import F, M


def _nominate(committee, staff, gender=F, category=MemberCategory.EXPERT, **kwargs):
    return membership.nominate_member(committee, staff, name="새 위원", gender=gender, category=category, **kwargs)


def test_a_committee_is_formed_in_one_appointment_and_counts_its_members(formed):
    committee, members = formed(6, 5)
    assert queries.enrolled_count(committee.id, today()) == 11
    assert all(m.status is MemberStatus.ACTIVE and m.term_starts_on == today() for m in members)
    assert queries.appointed_gender_counts(committee.id, today()) == Counter({F: 6, M: 5})


def test_sixteenth_member_is_refused_with_the_counts(formed, staff):
    committee, _ = formed(8, 7)
    nominee = _nominate(committee, staff, M)
    with pytest.raises(DomainError) as refused:
        membership.appoint_members(committee, staff, [nominee.id], today())
    assert "15" in str(refused.value.message) and "16" in str(refused.value.message)
    db.session.rollback()
    assert queries.enrolled_count(committee.id, today()) == 15


def test_the_ex_officio_director_counts_towards_the_fifteen_but_not_the_gender_rule(formed, staff):
    committee, _ = formed(8, 6)
    director = _nominate(committee, staff, M, MemberCategory.EX_OFFICIO)
    membership.appoint_members(committee, staff, [director.id], today())
    assert director.term_ends_on is None and director.is_city_employee
    assert queries.enrolled_count(committee.id, today()) == 15
    assert queries.appointed_gender_counts(committee.id, today()) == Counter({F: 8, M: 6})
    second = _nominate(committee, staff, M, MemberCategory.EX_OFFICIO)
    db.session.commit()
    with pytest.raises(DomainError):
        membership.appoint_members(committee, staff, [second.id], today())


def test_six_of_ten_appointed_of_one_gender_is_allowed(formed, staff):
    committee, _ = formed(5, 4)
    nominee = _nominate(committee, staff, F)
    membership.appoint_members(committee, staff, [nominee.id], today())
    assert queries.appointed_gender_counts(committee.id, today()) == Counter({F: 6, M: 4})


def test_seven_of_eleven_is_refused_with_the_reason_and_the_counts(formed, staff):
    committee, _ = formed(6, 4)
    nominee = _nominate(committee, staff, F)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        membership.appoint_members(committee, staff, [nominee.id], today())
    message = str(refused.value.message)
    assert "6 in 10" in message and "7 of 11" in message and "women 7, men 4" in message
    db.session.rollback()
    assert db.session.get(type(nominee), nominee.id).status is MemberStatus.NOMINATED


def test_a_single_first_appointment_breaks_the_rule_but_a_balanced_slate_does_not(make_committee, staff):
    committee = make_committee()
    first = _nominate(committee, staff, F)
    with pytest.raises(DomainError):
        membership.appoint_members(committee, staff, [first.id], today())
    second = _nominate(committee, staff, M)
    membership.appoint_members(committee, staff, [first.id, second.id], today())
    assert queries.enrolled_count(committee.id, today()) == 2


def test_a_dismissal_that_would_break_the_rule_is_refused_unless_a_replacement_comes_with_it(formed, staff):
    committee, members = formed(6, 4)
    man = members[6]
    with pytest.raises(DomainError) as refused:
        membership.dismiss_member(man, staff, reason=DismissalReason.OWN_REQUEST, note="")
    assert "6 of 9" in str(refused.value.message)
    db.session.rollback()
    man = db.session.get(type(man), man.id)
    replacement = _nominate(committee, staff, M, replaces_id=man.id)
    membership.dismiss_member(man, staff, reason=DismissalReason.OWN_REQUEST, note="사임 의사",
                              replacement_id=replacement.id)
    assert man.status is MemberStatus.DISMISSED and replacement.status is MemberStatus.ACTIVE
    assert replacement.term_ends_on == man.term_ends_on and replacement.term_starts_on == today()


@pytest.mark.parametrize("before, after, refused", [
    ({F: 5, M: 4}, {F: 6, M: 4}, False),  # 6/10 = 0.6: allowed
    ({F: 6, M: 4}, {F: 7, M: 4}, True),  # 7/11 > 0.6
    ({F: 3, M: 2}, {F: 3, M: 1}, True),  # 3/4 after a dismissal
    ({F: 3, M: 0}, {F: 3, M: 1}, False),  # already outside the rule (terms ran out): a move towards it is fine
    ({F: 3, M: 1}, {F: 4, M: 1}, True),  # ... a move further away is not
    ({}, {F: 1}, True),
    ({}, {F: 1, M: 1}, False),
])
def test_gender_rule_arithmetic(before, after, refused):
    assert (gender_change_refused(Counter(before), Counter(after)) is not None) is refused


def test_gender_excess_reports_the_gender_and_counts():
    assert gender_excess(Counter({F: 7, M: 4})) == (F, 7, 11)
    assert gender_excess(Counter({F: 6, M: 4})) is None


def test_at_most_two_council_members(formed, staff):
    committee, _ = formed(4, 4)
    council = [_nominate(committee, staff, g, MemberCategory.COUNCIL) for g in (F, M, M)]
    membership.appoint_members(committee, staff, [c.id for c in council[:2]], today())
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        membership.appoint_members(committee, staff, [council[2].id], today())
    assert "council" in str(refused.value.message)


def test_a_term_is_two_years_and_renews_once(formed, staff):
    committee, members = formed(3, 3)
    member = members[0]
    assert member.term_ends_on == term_end(today()) == today().replace(year=today().year + 2) - timedelta(days=1) \
        or today().month == 2 and today().day == 29
    first_end = member.term_ends_on
    membership.renew_member(member, staff)
    assert member.renewals == 1 and member.term_ends_on == term_end(first_end + timedelta(days=1))
    with pytest.raises(DomainError) as refused:
        membership.renew_member(member, staff)
    assert "only one" in str(refused.value.message)


def test_term_end_on_leap_day():
    from datetime import date

    assert term_end(date(2024, 2, 29)) == date(2026, 2, 28)
    assert term_end(date(2025, 3, 1)) == date(2027, 2, 28)


def test_a_replacement_serves_the_rest_of_the_term_and_may_renew_once(formed, staff):
    start = today() - timedelta(days=400)
    committee, members = formed(3, 3, starts_on=start)
    leaving = members[0]
    membership.dismiss_member(leaving, staff, reason=DismissalReason.INCAPACITY, note="")
    replacement = _nominate(committee, staff, F, replaces_id=leaving.id)
    membership.appoint_members(committee, staff, [replacement.id], today())
    assert replacement.term_starts_on == today() and replacement.term_ends_on == term_end(start)
    assert replacement.predecessor_id == leaving.id
    with pytest.raises(DomainError):  # one replacement per seat
        _nominate(committee, staff, F, replaces_id=leaving.id)
    membership.renew_member(replacement, staff)
    assert replacement.term_ends_on == term_end(term_end(start) + timedelta(days=1))


def test_no_replacement_for_a_term_that_is_over(formed, staff):
    committee, members = formed(3, 3, starts_on=today() - timedelta(days=800))
    assert queries.enrolled_count(committee.id, today()) == 0  # the terms ran out
    with pytest.raises(DomainError) as refused:
        _nominate(committee, staff, F, replaces_id=members[0].id)
    assert "full term" in str(refused.value.message)
    ended = membership.end_expired_terms(committee, staff)
    assert len(ended) == 6 and all(m.status is MemberStatus.ENDED for m in ended)


def test_a_replacement_cannot_start_while_the_predecessor_serves(formed, staff):
    committee, members = formed(3, 3)
    replacement = _nominate(committee, staff, F, replaces_id=members[0].id)
    with pytest.raises(DomainError) as refused:
        membership.appoint_members(committee, staff, [replacement.id], today())
    assert "still serves" in str(refused.value.message)


def test_expiring_terms_show_sixty_days_ahead(formed, staff):
    committee, members = formed(3, 3)
    members[0].term_ends_on = today() + timedelta(days=60)
    members[1].term_ends_on = today() + timedelta(days=61)
    members[2].term_ends_on = today()
    db.session.commit()
    expiring = list(db.session.scalars(queries.expiring_terms_query(committee.id, today())))
    assert [m.id for m in expiring] == [members[2].id, members[0].id]


def test_dismissal_records_the_article_14_reason_who_and_when(formed, staff):
    committee, members = formed(3, 3)
    member = members[0]
    membership.dismiss_member(member, staff, reason=DismissalReason.MISCONDUCT, note="회의 자료 유출")
    assert member.status is MemberStatus.DISMISSED and member.dismissal_reason is DismissalReason.MISCONDUCT
    assert member.dismissed_by_id == staff.id and member.dismissed_at is not None and member.left_on == today()
    with pytest.raises(DomainError):
        membership.dismiss_member(member, staff, reason=DismissalReason.MISCONDUCT, note="")


def test_the_five_dismissal_reasons_are_the_ordinances_words():
    assert [r.value for r in DismissalReason] == ["incapacity", "unfit", "misconduct", "own_request",
                                                  "failed_to_recuse"]
    assert DISMISSAL_KOREAN[DismissalReason.INCAPACITY] == "심신장애로 직무를 수행할 수 없게 된 경우"
    assert DISMISSAL_KOREAN[DismissalReason.FAILED_TO_RECUSE] == \
        "제13조제1항 각 호에 해당하는데도 불구하고 회피하지 않은 경우"
    assert all(str(r.label).startswith(f"Art. 14-{n}") for n, r in enumerate(DismissalReason, start=1))


def test_officers_are_elected_with_quorum_and_majority_and_leave_with_their_seat(formed, staff):
    committee, members = formed(3, 3)
    with pytest.raises(DomainError, match="No quorum"):
        membership.elect_officer(committee, staff, office=Office.CHAIR, member_id=members[0].id,
                                 elected_on=today(), present=3, votes_for=3)
    with pytest.raises(DomainError, match="Not elected"):
        membership.elect_officer(committee, staff, office=Office.CHAIR, member_id=members[0].id,
                                 elected_on=today(), present=4, votes_for=2)
    membership.elect_officer(committee, staff, office=Office.CHAIR, member_id=members[0].id,
                             elected_on=today(), present=4, votes_for=3)
    with pytest.raises(DomainError, match="other office"):
        membership.elect_officer(committee, staff, office=Office.VICE_CHAIR, member_id=members[0].id,
                                 elected_on=today(), present=4, votes_for=3)
    membership.elect_officer(committee, staff, office=Office.VICE_CHAIR, member_id=members[3].id,
                             elected_on=today(), present=4, votes_for=3)
    assert set(queries.officers(committee.id, today())) == {Office.CHAIR, Office.VICE_CHAIR}
    replacement = _nominate(committee, staff, F, replaces_id=members[0].id)
    membership.dismiss_member(members[0], staff, reason=DismissalReason.OWN_REQUEST, note="",
                              replacement_id=replacement.id)
    assert db.session.get(CommitteeOfficer, (committee.id, Office.CHAIR)) is None


def test_members_with_and_without_an_account(formed, staff, make_user):
    resident = make_user()
    committee, members = formed(3, 3, users=[resident])
    assert members[0].user_id == resident.id and members[1].user_id is None
    with pytest.raises(DomainError, match="already holds"):
        _nominate(committee, staff, F, user_id=resident.id)
    other = make_user()
    membership.link_account(members[1], staff, other.id)
    assert members[1].user_id == other.id
    employee = make_user(city_employee=True)
    linked = _nominate(committee, staff, M, user_id=employee.id)
    assert linked.is_city_employee


def test_cli_marks_ended_terms(runner, formed):
    formed(3, 3, starts_on=today() - timedelta(days=800))
    result = runner.invoke(args=["committees", "end-terms"])
    assert result.exit_code == 0 and "6 member(s) marked as ended" in result.output
    assert runner.invoke(args=["committees", "end-terms"]).output.strip() == "0 member(s) marked as ended"
