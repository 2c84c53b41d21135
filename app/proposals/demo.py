"""Demo proposals from Asan residents' concerns (seeds/003:386-401 survey), with supports, threaded comments,
official answers and one proposal hidden by reports. Idempotent: it looks for its first proposal before adding."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.demo import DEMO_USERS
from app.auth.services import find_user_by_email
from app.comments.models import Stance
from app.comments.services import add_comment
from app.core import utcnow
from app.extensions import db
from app.moderation.services import report_content
from app.proposals import services
from app.proposals.choices import seed_fields_and_topics
from app.proposals.models import AnswerStatus, Proposal

# (title, field, topics, district, body, days ago, supporters)
PROPOSALS = [
    ("온양3동 골목길 쓰레기 무단투기 CCTV 설치", "environment", ["waste", "cctv"], "onyang3",
     "온양3동 시장 뒤편 골목에 밤마다 쓰레기 무단투기가 반복됩니다. 음식물 쓰레기까지 버려져 여름이면 악취가 심합니다. "
     "계도용 스마트 CCTV와 안내 방송 스피커를 설치해 주세요.", 40, 6),
    ("배방읍 아파트 단지 주변 불법 주차 단속", "transport", ["parking"], "baebang",
     "배방읍 신도시 아파트 단지 주변 도로에 이중 주차가 많아 소방차가 지나가기 어렵습니다. 주차문제가 심각하니 "
     "야간 단속과 공영주차장 확충을 검토해 주세요.", 35, 5),
    ("독거노인 안부 확인 스마트 돌봄 서비스", "welfare", ["elderly", "smart-city"], "onyang2",
     "혼자 사시는 어르신이 늘고 있습니다. 전력 사용량이나 문 열림 센서로 이상 징후를 알려 주는 스마트 돌봄 서비스를 "
     "도입해 독거노인 고독사를 예방했으면 합니다.", 30, 6),
    ("버스 정류장에 실시간 도착 안내판과 온열 의자", "transport", ["bus"], "tangjeong",
     "탕정면 버스 정류장에는 도착 안내판이 없어 배차 간격이 긴 노선은 30분 넘게 기다리기도 합니다. 실시간 도착 안내판과 "
     "겨울철 온열 의자를 설치해 주세요.", 28, 4),
    ("곡교천 산책로 야간 조명 보강", "safety", ["walking", "cctv"], "yeomchi",
     "곡교천 산책로는 저녁에 걷는 주민이 많은데 일부 구간은 가로등이 없어 어둡습니다. 안전 조명과 비상벨을 보강해 주세요.", 25, 5),
    ("초등학교 통학로 보행로 분리", "safety", ["walking", "children"], "onyang5",
     "학교 앞 도로에 인도가 없어 아이들이 차도로 걷습니다. 보행로를 분리하고 과속 단속 카메라를 설치해 주세요.", 22, 6),
    ("미세먼지 알림 전광판을 경로당에", "environment", ["air", "elderly"], "onyang1",
     "어르신들은 스마트폰으로 미세먼지 정보를 확인하기 어렵습니다. 경로당과 마을회관에 미세먼지 알림 전광판을 설치해 주세요.", 20, 3),
    ("전통시장 공영주차장 안내 시스템", "economy", ["parking", "market"], "onyang1",
     "온양온천시장 공영주차장에 빈자리 안내가 없어 주변 도로가 혼잡합니다. 주차 가능 대수를 알려 주는 안내 시스템을 제안합니다.", 18, 4),
    ("분리수거 교육과 재활용 정거장 운영", "environment", ["waste"], "baebang",
     "분리수거가 잘 되지 않아 재활용률이 낮습니다. 주 2회 재활용 정거장을 운영하고 주민 교육을 해 주세요.", 16, 3),
    ("마을버스 노선 조정으로 병원 접근성 개선", "transport", ["bus", "elderly"], "dogo",
     "도고면에서 시내 병원까지 버스를 두 번 갈아타야 합니다. 마을버스 노선을 조정하거나 수요응답형 버스를 도입해 주세요.", 14, 4),
    ("공원 내 어린이 놀이터 그늘막 설치", "facilities", ["parks", "children"], "tangjeong",
     "여름에 놀이터가 너무 뜨거워 아이들이 놀 수 없습니다. 그늘막과 음수대를 설치해 주세요.", 12, 3),
    ("방과 후 돌봄 교실 확대", "education", ["children"], "baebang",
     "맞벌이 가정이 많아 방과 후 돌봄 수요가 큽니다. 마을 공동체 공간을 활용한 돌봄 교실을 늘려 주세요.", 11, 2),
    ("주민참여예산 설명회를 온라인으로도", "administration", ["smart-city"], None,
     "주민참여예산 설명회가 평일 낮에만 열려 직장인은 참여하기 어렵습니다. 온라인 생중계와 다시보기를 제공해 주세요.", 10, 2),
    ("현충사 관광 안내 앱에 다국어 지원", "culture", [], "yeomchi",
     "외국인 관광객이 늘고 있지만 안내가 한국어뿐입니다. 관광 안내 앱과 안내판에 영어·중국어 안내를 추가해 주세요.", 9, 1),
    ("걷기 좋은 마을길 지도 만들기", "welfare", ["walking", "living-lab"], "onyang4",
     "주민들이 함께 걷기 좋은 마을길을 찾아 지도로 만들고 걷쥬 앱과 연계하면 건강 걷기 참여가 늘 것 같습니다. 리빙랩으로 해 보면 어떨까요?", 7, 3),
    ("골목상권 살리기 지역화폐 할인 행사", "economy", ["market"], "onyang1",
     "원도심 상권이 쇠퇴하고 있습니다. 지역화폐 추가 할인 행사를 골목상권 중심으로 열어 주세요.", 6, 2),
    ("스마트 가로등으로 에너지 절약", "environment", ["cctv", "smart-city"], "eumbong",
     "사람이 없을 때 밝기를 낮추는 스마트 가로등으로 바꾸면 에너지를 아끼고 필요할 때는 더 밝게 할 수 있습니다.", 5, 1),
    ("노후 육교 안전 점검 요청", "facilities", ["walking"], "sinchang",
     "신창면 국도 위 육교가 오래되어 난간이 흔들립니다. 정밀 안전 점검과 보수를 요청합니다.", 3, 2),
    ("주차 공유 앱으로 학교 운동장 야간 개방", "transport", ["parking", "smart-city"], "onyang6",
     "밤에 비어 있는 학교 운동장과 관공서 주차장을 주민에게 개방하고 앱으로 예약하게 하면 주차 부족이 줄어들 것입니다.", 2, 2),
    ("도서관 운영 시간 연장", "culture", [], "onyang3",
     "시립도서관이 평일 저녁 6시에 문을 닫아 학생과 직장인이 이용하기 어렵습니다. 운영 시간을 밤 10시까지 늘려 주세요.", 1, 0),
]
SPAM_TITLE = "지금 바로 확인하세요 무료 쿠폰 증정"


def _users() -> dict[str, object]:
    return {email: find_user_by_email(email) for email, *_ in DEMO_USERS}


def seed_demo() -> None:
    seed_fields_and_topics()
    if db.session.scalar(select(Proposal.id).where(Proposal.title == PROPOSALS[0][0])) is not None:
        return
    users = _users()
    residents = [users[e] for e in ("resident@maeul.kr", "resident2@maeul.kr", "resident3@maeul.kr",
                                    "senior@maeul.kr", "facilitator@maeul.kr", "admin@maeul.kr")]
    staff = users["staff@maeul.kr"]
    now = utcnow()
    created = []
    for number, (title, field, topics, district, body, days_ago, supporters) in enumerate(PROPOSALS):
        author = residents[number % 4]
        proposal = services.submit_proposal(author, title=title, body=body, field_slug=field, topic_slugs=topics,
                                            district=district)
        proposal.created_at = now - timedelta(days=days_ago, hours=number)
        for supporter in [r for r in residents if r.id != author.id][:supporters]:
            services.support_proposal(supporter, proposal)
        created.append(proposal)
    _discussion(created, residents)
    services.answer_proposal(staff, created[0], status=AnswerStatus.ADOPTED, department="자원순환과",
                             body="무단투기 상습 지역 5곳에 계도용 스마트 CCTV를 설치하기로 했습니다. 내년 상반기에 설치를 마칠 예정입니다.")
    services.answer_proposal(staff, created[2], status=AnswerStatus.UNDER_REVIEW, department="노인복지과",
                             body="스마트 돌봄 서비스 도입을 검토하고 있습니다. 리빙랩으로 시범 운영할 마을을 찾고 있습니다.")
    services.answer_proposal(staff, created[13], status=AnswerStatus.NOT_ADOPTED, department="관광과",
                             body="제안해 주셔서 감사합니다.",
                             reason="올해는 안내판 정비 예산이 없어 내년 관광 안내 앱 개편 때 다시 검토하겠습니다.")
    spam = services.submit_proposal(residents[3], title=SPAM_TITLE, field_slug="economy", topic_slugs=[],
                                    body="링크를 누르면 무료 쿠폰을 드립니다. 선착순이니 서두르세요!!")
    for reporter in residents[:3]:
        report_content(reporter, "proposal", spam.id, "광고성 게시물입니다.")
    db.session.flush()


def _discussion(proposals, residents) -> None:
    a, b, c, senior = residents[:4]
    parking = proposals[1]
    top = add_comment(b, "proposal", parking, "저희 동네도 저녁마다 이중 주차 때문에 골목을 지나가기 어렵습니다. 꼭 필요합니다.",
                      stance=Stance.FOR_)
    reply = add_comment(c, "proposal", parking, "단속만으로는 한계가 있어요. 공영주차장 확충이 먼저라고 생각합니다.",
                        parent_id=top.id)
    add_comment(b, "proposal", parking, "맞아요. 학교 운동장 야간 개방도 같이 검토하면 좋겠습니다.", parent_id=reply.id)
    add_comment(senior, "proposal", parking, "단속이 심해지면 장사하는 분들이 힘들 수도 있습니다.", stance=Stance.AGAINST)
    care = proposals[2]
    add_comment(senior, "proposal", care, "혼자 사는 입장에서 이런 서비스가 있으면 마음이 놓일 것 같습니다.", stance=Stance.FOR_)
    add_comment(c, "proposal", care, "개인정보가 어떻게 쓰이는지 충분히 안내해 주셨으면 합니다.", stance=Stance.NEUTRAL)
    bus = proposals[3]
    add_comment(a, "proposal", bus, "버스정류장 안내판이 생기면 어르신들께 특히 도움이 될 거예요.", stance=Stance.FOR_)
