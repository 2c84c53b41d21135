"""Demo committee: the city's smart-city policy advisory committee with 12 members (an ex officio director,
11 appointed: 6 women and 5 men, two council members, two residents with Maeul accounts, one renewed term,
one term ending within 60 days, one member replaced after resigning), two past meetings with published
minutes, votes and a recusal, one upcoming meeting, and a members' request collecting signatures.
Its budget and meeting allowance are set here so that attendance creates allowances. Idempotent: it looks
for the committee by name."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.auth.services import find_user_by_email
from app.committees import queries
from app.committees.models import (
    CallBasis,
    Committee,
    DismissalReason,
    Gender,
    ItemOutcome,
    MemberCategory,
    Office,
    RecusalGround,
    RecusalKind,
    SubjectType,
    VoteChoice,
)
from app.committees.services import deliberation, meetings, membership, seoul_date, today
from app.core import utcnow
from app.extensions import db
from app.labs.models import Lab
from app.ledger.models import ProgrammeType
from app.ledger.services import funds
from app.policies.models import Policy
from app.proposals.models import Proposal

NAME = "아산시 스마트도시 정책자문위원회"
BUDGET_WON = 5_400_000
ALLOWANCE_WON = 100_000  # 회의 참석 수당
TRAVEL_WON = 20_000  # 교통비(실비)
F, M = Gender.FEMALE, Gender.MALE
C = MemberCategory

# name, gender, category, affiliation, account email or None
FIRST_SLATE = [  # appointed 690 days ago: their terms end within 60 days
    ("한지영", F, C.ACADEMIC, "순천향대학교 스마트시티학과 교수", None),
    ("오성민", M, C.EXPERT, "충남연구원 연구위원", None),
]
SECOND_SLATE = [  # appointed 400 days ago
    ("김도현", M, C.ACADEMIC, "호서대학교 건축토목공학부 교수", None),
    ("이수진", F, C.EXPERT, "아산시사회적경제지원센터 센터장", None),
    ("박준호", M, C.EXPERT, "(주)스마트모빌리티 연구소장", None),
    ("윤미경", F, C.COUNCIL, "아산시의회 의원", None),
    ("정태수", M, C.COUNCIL, "아산시의회 의원", None),
    ("박영희", F, C.RESIDENT, "탕정면 주민자치회 위원", "resident2@maeul.kr"),
    ("최민수", M, C.RESIDENT, "배방읍 마을활동가", "resident3@maeul.kr"),
    ("강은주", F, C.RESIDENT, "온양3동 통장", None),
    ("서혜린", F, C.OTHER, "아산시 청년정책네트워크 대표", None),
]
REPLACEMENT = ("문지혜", F, C.EXPERT, "충남정보문화산업진흥원 책임연구원", None)


def _at_two_pm(days_from_today: int):
    """14:00 Seoul time (05:00 UTC) on a day relative to today."""
    day = today() + timedelta(days=days_from_today)
    return datetime(day.year, day.month, day.day, 5, 0)


def _past(meeting, days_ago: int) -> None:
    """Demo meetings that already took place: called in the past, so their start is moved back."""
    meeting.starts_at = _at_two_pm(-days_ago)
    db.session.flush()


def _fund(committee: Committee, admin, year: int) -> None:
    if funds.budget_for(ProgrammeType.COMMITTEE, committee.id, year) is None:
        funds.create_budget(programme_type=ProgrammeType.COMMITTEE, programme_id=committee.id, fiscal_year=year,
                            allocated_won=BUDGET_WON, actor=admin)
    if funds.rule_for(ProgrammeType.COMMITTEE, committee.id) is None:
        funds.set_allowance_rule(programme_type=ProgrammeType.COMMITTEE, programme_id=committee.id,
                                 amount_per_session_won=ALLOWANCE_WON, monthly_cap_won=240_000, actor=admin)


def _nominate(committee, staff, spec, **extra):
    name, gender, category, affiliation, email = spec
    user = find_user_by_email(email) if email else None
    return membership.nominate_member(committee, staff, name=name, gender=gender, category=category,
                                      affiliation=affiliation, contact=f"041-540-{sum(map(ord, name)) % 9000 + 1000}",
                                      user_id=user.id if user else None, **extra)


def seed_demo() -> None:
    staff, admin = find_user_by_email("staff@maeul.kr"), find_user_by_email("admin@maeul.kr")
    if staff is None or admin is None or db.session.scalar(select(Committee.id).where(Committee.name == NAME)):
        return
    committee = membership.create_committee(
        staff, name=NAME, travel_expense_won=TRAVEL_WON,
        description="스마트도시 정책의 연구·개발, 지역계획, 주요 정책의 추진성과 평가와 주민 참여 활성화에 관하여 "
                    "시장의 자문에 응합니다.")
    now = today()
    first_start, second_start = now - timedelta(days=690), now - timedelta(days=400)
    director = membership.nominate_member(committee, staff, name="김정훈", gender=M, category=C.EX_OFFICIO,
                                          affiliation="아산시 스마트도시국장", contact="041-540-2000")
    first = [_nominate(committee, staff, spec) for spec in FIRST_SLATE]
    membership.appoint_members(committee, staff, [director.id, *[m.id for m in first]], first_start)
    second = [_nominate(committee, staff, spec) for spec in SECOND_SLATE]
    membership.appoint_members(committee, staff, [m.id for m in second], second_start)
    membership.renew_member(first[0], staff)  # 한지영: second and last term
    by_name = {m.name: m for m in [*first, *second]}
    membership.elect_officer(committee, staff, office=Office.CHAIR, member_id=by_name["최민수"].id,
                             elected_on=second_start, present=11, votes_for=8)
    membership.elect_officer(committee, staff, office=Office.VICE_CHAIR, member_id=by_name["한지영"].id,
                             elected_on=second_start, present=11, votes_for=9)
    replacement = _nominate(committee, staff, REPLACEMENT, replaces_id=by_name["이수진"].id)
    membership.dismiss_member(by_name["이수진"], staff, reason=DismissalReason.OWN_REQUEST,
                              note="센터 업무가 늘어 위원 활동이 어렵다는 사임서 제출", replacement_id=replacement.id)
    for year in sorted({(now - timedelta(days=120)).year, now.year}):
        _fund(committee, admin, year)
    _first_meeting(committee, staff, by_name)
    _second_meeting(committee, staff, by_name)
    _upcoming(committee, staff, by_name)
    db.session.flush()


def _present(committee, meeting, absent: tuple[str, ...]):
    return [m for m in queries.serving_members(committee.id, seoul_date(meeting.starts_at)) if m.name not in absent]


def _first_meeting(committee, staff, by_name) -> None:
    meeting = meetings.call_meeting(committee, staff, title=f"{(today() - timedelta(days=120)).year}년 제1차 정기회의",
                                    starts_at=utcnow() + timedelta(hours=1),
                                    place="아산시청 중회의실", basis=CallBasis.CHAIR)
    proposal = db.session.scalar(select(Proposal).order_by(Proposal.id).limit(1))
    policy = db.session.scalar(select(Policy).order_by(Policy.id).limit(1))
    parking = meetings.add_item(meeting, staff, title="주민 제안 사업의 스마트도시 계획 반영 검토",
                                subject_type=SubjectType.PROPOSAL if proposal else None,
                                subject_id=proposal.id if proposal else None,
                                description="주민 제안 중 채택된 의견을 스마트도시 계획에 반영할지 자문합니다.")
    platform = meetings.add_item(meeting, staff, title="시민참여 플랫폼 추진성과 평가",
                                 subject_type=SubjectType.POLICY if policy else None,
                                 subject_id=policy.id if policy else None)
    _past(meeting, 120)
    meetings.hold_meeting(meeting, staff)
    present = _present(committee, meeting, ("정태수", "서혜린"))
    meetings.record_attendance(meeting, staff, [m.id for m in present])
    deliberation.record_recusal(platform, staff, member_id=by_name["박준호"].id, kind=RecusalKind.SELF,
                                ground=RecusalGround.ADVISED, reason="플랫폼 구축 용역에 자문으로 참여함")
    deliberation.record_votes(parking, staff, {m.id: (VoteChoice.AGAINST if m.name == "김도현" else VoteChoice.FOR)
                                               for m in present}, "채택 제안 3건을 계획에 반영하도록 권고")
    deliberation.record_votes(platform, staff, {
        m.id: (VoteChoice.ABSTAIN if m.name in ("오성민", "윤미경") else VoteChoice.FOR)
        for m in present if m.name != "박준호"}, "시범 운영 지역을 넓히도록 권고")
    meetings.save_minutes(meeting, staff, "## 회의 결과\n\n1. 주민 제안 사업 반영: 원안 가결\n"
                                          "2. 시민참여 플랫폼 평가: 시범 운영 확대 권고 (박준호 위원 회피)")
    meetings.publish_meeting(meeting, staff)


def _second_meeting(committee, staff, by_name) -> None:
    meeting = meetings.call_meeting(committee, staff, title=f"{(today() - timedelta(days=30)).year}년 제2차 정기회의",
                                    starts_at=utcnow() + timedelta(hours=1),
                                    place="아산시청 소회의실", basis=CallBasis.CHAIR)
    lab = db.session.scalar(select(Lab).order_by(Lab.id).limit(1))
    item = meetings.add_item(meeting, staff, title="리빙랩 운영 방향 자문",
                             subject_type=SubjectType.LAB if lab else None, subject_id=lab.id if lab else None)
    _past(meeting, 30)
    meetings.hold_meeting(meeting, staff)
    present = _present(committee, meeting, ("김도현", "윤미경", "정태수", "강은주"))
    meetings.record_attendance(meeting, staff, [m.id for m in present])
    deliberation.close_item(item, staff, outcome=ItemOutcome.DISCUSSED,
                            note="어르신 참여를 늘리도록 모임을 낮 시간에 여는 것을 권고")
    meetings.save_minutes(meeting, staff, "## 회의 결과\n\n리빙랩 운영 방향에 대해 자문 의견을 드렸습니다.")
    meetings.publish_meeting(meeting, staff)


def _upcoming(committee, staff, by_name) -> None:
    meeting = meetings.call_meeting(committee, staff, title=f"{(today() + timedelta(days=14)).year}년 제3차 정기회의",
                                    starts_at=_at_two_pm(14), place="아산시청 중회의실",
                                    basis=CallBasis.CHAIR)
    meetings.add_item(meeting, staff, title="2027년 스마트도시 시행계획(안) 자문")
    meetings.add_item(meeting, staff, title="걷기 마일리지 사업 추진성과 평가")
    resident2 = find_user_by_email("resident2@maeul.kr")
    if resident2 is not None:
        meetings.create_request(committee, resident2, "스마트 버스정류장 민원이 늘어 임시회의를 요구합니다.")
