from datetime import time

from sqlalchemy import func, select

from app.consultations.clock import utc_to_seoul
from app.consultations.demo import CLOSED_TITLE, PLAN_TITLE
from app.consultations.models import Consultation, ConsultationStatus, Opinion
from app.core import utcnow
from app.extensions import db


def _seed():
    from importlib import import_module

    for name in ("app.auth.demo", "app.proposals.demo", "app.policies.demo", "app.consultations.demo"):
        import_module(name).seed_demo()
        db.session.commit()


def test_demo_has_the_live_hearing_notice_and_a_closed_one_with_results(client):
    _seed()
    _seed()
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 2
    live = db.session.scalar(select(Consultation).where(Consultation.title == PLAN_TITLE))
    assert live.accepting(utcnow()) and live.has_hearing and live.documents and live.policy_id
    assert utc_to_seoul(live.deadline_at).time() == time(18, 0)
    closed = db.session.scalar(select(Consultation).where(Consultation.title == CLOSED_TITLE))
    assert closed.status is ConsultationStatus.RESULTS
    assert db.session.scalar(select(func.count()).select_from(Opinion).where(
        Opinion.consultation_id == closed.id, Opinion.theme_id.is_(None))) == 0
    page = client.get(f"/consultations/{closed.id}").get_data(as_text=True)
    assert "무선 충전기 4대" in page
    assert "국토연구원 대강당" in client.get(f"/consultations/{live.id}").get_data(as_text=True)
    assert PLAN_TITLE in client.get(f"/policies/{live.policy_id}").get_data(as_text=True)
