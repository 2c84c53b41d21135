"""Demo policies: Asan smart-city services with their owning divisions and roadmap horizons (seeds/003:3258-3277),
in every status, with steps, updates, residents' comments and follows. Idempotent: it looks for its first policy."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.services import find_user_by_email
from app.comments.services import add_comment
from app.core import utcnow
from app.extensions import db
from app.policies import services
from app.policies.comments import TARGET_TYPE
from app.policies.models import Horizon, Policy, PolicyStatus, PolicyUpdate, StepState
from app.proposals.models import Proposal

# The demo proposal the city adopted (app/proposals/demo.py), linked where a service answers it.
DUMPING_PROPOSAL = "온양3동 골목길 쓰레기 무단투기 CCTV 설치"

# title, division, field, horizon or (start, end), budget, summary, [(step, weight, state, percent)],
# [(status, reason)], [(days ago, update, step index or None)], linked proposal titles
POLICIES = [
    ("시민참여 플랫폼", "도시계획과", "administration", Horizon.NEAR, 450_000_000,
     "시민이 주제별로 의견을 제안하고 토론하며, 채택된 의견이 정책으로 추진되는 과정을 함께 지켜보는 플랫폼입니다.",
     [("플랫폼 구축", 3, StepState.DONE, None), ("시범 운영", 2, StepState.IN_PROGRESS, 60),
      ("전면 개통과 홍보", 1, StepState.PLANNED, None)],
     [(PolicyStatus.IN_PROGRESS, None)],
     [(40, "플랫폼 구축을 마쳤습니다. 제안·토론·정책 추진 현황 메뉴를 먼저 열었습니다.", 0),
      (12, "온양1동과 배방읍 주민 200명과 시범 운영 중입니다. 의견을 댓글로 남겨 주세요.", 1)], []),
    ("AI 기반 CCTV", "정보통신과", "safety", Horizon.NEAR, 850_000_000,
     "쓰레기 무단투기와 범죄 취약 지역에 영상 분석 CCTV를 설치해 이상 상황을 통합운영센터에 자동으로 알립니다.",
     [("통합운영센터 연계 구축", 2, StepState.DONE, None), ("취약 지역 설치", 3, StepState.IN_PROGRESS, 40),
      ("효과 분석", 1, StepState.PLANNED, None)],
     [(PolicyStatus.IN_PROGRESS, None)],
     [(20, "온양3동 시장 뒤편 골목 등 무단투기 상습 지역 5곳 중 2곳에 설치를 마쳤습니다.", 1)],
     [DUMPING_PROPOSAL]),
    ("일반종량제 쓰레기 스마트 수거함", "자원순환과", "environment", Horizon.NEAR, 300_000_000,
     "수거함이 차면 수거 차량에 알려 넘침과 무단투기를 줄이는 스마트 수거함입니다.",
     [("수거함 구축", 1, StepState.IN_PROGRESS, 30), ("수거 경로 최적화", 1, StepState.PLANNED, None)],
     [(PolicyStatus.IN_PROGRESS, None)],
     [(6, "온양3동에 스마트 수거함 3대를 시범 설치했습니다.", 0)], [DUMPING_PROPOSAL]),
    ("수요응답형 모빌리티", "대중교통과", "transport", Horizon.NEAR, 1_200_000_000,
     "정해진 노선 없이 호출에 따라 운행하는 버스로 읍·면 지역의 병원과 시장 접근성을 높입니다.",
     [("차량·호출 시스템 구축", 2, StepState.DONE, None), ("도고면·선장면 운행", 2, StepState.DONE, None),
      ("만족도 조사", 1, StepState.DONE, None)],
     [(PolicyStatus.IN_PROGRESS, None), (PolicyStatus.DONE, None)],
     [(60, "도고면과 선장면에서 호출형 버스 운행을 시작했습니다.", 1),
      (15, "이용 주민 만족도 조사를 마쳤습니다. 결과 보고서를 첨부 대신 요약합니다: 만족 87%.", 2)], []),
    ("스마트 주차", "교통행정과", "transport", Horizon.MID, 700_000_000,
     "공영주차장과 학교·관공서 주차장의 빈자리를 실시간으로 알리고 예약할 수 있게 합니다.",
     [("주차 센서 구축", 2, StepState.PLANNED, None), ("공유 주차 예약", 1, StepState.PLANNED, None)],
     [], [], []),
    ("미세먼지 저감 분무 서비스", "기후변화대책과", "environment", Horizon.MID, 250_000_000,
     "미세먼지가 심한 날 버스 정류장과 통학로에 미세 물안개를 뿌려 먼지를 줄입니다.",
     [("분무 장치 구축", 1, StepState.IN_PROGRESS, 20), ("효과 측정", 1, StepState.PLANNED, None)],
     [(PolicyStatus.IN_PROGRESS, None), (PolicyStatus.ON_HOLD, "겨울철 동파 우려로 설치를 내년 봄으로 미룹니다.")],
     [], []),
    ("자율주행 순찰로봇", "정보통신과", "safety", Horizon.FAR, None,
     "공원과 산책로를 자율주행 로봇이 순찰하며 위험 상황을 알립니다.",
     [("로봇 실증", 1, StepState.CANCELLED, None)],
     [(PolicyStatus.STOPPED, "관련 법령 정비 전까지 공원 내 자율주행 로봇 운행이 어려워 사업을 중단합니다.")],
     [], []),
    ("AI 기반 노인 돌봄 서비스", "건강증진과", "welfare", (date(2026, 3, 1), date(2027, 12, 31)), 520_000_000,
     "전력 사용량과 문 열림 센서로 혼자 사시는 어르신의 이상 징후를 알리는 돌봄 서비스입니다.",
     [("센서·플랫폼 구축", 2, StepState.PLANNED, None), ("리빙랩 시범 운영", 1, StepState.PLANNED, None),
      ("확대 운영", 2, StepState.PLANNED, None)],
     [], [], []),
    ("디지털 트윈", "토지관리과", "facilities", Horizon.FAR, None,
     "도시를 가상 공간에 그대로 옮겨 침수·교통 상황을 미리 시험해 보는 서비스입니다.",
     [("3차원 공간정보 구축", 1, StepState.PLANNED, None)], [], [], []),
    ("스마트 과학실", "교육청소년과", "education", Horizon.MID, 180_000_000,
     "청소년이 코딩과 사물인터넷을 직접 실습하는 마을 과학실입니다.",
     [("공간 조성", 1, StepState.DONE, None), ("프로그램 운영", 1, StepState.IN_PROGRESS, 50)],
     [(PolicyStatus.IN_PROGRESS, None)],
     [(9, "배방읍 청소년문화의집에 과학실을 열었습니다. 여름방학 프로그램 신청을 받고 있습니다.", 1)], []),
]

COMMENTS = [
    ("AI 기반 CCTV", "resident@maeul.kr", "설치 후 골목이 훨씬 깨끗해졌어요. 나머지 세 곳도 기대합니다."),
    ("AI 기반 CCTV", "senior@maeul.kr", "밤에 다니기가 덜 무섭습니다. 고맙습니다."),
    ("시민참여 플랫폼", "resident2@maeul.kr", "글씨가 커서 보기 편합니다. 알림도 잘 옵니다."),
]
FOLLOWERS = [("AI 기반 CCTV", "resident2@maeul.kr"), ("수요응답형 모빌리티", "senior@maeul.kr"),
             ("시민참여 플랫폼", "resident@maeul.kr")]


def seed_demo() -> None:
    if db.session.scalar(select(Policy.id).where(Policy.title == POLICIES[0][0])) is not None:
        return
    staff = find_user_by_email("staff@maeul.kr")
    adopted = {p.title: p.id for p in db.session.scalars(
        select(Proposal).where(Proposal.status.in_(services.LINKABLE_STATUSES)))}
    now = utcnow()
    policies = {}
    for (title, division, field, when, budget, summary, steps, statuses, updates,
         proposal_titles) in POLICIES:
        horizon, (starts_on, ends_on) = (when, (None, None)) if isinstance(when, Horizon) else (None, when)
        policy = services.create_policy(
            staff, services.PolicyData(title=title, summary=summary, department=division, official_id=staff.id,
                                       horizon=horizon, starts_on=starts_on, ends_on=ends_on, budget_won=budget),
            field_slug=field, proposal_ids=[adopted[t] for t in proposal_titles if t in adopted],
            steps=[(name, weight) for name, weight, _, _ in steps])
        policy.created_at = now - timedelta(days=90)
        policy.status_changes[0].created_at = policy.created_at
        for step, (_, _, state, percent) in zip(policy.steps, steps):
            step.set_state(state, percent)
        for days, (status, reason) in enumerate(statuses):
            services.change_status(policy, staff, status, reason)
            policy.status_changes[-1].created_at = now - timedelta(days=80 - 30 * days)
        for days_ago, body, step_index in updates:
            update = services.post_update(policy, staff, body=body)
            update.created_at = now - timedelta(days=days_ago)
            if step_index is not None:
                step = policy.steps[step_index]
                update.step_id, update.step_state, update.step_percent = step.id, step.state, step.percent
        policies[title] = policy
    db.session.flush()
    for title, email in FOLLOWERS:
        services.follow(policies[title], find_user_by_email(email))
    for title, email, body in COMMENTS:
        update = db.session.scalar(select(PolicyUpdate).where(PolicyUpdate.policy_id == policies[title].id)
                                   .order_by(PolicyUpdate.id.desc()).limit(1))
        add_comment(find_user_by_email(email), TARGET_TYPE, update, body)
    db.session.flush()

