from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.certificates import services
from app.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    grouped_code,
    new_verification_code,
    normalize_code,
)
from app.core import DomainError
from app.extensions import db
from app.notifications.models import Notification
from tests.certificates.conftest import NOW

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("name, masked", [
    ("홍길동", "홍*동"), ("김철", "김*"), ("남궁민수", "남**수"), ("이", "이"),
    ("John Smith", "J**n S***h"), ("Al", "A*"),
])
def test_names_are_masked_keeping_first_and_last_letters(name, masked):
    assert services.mask_name(name) == masked


def test_verification_codes_are_long_random_and_forgiving_to_type():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert len(code) == 32  # 160 random bits in base32
    typed = grouped_code(code).lower().replace("-", " - ")
    assert normalize_code(typed) == code
    assert normalize_code("ABCD-0000-1111") == "ABCDOOOOIIII"


def standing_by_name(lab, name):
    return next(s for s in services.standings(lab, NOW) if s.member.display_name == name)


def test_member_with_enough_attendance_in_a_lab_closed_after_stage_five_is_eligible(make_lab, make_user):
    steady, absent = make_user(display_name="홍길동"), make_user(display_name="박영희")
    lab = make_lab({steady: 4, absent: 3}, sessions=5)
    good = standing_by_name(lab, "홍길동")
    assert good.eligible and good.attended == 4 and good.held == 5 and good.attendance_percent == 80
    assert good.attended_minutes == 90 + 3 * 120
    weak = standing_by_name(lab, "박영희")
    assert not weak.eligible
    assert [str(r) for r in weak.reasons] == ["Attended 3 of 5 sessions (60%); the rule asks for at least 80%."]


def test_a_lab_that_is_not_closed_gives_no_completion_certificate(make_lab, make_user):
    member = make_user(display_name="홍길동")
    lab = make_lab({member: 5}, closed=False)
    assert [str(r) for r in standing_by_name(lab, "홍길동").reasons] == [
        "The lab has not been closed after its fifth stage."]


def test_sessions_not_yet_held_do_not_count(make_lab, make_user):
    member = make_user(display_name="홍길동")
    lab = make_lab({member: 4}, sessions=4, upcoming=2)
    standing = standing_by_name(lab, "홍길동")
    assert (standing.held, standing.attended, standing.eligible) == (4, 4, True)


def test_the_rule_is_configurable_per_lab(make_lab, make_user):
    member, facilitator = make_user(display_name="홍길동"), make_user(roles=["facilitator"])
    lab = make_lab({member: 3}, closed=False, facilitator=facilitator)
    services.set_completion_rule(lab, facilitator, min_attendance_percent=60, require_closed=False)
    db.session.commit()
    assert standing_by_name(lab, "홍길동").eligible
    with pytest.raises(DomainError):
        services.set_completion_rule(lab, facilitator, min_attendance_percent=101, require_closed=True)


def test_issuing_to_the_eligible_twice_issues_each_certificate_once(make_lab, make_user):
    facilitator = make_user(roles=["facilitator"])
    steady, absent = make_user(display_name="홍길동"), make_user(display_name="박영희")
    lab = make_lab({steady: 5, absent: 1}, facilitator=facilitator)

    first = services.issue_to_eligible(lab, facilitator, NOW)
    db.session.commit()
    assert [c.holder_name for c in first.issued] == ["홍길동"]
    certificate = first.issued[0]
    assert (certificate.kind, certificate.status, certificate.attended_minutes) == (
        CertificateKind.COMPLETION, CertificateStatus.VALID, 90 + 4 * 120)
    assert (certificate.period_start, certificate.period_end) == (lab.starts_on, lab.ends_on)
    assert certificate.issuer_organisation == "아산시"
    assert [s.member.display_name for s in first.not_issued] == ["박영희"]

    second = services.issue_to_eligible(lab, facilitator, NOW)
    db.session.commit()
    assert second.issued == []
    assert {s.member.display_name: [str(r) for r in s.reasons] for s in second.not_issued} == {
        "홍길동": ["Already holds a certificate of completion for this lab."],
        "박영희": ["Attended 1 of 5 sessions (20%); the rule asks for at least 80%."],
    }
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == steady.id, Notification.kind == "certificate_completion_issued")) == 1


def test_the_database_refuses_a_second_valid_certificate_of_a_kind(make_lab, make_user):
    facilitator, member = make_user(roles=["facilitator"]), make_user()
    lab = make_lab({member: 5}, facilitator=facilitator)
    original = services.issue_to_eligible(lab, facilitator, NOW).issued[0]
    db.session.commit()
    duplicate = Certificate(kind=CertificateKind.COMPLETION, lab_id=lab.id, holder_id=member.id, holder_name="x",
                            lab_title="x", period_start=lab.starts_on, period_end=lab.ends_on, attended_minutes=0,
                            issuer_id=facilitator.id, issuer_organisation="x", issued_at=NOW)
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Once revoked, the batch never gives it back; staff may issue a new one by hand, saying why.
    services.revoke_certificate(db.session.get(Certificate, original.id), facilitator, "잘못 발급됨")
    batch = services.issue_to_eligible(lab, facilitator, NOW)
    assert batch.issued == [] and [s.member.id for s in batch.skipped_revoked] == [member.id]
    assert batch.skipped_revoked[0].revoked_completion.id == original.id
    reissued = services.issue_by_hand(lab, member, make_user(roles=["staff"]), "재발급 승인", NOW)
    db.session.commit()
    assert reissued.id != original.id
    standing = services.standing_of(lab, member, NOW)
    assert standing.completion.id == reissued.id and standing.revoked_completion is None


