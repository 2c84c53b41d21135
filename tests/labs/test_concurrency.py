from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core import utcnow
from app.extensions import db
from app.labs.services import labs as services
from app.labs.services import sessions as session_services
from app.labs.models import Attendance, LabMembership, LabSession, MemberGroup, MembershipStatus
from tests.concurrency import run_together
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]


def test_simultaneous_check_ins_and_records_leave_one_attendance_row(app, make_lab, add_member):
    lab = make_lab()
    member = add_member(lab)
    starts = utcnow() - timedelta(minutes=1)
    session = session_services.create_session(lab, lab.facilitators[0], title="모임", starts_at=starts,
                                              ends_at=starts + timedelta(hours=1), place="주민센터")
    db.session.commit()
    session_id, member_id, facilitator_id, code = session.id, member.id, lab.facilitators[0].id, session.checkin_code

    def attend(kind):
        current = db.session.get(LabSession, session_id)
        if kind == "checkin":
            return session_services.check_in(current, db.session.get(User, member_id), code)[1]
        return session_services.record_attendance(current, member_id, db.session.get(User, facilitator_id))[1]

    results, errors = run_together(app, attend, ["checkin", "record", "checkin"])
    assert errors == []
    assert sorted(results) == [False, False, True]
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_simultaneous_acceptances_never_overfill_the_lab(app, make_lab, make_user):
    lab = make_lab(capacity=1)
    facilitator = lab.facilitators[0]
    ids = []
    for _ in range(3):
        membership = services.apply(lab, make_user(), motivation="함께하고 싶습니다 정말로", group=MemberGroup.CITIZEN,
                                    today=date.today())
        ids.append(membership.id)
    db.session.commit()
    facilitator_id = facilitator.id

    def accept(membership_id):
        membership = db.session.get(LabMembership, membership_id)
        return services.decide_application(membership, db.session.get(User, facilitator_id), accept=True).status

    results, errors = run_together(app, accept, ids)
    assert errors == []
    assert sorted(s.value for s in results) == ["accepted", "waitlisted", "waitlisted"]
    accepted = db.session.scalar(select(func.count()).select_from(LabMembership).where(
        LabMembership.status == MembershipStatus.ACCEPTED))
    assert accepted == 1
