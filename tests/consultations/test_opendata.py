"""Open data of consultations: opened consultations with their number of opinions, and published themes with
the city's response; drafts, names and contacts stay out."""
from datetime import date, timedelta

from app.consultations import services
from app.consultations.models import Channel, ConsultationStatus, Opinion
from app.core import utcnow
from app.extensions import db
from app.opendata.registry import dataset
from tests.consultations.conftest import opinion


def test_opened_consultations_with_opinion_counts_and_published_themes(app, make_consultation, staff, make_user):
    make_consultation(status=ConsultationStatus.DRAFT, title="아직 준비 중인 계획")
    published = make_consultation(title="버스 노선 개편안")
    other = make_consultation(title="공원 조성 계획")
    services.submit_opinion(published, opinion(), user=make_user())
    services.enter_opinion(published, staff, opinion(name="김철수", phone="010-5555-6666"), channel=Channel.PAPER,
                           written_on=date.today() - timedelta(days=1))
    db.session.commit()

    consultations = list(dataset("consultations").rows())
    assert [(row[1], row[3], row[-1]) for row in consultations] == [("버스 노선 개편안", "open", 2),
                                                                   ("공원 조성 계획", "open", 0)]
    assert list(dataset("consultation_themes").rows()) == []

    published.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    against = services.add_theme(published, staff, "노선 단축 반대", "노선을 유지합니다.")
    services.add_theme(published, staff, "배차 간격", "배차를 늘립니다.")
    opinion_ids = [o.id for o in db.session.scalars(db.select(Opinion).where(Opinion.consultation_id == published.id))]
    services.assign_opinions(published, staff, opinion_ids, against.id)
    with app.test_request_context():
        services.publish_results(published, staff, "두 의견 모두 노선 단축에 반대했습니다.")
    db.session.commit()

    assert [(row[1], row[3]) for row in dataset("consultations").rows()] == [("버스 노선 개편안", "results"),
                                                                             ("공원 조성 계획", "open")]
    assert [row[0:] for row in dataset("consultation_themes").rows()] == [
        (published.id, 0, "노선 단축 반대", "노선을 유지합니다.", 2), (published.id, 1, "배차 간격", "배차를 늘립니다.", 0)]
    flat = repr(list(dataset("consultations").rows())) + repr(list(dataset("consultation_themes").rows()))
    assert "홍길동" not in flat and "김철수" not in flat and "010-" not in flat and other.title in flat
