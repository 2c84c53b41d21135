"""Two claims of the same records at the same moment, on real PostgreSQL transactions: each record moves once."""
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.intake import services
from app.intake.models import IntakeChannel, IntakeRecord
from app.proposals.models import Proposal
from tests.concurrency import race
from tests.conftest import is_postgres
from tests.intake.conftest import NUMBER, PHONE

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not is_postgres(), reason="needs real concurrent PostgreSQL transactions")]


def test_two_simultaneous_claims_move_each_record_once(app, make_user, centre, choices):
    for title in ("첫 번째 접수 제안입니다", "두 번째 접수 제안입니다", "세 번째 접수 제안입니다"):
        services.enter_proposal(centre, services.ResidentData(
            name="정순자", phone=PHONE, district="onyang1", birth_year=1948, channel=IntakeChannel.PHONE,
            consent_privacy=True), title=title, body="경로당 앞 횡단보도 신호가 짧아 어르신들이 건너기 어렵습니다.",
            field_slug="transport")
    db.session.commit()
    claimants = [make_user().id for _ in range(4)]

    def claim(user_id):
        return len(services.claim(db.session.get(User, user_id), NUMBER))

    outcomes = {user_id: outcome.value if outcome.committed else outcome.refusal().status
                for user_id, outcome in zip(claimants, race(app, claim, claimants))}
    claimed = db.session.scalars(select(IntakeRecord.claimed_by_id)).all()
    assert len(set(claimed)) == 1 and None not in claimed  # one person has all three
    winner = claimed[0]
    assert outcomes[winner] == 3 and sorted(v for k, v in outcomes.items() if k != winner) == [404, 404, 404]
    assert db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.author_id == winner)) == 3
