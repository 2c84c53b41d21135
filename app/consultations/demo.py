"""Demo consultations: the 4th smart-city plan hearing notice (seeds/004) as a live consultation whose deadline
is two weeks from today at 18:00 with a hearing in ten days, and a closed consultation with published results.
Idempotent: it looks for the live consultation's title. Past events go through the services with ``now`` set
to when they happened, so the demo obeys the same rules as real use."""
from __future__ import annotations

import io
from datetime import time, timedelta

from fpdf import FPDF
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.auth.services import find_user_by_email
from app.consultations import services
from app.consultations.clock import seoul_date, seoul_minute
from app.consultations.models import Channel, Consultation, Opinion
from app.core import utcnow
from app.extensions import db
from app.policies.models import Policy

PLAN_TITLE = "제4차 스마트도시 종합계획(안) 공청회 및 의견수렴"
CLOSED_TITLE = "온양온천역 광장 스마트 쉼터 조성 계획 의견수렴"

PLAN_BODY = """## 주요내용
제4차 스마트도시 종합계획(2024~2028)의 추진방향, 비전 및 목표, 추진 과제 등을 설명하고 전문가 토론을 합니다.

## 수립 방향
- 새로운 스마트도시 사업모델 발굴: 기후위기 대응과 디지털 포용성을 반영
- 도시데이터 기반으로 스마트도시 고도화: 데이터허브를 AI, 디지털트윈과 연계
- 민간 주도의 스마트도시 산업생태계 조성: 스타트업에 도시데이터와 실증공간 제공
- 스마트도시 선진국으로서 해외진출 활성화

## 의견제출
공청회에 참석하여 직접 의견을 말하거나, 아래 주소로 서면으로 보내거나, 이 페이지에서 온라인으로 제출할 수 있습니다.
"""

PLAN_OPINIONS = [
    ("resident@maeul.kr", "온양1동 주민자치회", "위원", "데이터허브를 읍·면 지역까지 넓혀 농촌 어르신도 생활정보 서비스를 쓰게 해 주세요."),
    ("resident2@maeul.kr", "", "", "디지털 포용성 과제에 어르신 스마트폰 교육을 꼭 넣어 주세요. 키오스크가 어렵습니다."),
    ("senior@maeul.kr", "노인회", "회장", "공청회를 평일 오후가 아니라 주말에도 한 번 열어 주시면 좋겠습니다."),
]
CLOSED_OPINIONS = [
    (Channel.ONLINE, "resident@maeul.kr", "그늘막과 미세먼지 알림판을 같이 설치해 주세요.", 0),
    (Channel.ONLINE, "resident2@maeul.kr", "쉼터에 휴대폰 충전기와 무료 와이파이가 있으면 좋겠습니다.", 1),
    (Channel.ONLINE, "resident3@maeul.kr", "여름에는 냉방이 되는 버스 대기 공간이 필요합니다.", 0),
    (Channel.PAPER, None, "어르신이 앉을 의자를 넉넉히 두어 주십시오.", 2),
    (Channel.PHONE, None, "밤에는 조명을 밝게 해서 안전하게 해 주세요.", 2),
    (Channel.HEARING, None, "와이파이 이용 시간을 제한하지 말아 주세요.", 1),
]
CLOSED_THEMES = [
    ("더위와 미세먼지 대책", "그늘막과 냉방 대기 공간을 설치하고 미세먼지 알림판을 함께 둡니다."),
    ("충전기와 와이파이", "무선 충전기 4대와 공공 와이파이를 설치합니다. 이용 시간은 제한하지 않습니다."),
    ("어르신 편의와 안전", "등받이 의자 12개를 두고, 밤 12시까지 밝은 LED 조명을 켭니다."),
]


def _plan_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 10, "4th Smart City Comprehensive Plan 2024-2028 (draft)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in ("1. Purpose: explain the draft plan and hear opinions.",
                 "2. Directions: new business models, urban data hubs, private-led industry, going abroad.",
                 "3. Hearing and opinions: see the consultation page for the date, place and deadline."):
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def seed_demo() -> None:
    if db.session.scalar(select(Consultation.id).where(Consultation.title == PLAN_TITLE)) is not None:
        return
    staff = find_user_by_email("staff@maeul.kr")
    if staff is None:
        return
    _seed_live(staff)
    _seed_closed(staff)


