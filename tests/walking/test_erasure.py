"""Erasing an account: the walker leaves the programme and the step records go at once; the ledger stays."""
from sqlalchemy import func, select

from app.extensions import db
from app.privacy.deletion import erase_account, request_deletion
from app.walking.models import StepRecord
from app.walking.services import participation


def test_erasure_leaves_the_programme_and_deletes_step_records(app, walker, steps_header, post_steps, days_ago):
    leaving, staying = walker(), walker()
    for user in (leaving, staying):
        response = post_steps(steps_header(user), {"date": days_ago(1), "steps": 8123, "source": "gotju"})
        assert response.status_code < 300, response.get_json()

    with app.test_request_context():
        summary = erase_account(request_deletion(leaving, keep_content=True))
    db.session.commit()

    assert summary["walking_step_records"] == 1
    assert not participation.is_participating(leaving) and participation.is_participating(staying)
    assert db.session.scalar(select(func.count()).select_from(StepRecord)) == 1
