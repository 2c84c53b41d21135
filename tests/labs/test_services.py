from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core import DomainError, utcnow
from app.extensions import db
from app.labs.services import labs as services
from app.labs.services import sessions as session_services
from app.labs.models import Attendance, GateNotMet, LabMode, LabStage, LabStageChange, MemberGroup, MembershipStatus
from app.labs.signals import attendance_recorded, lab_closed
from app.notifications.models import Notification


def _notifications(user, kind):
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind))


def test_creator_becomes_facilitator_and_city_commissioned_needs_a_proposal(make_user):
    facilitator = make_user(roles=["facilitator"])
    today = date.today()
    with pytest.raises(DomainError) as error:
        services.create_lab(facilitator, title="주차 문제", summary="주차 공간이 부족합니다 " * 3,
                            mode=LabMode.CITY_COMMISSIONED, district="baebang", capacity=5,
                            recruitment_deadline=today, starts_on=today, ends_on=today)
    assert error.value.field == "proposal_ids"
    lab = services.create_lab(facilitator, title="주차 문제", summary="주차 공간이 부족합니다 " * 3,
                              mode=LabMode.RESIDENT_LED, district="baebang", capacity=5,
                              recruitment_deadline=today, starts_on=today, ends_on=today)
    assert lab.is_facilitator(facilitator)
    assert lab.stage is LabStage.PROBLEM and lab.stage.number == 1


def test_full_lab_waitlists_and_moves_up_when_a_member_leaves(make_lab, make_user):
    lab = make_lab(capacity=1)
    facilitator = lab.facilitators[0]
    first, second = make_user(), make_user()
    a = services.apply(lab, first, motivation="함께하고 싶습니다 정말로", group=MemberGroup.CITIZEN, today=date.today())
    b = services.apply(lab, second, motivation="전문가로 돕겠습니다 꼭이요", group=MemberGroup.EXPERT, today=date.today())
    services.decide_application(a, facilitator, accept=True)
    services.decide_application(b, facilitator, accept=True)
    db.session.commit()
    assert a.status is MembershipStatus.ACCEPTED
    assert b.status is MembershipStatus.WAITLISTED
    assert _notifications(second, "lab_application_waitlisted") == 1

    promoted = services.leave(a, first)
    db.session.commit()
    assert promoted.id == b.id and b.status is MembershipStatus.ACCEPTED
    assert _notifications(second, "lab_waitlist_moved_up") == 1
    assert lab.is_member(second) and not lab.is_member(first)


def test_applications_close_after_the_deadline_and_facilitators_cannot_apply(make_lab, make_user):
    lab = make_lab(deadline_days=-1)
    with pytest.raises(DomainError) as error:
        services.apply(lab, make_user(), motivation="늦었지만 참여하고 싶어요", group=MemberGroup.CITIZEN,
                       today=date.today())
    assert "마감" in str(error.value.message)
    open_lab = make_lab()
    with pytest.raises(DomainError):
        services.apply(open_lab, open_lab.facilitators[0], motivation="제 랩에 지원합니다 테스트",
                       group=MemberGroup.CITIZEN, today=date.today())


def test_short_motivation_is_refused(make_lab, make_user):
    lab = make_lab()
    with pytest.raises(DomainError) as error:
        services.apply(lab, make_user(), motivation="짧음", group=MemberGroup.CITIZEN, today=date.today())
    assert error.value.field == "motivation"


def test_gate_lists_everything_missing_then_lets_the_lab_through_all_stages(make_lab, fulfil_gate, add_member):
    lab = make_lab()
    facilitator = lab.facilitators[0]
    member = add_member(lab)
    with pytest.raises(GateNotMet) as blocked:
        services.advance_stage(lab, facilitator)
    assert len(blocked.value.missing) == 3
    db.session.rollback()

    closed = []
    lab_closed.connect(closed.append, weak=False)
    try:
        for expected in (LabStage.PLANNING, LabStage.PROTOTYPING, LabStage.REVIEW, LabStage.SHARING, LabStage.CLOSED):
            fulfil_gate(lab)
            services.advance_stage(lab, facilitator)
            db.session.commit()
            assert lab.stage is expected
    finally:
        lab_closed.disconnect(closed.append)
    assert closed == [lab] and lab.closed_at is not None
    changes = db.session.scalars(select(LabStageChange).where(LabStageChange.lab_id == lab.id)).all()
    assert len(changes) == 6  # creation + five moves
    assert _notifications(member, "lab_stage_changed") == 4
    assert _notifications(member, "lab_closed") == 1


