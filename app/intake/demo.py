"""Demo intake: a community-centre account and a proposal a resident without an account gave by phone."""
from sqlalchemy import select

from app.auth.models import Role
from app.auth.services import create_user, find_user_by_email
from app.extensions import db
from app.intake import services
from app.intake.models import IntakeChannel, IntakeRecord

CENTRE_EMAIL = "centre@maeul.kr"


def seed_demo() -> None:
    from app.auth.demo import DEMO_PASSWORD

    centre = find_user_by_email(CENTRE_EMAIL)
    if centre is None:
        centre = create_user(email=CENTRE_EMAIL, password=DEMO_PASSWORD, display_name="온양1동 주민센터",
                             roles=[Role.INTAKE], is_city_employee=True, district="onyang1", birth_year=1982)
    if db.session.scalar(select(IntakeRecord.id).limit(1)) is not None:
        return
    services.enter_proposal(
        centre, services.ResidentData(name="김복순", phone="010-5555-0101", district="onyang1", birth_year=1941,
                                      channel=IntakeChannel.PHONE, consent_privacy=True, consent_texts=True,
                                      consent_note="전화로 동의 항목을 읽어 드리고 동의받음"),
        title="온양온천역 앞 버스정류장에 의자를 놓아 주세요",
        body="버스를 오래 기다리는 어르신들이 서 계시기 힘듭니다. 정류장에 의자와 햇빛 가림막을 설치해 주세요.",
        field_slug="transport", topic_slugs=["bus", "elderly"], district="onyang1")
