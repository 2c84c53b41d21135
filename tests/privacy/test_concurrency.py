"""Two deletion requests or two purges at the same moment (PostgreSQL row locks)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core import DomainError, utcnow
from app.extensions import db
from app.privacy.deletion import request_deletion
from app.privacy.models import DeletionRequest, DeletionStatus
from app.privacy.retention import purge
from tests.concurrency import race
from tests.conftest import is_postgres

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL row locks and concurrent transactions")]


def run_together(app, work, count=2):
    """``work()`` ``count`` times at once: what each committed call returned, or the DomainError it was
    refused with (any other exception fails the test)."""
    return [o.value if o.committed else o.refusal() for o in race(app, lambda _: work(), range(count))]


def test_two_requests_at_once_make_one_pending_deletion(app, make_user):
    user_id = make_user().id
    outcomes = run_together(app, lambda: request_deletion(db.session.get(User, user_id), keep_content=True).id)
    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 1


def test_two_purges_at_once_erase_each_account_once(app, make_user):
    users = [make_user() for _ in range(3)]
    for user in users:
        db.session.add(DeletionRequest(user_id=user.id, keep_content=True, requested_at=utcnow(),
                                       due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    outcomes = run_together(app, lambda: purge()["accounts_erased"])
    assert sum(outcomes) == 3
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest).where(
        DeletionRequest.status == DeletionStatus.DONE)) == 3
