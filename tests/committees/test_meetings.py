"""Meetings by the ordinance: the 1/3 call rule, quorum and majority with recusals, challenges, publication."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.committees.models import (
    CallBasis,
    ItemOutcome,
    MeetingStatus,
    RecusalGround,
    RecusalKind,
    RecusalStatus,
    RequestStatus,
    VoteChoice,
)
from app.committees.rules import Tally, call_threshold_met, signatures_needed
from app.committees.services import deliberation, meetings
from app.core import DomainError, utcnow
from app.extensions import db
from app.notifications.models import Notification

FOR, AGAINST, ABSTAIN = VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN


@pytest.mark.parametrize("enrolled, needed", [(9, 3), (10, 4), (12, 4), (13, 5), (15, 5), (1, 1)])
def test_a_third_of_the_members(enrolled, needed):
    assert signatures_needed(enrolled) == needed
    assert call_threshold_met(needed, enrolled) and not call_threshold_met(needed - 1, enrolled)


def test_the_request_is_due_when_the_third_signature_arrives(formed, make_user, with_chair):
    users = [make_user() for _ in range(4)]
    committee, members = formed(5, 4, users=users)
    with_chair(committee, members[0])
    request = meetings.create_request(committee, users[1], "스마트 가로등 사업 점검")
    assert request.status is RequestStatus.OPEN and request.signature_count == 1
    meetings.sign_request(request, users[2])
    assert request.status is RequestStatus.OPEN
    db.session.commit()
    meetings.sign_request(request, users[3])
    assert request.status is RequestStatus.DUE and request.enrolled_when_due == 9 and request.due_at is not None
    chair_told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == users[0].id, Notification.kind == "committee_request_due"))
    assert chair_told == 1
    with pytest.raises(DomainError, match="no longer collecting"):
        meetings.sign_request(request, users[0])


def test_signing_twice_or_as_a_non_member_is_refused(formed, make_user):
    users = [make_user() for _ in range(2)]
    committee, _ = formed(5, 5, users=users)
    request = meetings.create_request(committee, users[0], "안건")
    db.session.commit()
    with pytest.raises(DomainError, match="signed this request already"):
        meetings.sign_request(request, users[0])
    db.session.rollback()
    with pytest.raises(DomainError, match="serving member") as refused:
        meetings.sign_request(request, make_user())
    assert refused.value.status == 403


def test_a_meeting_on_the_members_request_needs_a_due_request(formed, make_user, staff, with_chair):
    users = [make_user() for _ in range(3)]
    committee, members = formed(5, 4, users=users)
    with_chair(committee, members[0])
    request = meetings.create_request(committee, users[0], "안건")
    db.session.commit()
    starts = utcnow() + timedelta(days=7)
    with pytest.raises(DomainError, match="third of the members"):
        meetings.call_meeting(committee, staff, title="임시회", starts_at=starts, place="회의실",
                              basis=CallBasis.MEMBERS_REQUEST, request_id=request.id)
    db.session.rollback()
    for user in users[1:]:
        meetings.sign_request(request, user)
    meeting = meetings.call_meeting(committee, staff, title="임시회", starts_at=starts, place="회의실",
                                    basis=CallBasis.MEMBERS_REQUEST, request_id=request.id)
    assert request.status is RequestStatus.CONVENED and meeting.request_id == request.id
    meetings.cancel_meeting(meeting, staff, "장소 사정")
    assert request.status is RequestStatus.DUE  # still owed a meeting


def test_the_chair_calls_meetings_and_without_a_chair_nobody_can(formed, staff, with_chair):
    committee, members = formed(3, 3)
    with pytest.raises(DomainError, match="no chair or vice-chair"):
        meetings.call_meeting(committee, staff, title="정기회", starts_at=utcnow() + timedelta(days=1),
                              place="회의실", basis=CallBasis.CHAIR)
    with_chair(committee, members[0])
    with pytest.raises(DomainError, match="future"):
        meetings.call_meeting(committee, staff, title="정기회", starts_at=utcnow() - timedelta(days=1),
                              place="회의실", basis=CallBasis.CHAIR)


def test_meeting_lifecycle_transitions(formed, staff, held_meeting):
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members)
    assert meeting.status is MeetingStatus.HELD and meeting.enrolled_count == 6
    with pytest.raises(DomainError):
        meeting.move_to(MeetingStatus.SCHEDULED)
    with pytest.raises(DomainError):
        meetings.cancel_meeting(meeting, staff, "취소")


@pytest.mark.parametrize("enrolled, present, votes, passed", [
    (9, 5, (3, 1, 1), True),
    (9, 5, (2, 1, 2), False),  # abstentions count: 2 of 5 present is not a majority
    (9, 6, (3, 3, 0), False),  # a tie fails
    (9, 4, (4, 0, 0), False),  # no quorum: 4 of 9
    (10, 6, (4, 2, 0), True),
])
def test_tally(enrolled, present, votes, passed):
    assert Tally(enrolled, present, *votes).passed is passed


def test_quorum_and_majority_count_without_the_recused_member(formed, staff, held_meeting):
    committee, members = formed(5, 4)  # 9 enrolled
    meeting = held_meeting(committee, members, present=members[:5], items=2)  # 5 present: quorum
    first, second = meeting.items
    deliberation.record_recusal(first, staff, member_id=members[0].id, kind=RecusalKind.SELF,
                                ground=RecusalGround.ADVISED, reason="해당 용역 수행")
    db.session.commit()
    tally = deliberation.item_tally(first)
    assert (tally.enrolled, tally.present, tally.has_quorum) == (8, 4, False)  # 4 of 8 is not a majority
    with pytest.raises(DomainError, match="No quorum for this item: 4 of the 8"):
        deliberation.record_votes(first, staff, {m.id: FOR for m in members[1:5]})
    db.session.rollback()
    deliberation.close_item(first, staff, outcome=ItemOutcome.NO_QUORUM, note="")
    assert first.outcome is ItemOutcome.NO_QUORUM
    # The second item has everyone present: 5 of 9; 3 for, 1 against, 1 abstain passes (3 > 5/2).
    deliberation.record_votes(second, staff, {members[0].id: FOR, members[1].id: FOR, members[2].id: FOR,
                                              members[3].id: AGAINST, members[4].id: ABSTAIN}, "원안 의결")
    assert second.outcome is ItemOutcome.PASSED
    assert (second.votes_for, second.votes_against, second.votes_abstain) == (3, 1, 1)
    assert (second.eligible_present, second.eligible_enrolled) == (5, 9)


def test_a_recused_member_neither_counts_nor_votes(formed, staff, held_meeting):
    committee, members = formed(5, 4)
    meeting = held_meeting(committee, members, present=members[:7])
    item = meeting.items[0]
    deliberation.record_recusal(item, staff, member_id=members[0].id, kind=RecusalKind.EXCLUSION,
                                ground=RecusalGround.RELATIVE, reason="신청인의 친족")
    db.session.commit()
    votes = {m.id: FOR for m in members[:7]}
    with pytest.raises(DomainError, match="recused"):
        deliberation.record_votes(item, staff, votes)
    db.session.rollback()
    votes.pop(members[0].id)
    votes[members[8].id] = FOR
    with pytest.raises(DomainError, match="did not attend"):
        deliberation.record_votes(item, staff, votes)
    db.session.rollback()
    votes.pop(members[8].id)
    votes.pop(members[1].id)
    with pytest.raises(DomainError, match="Missing"):
        deliberation.record_votes(item, staff, votes)
    db.session.rollback()
    votes = {members[1].id: FOR, members[2].id: FOR, members[3].id: FOR, members[4].id: AGAINST,
             members[5].id: AGAINST, members[6].id: AGAINST}
    deliberation.record_votes(item, staff, votes)
    assert item.outcome is ItemOutcome.REJECTED  # 3 of 6 eligible present is not more than half
    assert (item.eligible_present, item.eligible_enrolled) == (6, 8)


def test_exclusion_and_stepping_aside_need_a_ground_and_a_reason(formed, staff, held_meeting):
    committee, members = formed(3, 3)
    item = held_meeting(committee, members).items[0]
    with pytest.raises(DomainError, match="ground"):
        deliberation.record_recusal(item, staff, member_id=members[0].id, kind=RecusalKind.EXCLUSION, reason="x")
    with pytest.raises(DomainError, match="reason"):
        deliberation.record_recusal(item, staff, member_id=members[0].id, kind=RecusalKind.SELF,
                                    ground=RecusalGround.PARTY, reason=" ")


def test_a_challenge_is_decided_by_the_committee_without_the_challenged_member(formed, staff, held_meeting):
    committee, members = formed(5, 4)
    meeting = held_meeting(committee, members, present=members[:6])
    item = meeting.items[0]
    challenge = deliberation.record_recusal(item, staff, member_id=members[0].id, kind=RecusalKind.CHALLENGE,
                                            challenged_by="제안자 홍길동", reason="사업 수주 업체 자문")
    assert challenge.status is RecusalStatus.PENDING and not challenge.excludes
    db.session.commit()
    with pytest.raises(DomainError, match="challenge"):
        deliberation.record_votes(item, staff, {m.id: FOR for m in members[:6]})
    db.session.rollback()
    with pytest.raises(DomainError, match="At most 5"):
        deliberation.decide_challenge(challenge, staff, votes_for=6)
    db.session.rollback()
    deliberation.decide_challenge(challenge, staff, votes_for=3)  # 3 of the 5 others present: upheld
    assert challenge.status is RecusalStatus.EFFECTIVE and challenge.decision_present == 5
    deliberation.record_votes(item, staff, {m.id: FOR for m in members[1:6]})
    assert item.outcome is ItemOutcome.PASSED and item.eligible_enrolled == 8


def test_a_rejected_challenge_leaves_the_member_in(formed, staff, held_meeting):
    committee, members = formed(5, 4)
    item = held_meeting(committee, members, present=members[:6]).items[0]
    challenge = deliberation.record_recusal(item, staff, member_id=members[0].id, kind=RecusalKind.CHALLENGE,
                                            challenged_by="당사자", reason="공정성 우려")
    deliberation.decide_challenge(challenge, staff, votes_for=2)  # 2 of 5 is not a majority
    assert challenge.status is RecusalStatus.REJECTED
    deliberation.record_votes(item, staff, {m.id: FOR for m in members[:6]})
    assert item.eligible_present == 6


def test_publication_needs_minutes_results_and_attendance(formed, staff, held_meeting):
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members)
    with pytest.raises(DomainError, match="minutes"):
        meetings.publish_meeting(meeting, staff)
    meetings.save_minutes(meeting, staff, "회의록")
    db.session.commit()
    with pytest.raises(DomainError, match="every agenda item"):
        meetings.publish_meeting(meeting, staff)
    deliberation.close_item(meeting.items[0], staff, outcome=ItemOutcome.DISCUSSED, note="자문 의견")
    meetings.publish_meeting(meeting, staff)
    assert meeting.status is MeetingStatus.PUBLISHED and meeting.published_by_id == staff.id
    with pytest.raises(DomainError):
        meetings.save_minutes(meeting, staff, "고침")


def test_attendance_only_for_serving_members_and_only_when_held(formed, staff, held_meeting, make_committee):
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members, present=[])
    other, other_members = formed(3, 3)
    with pytest.raises(DomainError, match="serving"):
        meetings.record_attendance(meeting, staff, [other_members[0].id])
    assert meetings.record_attendance(meeting, staff, [members[0].id]) == 1
    assert meetings.record_attendance(meeting, staff, [members[0].id, members[1].id]) == 1


def test_the_vice_chair_acts_while_the_chairs_office_is_vacant(formed, make_user, staff):
    from app.committees.models import DismissalReason, Office
    from app.committees.services import membership, today
    from app.committees.views import chair_seat

    users = [make_user() for _ in range(2)]
    committee, members = formed(3, 3, users=users)
    for office, member in ((Office.CHAIR, members[0]), (Office.VICE_CHAIR, members[1])):
        membership.elect_officer(committee, staff, office=office, member_id=member.id, elected_on=today(),
                                 present=6, votes_for=4)
    assert chair_seat(committee).id == members[0].id
    replacement = membership.nominate_member(committee, staff, name="후임", gender=members[0].gender,
                                             category=members[0].category, replaces_id=members[0].id)
    membership.dismiss_member(members[0], staff, reason=DismissalReason.OWN_REQUEST, note="",
                              replacement_id=replacement.id)
    assert chair_seat(committee).id == members[1].id
    meeting = meetings.call_meeting(committee, users[1], title="부위원장 소집", place="회의실",
                                    starts_at=utcnow() + timedelta(days=1), basis=CallBasis.CHAIR)
    assert meeting.called_by_id == users[1].id


def test_an_item_added_after_the_agenda_was_read_still_blocks_publication(formed, staff, held_meeting):
    committee, members = formed(3, 3)
    meeting = held_meeting(committee, members)
    deliberation.close_item(meeting.items[0], staff, outcome=ItemOutcome.DISCUSSED, note="자문")
    meetings.add_item(meeting, staff, title="추가 안건")
    meetings.save_minutes(meeting, staff, "회의록")
    with pytest.raises(DomainError, match="추가 안건"):
        meetings.publish_meeting(meeting, staff)