def test_moving_back_needs_a_reason(make_lab):
    lab = make_lab(stage=LabStage.PLANNING)
    facilitator = lab.facilitators[0]
    with pytest.raises(DomainError) as error:
        services.move_back(lab, facilitator, "  ")
    assert error.value.field == "reason"
    services.move_back(lab, facilitator, "문제 정의를 다시 합니다")
    db.session.commit()
    assert lab.stage is LabStage.PROBLEM
    assert services.timeline(lab)[-1].reason == "문제 정의를 다시 합니다"


def _session(lab, starts_in_minutes=0, minutes=120):
    starts = utcnow() + timedelta(minutes=starts_in_minutes)
    session = session_services.create_session(lab, lab.facilitators[0], title="첫 모임", starts_at=starts,
                                              ends_at=starts + timedelta(minutes=minutes), place="온양1동 주민센터")
    db.session.commit()
    return session


def test_check_in_codes_are_unambiguous():
    codes = {session_services.new_checkin_code() for _ in range(200)}
    assert all(len(c) == 6 and not set(c) & set("01OIL") for c in codes)
    assert len(codes) > 190


def test_check_in_is_idempotent_and_signals_once(make_lab, add_member):
    lab = make_lab()
    member = add_member(lab)
    session = _session(lab)
    received = []
    attendance_recorded.connect(received.append, weak=False)
    try:
        first, created = session_services.check_in(session, member, session.checkin_code.lower())
        again, created_again = session_services.check_in(session, member, session.checkin_code)
        db.session.commit()
    finally:
        attendance_recorded.disconnect(received.append)
    assert created and not created_again and first.id == again.id
    assert received == [first]
    assert first.recorded_by_id == member.id and first.method.value == "checkin"
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
    audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "lab.attendance")
    assert db.session.scalar(audited) == 1


def test_check_in_refuses_wrong_code_outside_window_and_non_members(make_lab, add_member, make_user):
    lab = make_lab()
    member = add_member(lab)
    session = _session(lab, starts_in_minutes=30)
    with pytest.raises(DomainError) as early:
        session_services.check_in(session, member, session.checkin_code)
    assert "15분" in str(early.value.message)
    now_open = session.starts_at - timedelta(minutes=15)
    with pytest.raises(DomainError) as wrong:
        session_services.check_in(session, member, "ZZZZZZ" if session.checkin_code != "ZZZZZZ" else "YYYYYY",
                                  now=now_open)
    assert wrong.value.field == "code"
    with pytest.raises(DomainError):
        session_services.check_in(session, make_user(), session.checkin_code, now=now_open)
    with pytest.raises(DomainError):
        session_services.check_in(session, member, session.checkin_code, now=session.ends_at + timedelta(seconds=1))
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_facilitator_records_attendance_once(make_lab, add_member):
    lab = make_lab()
    member = add_member(lab)
    session = _session(lab)
    facilitator = lab.facilitators[0]
    _, created = session_services.record_attendance(session, member.id, facilitator)
    _, again = session_services.record_attendance(session, member.id, facilitator)
    db.session.commit()
    assert created and not again
    record = db.session.scalar(select(Attendance))
    assert record.recorded_by_id == facilitator.id and record.method.value == "facilitator"


def test_session_needs_exactly_one_of_place_and_link(make_lab):
    lab = make_lab()
    starts = utcnow()
    for place, url in ((None, None), ("주민센터", "https://meet.example.kr/a")):
        with pytest.raises(DomainError):
            session_services.create_session(lab, lab.facilitators[0], title="모임", starts_at=starts,
                                            ends_at=starts + timedelta(hours=1), place=place, meeting_url=url)
