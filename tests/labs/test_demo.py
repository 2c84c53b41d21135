from sqlalchemy import func, select

from app.auth import demo as auth_demo
from app.extensions import db
from app.labs import demo
from app.labs.models import Attendance, Lab, LabSession, LabStage
from app.labs.models import Praise


def test_demo_has_a_lab_in_each_stage_and_runs_twice():
    auth_demo.seed_demo()
    demo.seed_demo()
    db.session.commit()
    demo.seed_demo()
    db.session.commit()
    stages = sorted(s.value for s in db.session.scalars(select(Lab.stage)))
    assert stages == sorted(s.value for s in LabStage)
    closed = db.session.scalar(select(Lab).where(Lab.stage == LabStage.CLOSED))
    sessions = db.session.scalar(select(func.count()).select_from(LabSession).where(LabSession.lab_id == closed.id))
    per_member = db.session.execute(
        select(Attendance.user_id, func.count()).join(LabSession, LabSession.id == Attendance.session_id)
        .where(LabSession.lab_id == closed.id).group_by(Attendance.user_id)).all()
    assert sum(1 for _, attended in per_member if attended >= 0.8 * sessions) >= 3
    assert db.session.scalar(select(func.count()).select_from(Praise)) > 0