def test_staff_issue_by_hand_with_a_reason_that_is_audited(make_lab, make_user):
    staff, member = make_user(roles=["staff"]), make_user(display_name="홍길동")
    lab = make_lab({member: 2})
    with pytest.raises(DomainError) as refused:
        services.issue_by_hand(lab, member, staff, "   ", NOW)
    assert refused.value.field == "reason"
    certificate = services.issue_by_hand(lab, member, staff, "병가로 인한 결석 인정", NOW)
    db.session.commit()
    assert certificate.manual_reason == "병가로 인한 결석 인정"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.issue"))
    assert entry.actor_id == staff.id and entry.details["manual_reason"] == "병가로 인한 결석 인정"
    with pytest.raises(DomainError):
        services.issue_by_hand(lab, member, staff, "두 번째", NOW)


def test_only_accepted_members_receive_certificates(make_lab, make_user):
    staff, outsider = make_user(roles=["staff"]), make_user()
    lab = make_lab({make_user(): 5})
    with pytest.raises(DomainError) as refused:
        services.issue_by_hand(lab, outsider, staff, "사유", NOW)
    assert refused.value.field == "user_id"
    with pytest.raises(DomainError):
        services.issue_participation(lab, outsider, staff, NOW)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_participation_certificate_states_attended_hours_and_dates(make_lab, make_user):
    facilitator, member = make_user(roles=["facilitator"]), make_user()
    lab = make_lab({member: 3}, closed=False, facilitator=facilitator)
    certificate = services.issue_participation(lab, member, facilitator, NOW)
    db.session.commit()
    assert certificate.kind is CertificateKind.PARTICIPATION
    assert certificate.attended_minutes == 90 + 2 * 120 and certificate.hours == 5.5
    first_day = (NOW - timedelta(days=6, hours=2) + timedelta(hours=9)).date()  # Seoul is UTC+9
    assert certificate.period_start == first_day
    assert certificate.period_end == first_day + timedelta(days=2)


def test_a_newer_participation_certificate_replaces_the_older_one(make_lab, make_user):
    facilitator, member = make_user(roles=["facilitator"]), make_user()
    lab = make_lab({member: 2}, facilitator=facilitator)
    older = services.issue_participation(lab, member, facilitator, NOW)
    db.session.commit()
    with pytest.raises(DomainError):
        services.issue_participation(lab, member, facilitator, NOW)
    db.session.rollback()
    from app.labs.models import Attendance, AttendanceMethod, LabSession

    third = db.session.scalars(select(LabSession).where(LabSession.lab_id == lab.id).order_by(LabSession.starts_at)
                               ).all()[2]
    db.session.add(Attendance(session_id=third.id, user_id=member.id, recorded_by_id=facilitator.id,
                              method=AttendanceMethod.FACILITATOR))
    newer = services.issue_participation(lab, member, facilitator, NOW)
    db.session.commit()
    assert newer.attended_minutes == 90 + 2 * 120
    older = db.session.get(Certificate, older.id)
    assert older.status is CertificateStatus.REVOKED and older.revoked_reason


def test_participation_needs_at_least_one_attended_session(make_lab, make_user):
    facilitator, member = make_user(roles=["facilitator"]), make_user()
    lab = make_lab({member: 0}, facilitator=facilitator)
    with pytest.raises(DomainError) as refused:
        services.issue_participation(lab, member, facilitator, NOW)
    assert str(refused.value.message) == "This member has not attended any session yet."


def test_revoking_needs_a_reason_notifies_the_holder_and_is_final(make_lab, make_user):
    staff, facilitator, member = make_user(roles=["staff"]), make_user(roles=["facilitator"]), make_user()
    lab = make_lab({member: 5}, facilitator=facilitator)
    certificate = services.issue_to_eligible(lab, facilitator, NOW).issued[0]
    db.session.commit()
    with pytest.raises(DomainError):
        services.revoke_certificate(certificate, staff, "")
    services.revoke_certificate(certificate, staff, "출석 기록 오류")
    db.session.commit()
    assert certificate.status is CertificateStatus.REVOKED and certificate.revoked_by_id == staff.id
    notification = db.session.scalar(select(Notification).where(Notification.kind == "certificate_revoked"))
    assert notification.user_id == member.id and notification.params["reason"] == "출석 기록 오류"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.revoke")).actor_id == staff.id
    with pytest.raises(DomainError):
        services.revoke_certificate(certificate, staff, "다시")


def test_find_by_code_accepts_the_printed_form(make_lab, make_user):
    facilitator, member = make_user(roles=["facilitator"]), make_user()
    lab = make_lab({member: 5}, facilitator=facilitator)
    certificate = services.issue_to_eligible(lab, facilitator, NOW).issued[0]
    db.session.commit()
    assert services.find_by_code(certificate.display_code.lower()) is certificate
    assert services.find_by_code("AAAA-BBBB") is None
    assert services.find_by_code("") is None


def test_closing_a_lab_tells_its_facilitators_how_many_can_be_certified(make_lab, make_user):
    from app.labs.signals import lab_closed

    facilitator = make_user(roles=["facilitator"])
    lab = make_lab({make_user(): 5, make_user(): 4, make_user(): 1}, facilitator=facilitator)
    lab_closed.send(lab)
    notification = db.session.scalar(select(Notification).where(Notification.kind == "certificates_ready_to_issue"))
    assert notification.user_id == facilitator.id and notification.params["count"] == 2
    assert notification.url == f"/labs/{lab.id}/certificates"
