"""The notification fan-out of a progress update scales: one INSERT ... SELECT for 10,000 supporters."""
import time

from sqlalchemy import func, insert, select

from app.auth.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.policies import services
from app.proposals.models import Support
from tests.conftest import is_postgres

SUPPORTERS = 10_000


def test_an_update_notifies_10000_supporters_in_one_statement(make_policy, make_proposal, staff, count_queries):
    proposal = make_proposal()
    db.session.execute(insert(User), [
        {"email": f"supporter{n}@example.kr", "password_hash": "x", "display_name": f"주민{n}",
         "district": "onyang1", "birth_year": 1980} for n in range(SUPPORTERS)])
    supporter_ids = select(User.id).where(User.email.like("supporter%"))
    db.session.execute(insert(Support).from_select(["proposal_id", "user_id"],
                                                   select(proposal.id, supporter_ids.subquery().c.id)))
    db.session.commit()
    policy = make_policy(proposal_ids=[proposal.id])
    services.follow(policy, db.session.get(User, proposal.author_id))  # a follower who is also the author
    db.session.commit()

    started = time.perf_counter()
    with count_queries() as queries:
        services.post_update(policy, staff, body="공사를 시작했습니다.")
        db.session.commit()
    elapsed = time.perf_counter() - started

    print(f"\nfan-out to {SUPPORTERS + 1} users on {'PostgreSQL' if is_postgres() else 'SQLite'}: {elapsed:.3f} s, "
          f"{len(queries)} statements")
    inserts = [q for q in queries if q.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(inserts) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == SUPPORTERS + 1
    assert db.session.scalar(select(func.count(func.distinct(Notification.user_id)))) == SUPPORTERS + 1
    assert elapsed < 5
