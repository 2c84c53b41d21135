from sqlalchemy import func, select

from app.auth.demo import seed_demo as seed_users
from app.auth.services import find_user_by_email
from app.certificates.demo import seed_demo
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.extensions import db


def test_demo_certificates_cover_valid_revoked_and_participation_and_seed_once(make_lab, make_user):
    seed_users()
    db.session.commit()
    members = [make_user(display_name=name) for name in ("홍길동", "박영희", "최민수")]
    short = make_user(display_name="정순자")
    make_lab({members[0]: 5, members[1]: 5, members[2]: 4, short: 2})
    make_lab({make_user(): 5}, closed=False, title="진행 중인 리빙랩")

    seed_demo()
    db.session.commit()
    seed_demo()
    db.session.commit()

    rows = db.session.execute(select(Certificate.holder_name, Certificate.kind, Certificate.status)).all()
    assert len(rows) == 4
    completion = [(name, status) for name, kind, status in rows if kind is CertificateKind.COMPLETION]
    assert len(completion) == 3
    assert sum(status is CertificateStatus.REVOKED for _, status in completion) == 1
    assert [(name, kind) for name, kind, _ in rows if kind is CertificateKind.PARTICIPATION] == [
        ("정순자", CertificateKind.PARTICIPATION)]
    revoked = db.session.scalar(select(Certificate).where(Certificate.status == CertificateStatus.REVOKED))
    assert revoked.revoked_by_id == find_user_by_email("staff@maeul.kr").id
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.lab_title == "진행 중인 리빙랩")) == 0
