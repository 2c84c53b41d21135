"""`flask seed demo` builds the committee the issue describes, and a second run changes nothing."""
from sqlalchemy import func, select

from app.committees import queries
from app.committees.models import Committee, Meeting, MeetingStatus, Office
from app.committees.services import today
from app.extensions import db
from app.ledger.models import Allowance, ProgrammeType


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Committee, Meeting, Allowance)}


def test_demo_committee_has_twelve_members_two_past_meetings_and_one_upcoming(runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    committee = db.session.scalar(select(Committee))
    assert queries.enrolled_count(committee.id, today()) == 12
    assert set(queries.officers(committee.id, today())) == {Office.CHAIR, Office.VICE_CHAIR}
    statuses = sorted(m.status.value for m in db.session.scalars(select(Meeting)))
    assert statuses == ["published", "published", "scheduled"]
    published = db.session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED)).all()
    assert all(m.minutes for m in published)
    assert len(list(db.session.scalars(queries.expiring_terms_query(committee.id, today())))) == 1
    paid = db.session.scalars(select(Allowance).where(Allowance.programme_type == ProgrammeType.COMMITTEE)).all()
    assert len(paid) == 8  # two members with accounts, two meetings, allowance and travel each
    before = _counts()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert _counts() == before