def _seed_live(staff) -> None:
    now = utcnow()
    today = seoul_date(now)
    policy = db.session.scalar(select(Policy).where(Policy.title == "시민참여 플랫폼"))
    consultation = services.create_consultation(staff, services.ConsultationData(
        title=PLAN_TITLE,
        purpose="제4차 스마트도시 종합계획(안)을 설명하고, 스마트도시 조성 및 관리·운영 등 중장기 정책방향에 대한 "
                "의견을 들어 종합계획에 반영하기 위함",
        body=PLAN_BODY, department="도시경제과", contact="도시경제과 ☎ 044-201-4879",
        paper_address="세종특별자치시 도움6로 11 6동 국토교통부 도시경제과 (팩스 044-201-5569, wirebox@korea.kr)",
        deadline_date=today + timedelta(days=14), deadline_time=time(18, 0),
        policy_id=policy.id if policy else None,
        hearing_date=today + timedelta(days=10), hearing_start=time(14, 0), hearing_end=time(16, 0),
        hearing_place="국토연구원 대강당 (세종특별자치시 국책연구원로 5)", hearing_capacity=200))
    services.add_document(consultation, staff, FileStorage(io.BytesIO(_plan_pdf()), filename="제4차_스마트도시_종합계획안.pdf"))
    services.open_consultation(consultation, staff, now=now - timedelta(days=3))
    for email, affiliation, position, body in PLAN_OPINIONS:
        user = find_user_by_email(email)
        if user is not None:
            services.submit_opinion(consultation, services.OpinionData(
                name=user.display_name, phone="010-0000-0000", body=body, affiliation=affiliation,
                position=position), user=user, now=now - timedelta(days=1))
            services.register_for_hearing(consultation, user, now=now - timedelta(days=1))
    services.enter_opinion(consultation, staff, services.OpinionData(
        name="김서면", body="스마트도시 특화단지에 지역 대학과 연계한 실증 공간을 마련해 주십시오.",
        affiliation="아산 스마트시티 협의회", position="사무국장"),
        channel=Channel.PAPER, written_on=today, now=now)


def _seed_closed(staff) -> None:
    now = utcnow()
    opened = now - timedelta(days=45)
    deadline_day = seoul_date(now - timedelta(days=20))
    consultation = services.create_consultation(staff, services.ConsultationData(
        title=CLOSED_TITLE, purpose="온양온천역 광장에 짓는 스마트 쉼터에 무엇이 필요한지 주민 의견을 듣습니다.",
        body="버스를 기다리는 주민을 위한 냉난방 쉼터, 충전기, 와이파이, 미세먼지 알림판을 계획하고 있습니다.",
        department="스마트도시과", contact="스마트도시과 ☎ 041-540-2000", paper_address="아산시청 스마트도시과",
        deadline_date=deadline_day, deadline_time=time(18, 0)))
    services.open_consultation(consultation, staff, now=opened)
    before = seoul_minute(deadline_day, time(12, 0))
    for channel, email, body, _ in CLOSED_OPINIONS:
        user = find_user_by_email(email) if email else None
        data = services.OpinionData(name=user.display_name if user else "주민", phone="010-0000-0000", body=body)
        if channel is Channel.ONLINE and user is not None:
            services.submit_opinion(consultation, data, user=user, now=before)
        elif channel is not Channel.ONLINE:
            services.enter_opinion(consultation, staff, data, channel=channel, written_on=deadline_day, now=before)
    after = seoul_minute(deadline_day + timedelta(days=3), time(10, 0))
    themes = [services.add_theme(consultation, staff, title, response, now=after) for title, response in CLOSED_THEMES]
    opinions = list(db.session.scalars(select(Opinion).where(Opinion.consultation_id == consultation.id)
                                       .order_by(Opinion.id)))
    bodies = {body: index for _, _, body, index in CLOSED_OPINIONS}
    for opinion in opinions:
        services.assign_opinions(consultation, staff, [opinion.id], themes[bodies[opinion.body]].id, now=after)
    services.publish_results(consultation, staff, "온라인, 서면, 전화와 설명회에서 받은 의견을 세 가지 주제로 묶어 "
                                                  "모두 반영하기로 했습니다.", now=after)

