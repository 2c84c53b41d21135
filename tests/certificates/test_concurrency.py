import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.extensions import db
from app.labs.models import Lab
from tests.concurrency import run_together
from tests.conftest import is_postgres


@pytest.mark.postgres
@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL row locks and real concurrent transactions")
def test_two_facilitators_issuing_at_once_issue_each_certificate_once(app, make_lab, make_user):
    first, second = make_user(roles=["facilitator"]), make_user(roles=["facilitator"])
    members = [make_user() for _ in range(4)]
    lab = make_lab({member: 5 for member in members}, facilitator=first)
    lab.facilitators.append(second)
    db.session.commit()
    lab_id, actor_ids = lab.id, [first.id, second.id]

    def issue(actor_id):
        return len(services.issue_to_eligible(db.session.get(Lab, lab_id), db.session.get(User, actor_id)).issued)

    outcomes, errors = run_together(app, issue, actor_ids)
    assert errors == []
    assert sorted(outcomes) == [0, 4]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 4
