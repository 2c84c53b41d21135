"""Demo living labs, one in each stage plus a closed one, on the problems Asan residents named most
(illegal dumping, parking, elderly people living alone; seeds/003 lines 386-401). Safe to run twice:
a lab whose title exists is left alone."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import Role
from app.auth.services import create_user, find_user_by_email
from app.core import utcnow
from app.extensions import db
from app.labs.services import labs as services
from app.labs.services import sessions as session_services
from app.labs.services import workspace as ws
from app.labs.models import Lab, LabMode, LabStage, MemberGroup
from app.labs.models import ResourceKind

C, S, CO, E = MemberGroup.CITIZEN, MemberGroup.SUPPORTER, MemberGroup.COORDINATOR, MemberGroup.EXPERT

# (email, name, district, roles)
LAB_PEOPLE = [
    ("facilitator2@maeul.kr", "박지원", "onyang2", [Role.FACILITATOR]),
    ("lab1@maeul.kr", "김순옥", "onyang3", []),
    ("lab2@maeul.kr", "이재훈", "onyang1", []),
    ("lab3@maeul.kr", "최은정", "baebang", []),
    ("lab4@maeul.kr", "한동수", "onyang2", []),
    ("lab5@maeul.kr", "오미경", "tangjeong", []),
    ("lab6@maeul.kr", "윤상철", "onyang1", []),
]
MEMBERS = ["resident@maeul.kr", "resident2@maeul.kr", "resident3@maeul.kr", "senior@maeul.kr",
           "lab1@maeul.kr", "lab2@maeul.kr", "lab3@maeul.kr", "lab4@maeul.kr", "lab5@maeul.kr", "lab6@maeul.kr"]
GROUPS = [C, S, E, C, CO, C, E, S, C, C]
MOTIVATION = "우리 동네 문제를 이웃과 함께 해결하고 싶어 신청합니다."

LABS = [
    dict(title="온양3동 골목 쓰레기 무단투기 없애기 리빙랩", theme="waste", stage=LabStage.PROBLEM, district="onyang3",
         mode=LabMode.CITY_COMMISSIONED, proposal="온양3동 골목길 쓰레기 무단투기 CCTV 설치", capacity=12,
         budget=3_000_000, members=4,
         summary="시장 뒤편 골목에 밤마다 쓰레기가 무단으로 버려집니다. 아산 시민 설문에서 환경 부문 1위 문제(24%)로 꼽힌 "
                 "쓰레기 불법투기를, CCTV만이 아닌 주민이 함께 찾은 방법으로 줄여 봅니다."),
    dict(title="배방읍 학교 앞 불법 주차 줄이기 리빙랩", theme="parking", stage=LabStage.PLANNING, district="baebang",
         mode=LabMode.CITY_COMMISSIONED, proposal="배방읍 아파트 단지 주변 불법 주차 단속", capacity=10,
         budget=5_000_000, members=5,
         summary="등하굣길 초등학교 앞 이중 주차로 아이들이 위험합니다. 교통 부문 1위 문제인 주차문제(24%)를 학부모, "
                 "상인, 시청 교통과와 함께 풀어 봅니다."),
    dict(title="독거 어르신 안부 확인 스마트 돌봄 리빙랩", theme="care", stage=LabStage.PROTOTYPING, district="onyang2",
         mode=LabMode.CITY_COMMISSIONED, proposal="독거노인 안부 확인 스마트 돌봄 서비스", capacity=10,
         budget=8_000_000, members=6,
         summary="혼자 사는 어르신이 늘고 있지만 지원시설은 부족합니다(복지 부문 14%). 전력 사용량 센서와 이웃 안부 "
                 "확인을 함께 쓰는 돌봄 방법을 시험합니다."),
    dict(title="온양1동 전통시장 주차 공유 리빙랩", theme="parking", stage=LabStage.REVIEW, district="onyang1",
         mode=LabMode.RESIDENT_LED, proposal=None, capacity=8, budget=2_000_000, members=5,
         summary="주말마다 전통시장 주변이 주차 전쟁입니다. 교회와 학교 주차장을 시간제로 나누어 쓰는 방법을 시험하고 "
                 "데이터로 돌아봅니다."),
    dict(title="탕정면 분리수거 개선 리빙랩", theme="waste", stage=LabStage.SHARING, district="tangjeong",
         mode=LabMode.RESIDENT_LED, proposal=None, capacity=8, budget=None, members=5,
         summary="분리수거가 제대로 되지 않는 문제(환경 부문 18%)를 아파트 주민과 함께 풀었습니다. 이제 결과를 나누고 "
                 "서로 칭찬합니다."),
    dict(title="온양2동 어르신 말벗 리빙랩", theme="care", stage=LabStage.CLOSED, district="onyang2",
         mode=LabMode.RESIDENT_LED, proposal=None, capacity=6, budget=1_500_000, members=4,
         summary="경로당에 오지 않는 홀몸 어르신께 이웃이 주 1회 전화와 방문으로 말벗이 되어 드린 리빙랩입니다."),
]


def _people() -> dict[str, object]:
    for email, name, district, roles in LAB_PEOPLE:
        if find_user_by_email(email) is None:
            create_user(email=email, password=DEMO_PASSWORD, display_name=name, roles=roles, district=district,
                        birth_year=1968)
    db.session.flush()
    return {email: find_user_by_email(email) for email in MEMBERS + ["facilitator@maeul.kr", "facilitator2@maeul.kr"]}


def _proposal_id(title: str | None) -> list[int]:
    if title is None:
        return []
    from app.proposals.models import Proposal

    found = db.session.scalar(select(Proposal.id).where(Proposal.title == title))
    return [found] if found else []


def seed_demo() -> None:
    people = _people()
    today = date.today()
    for index, spec in enumerate(LABS):
        if db.session.scalar(select(Lab.id).where(Lab.title == spec["title"])) is not None:
            continue
        facilitator = people["facilitator@maeul.kr" if index % 2 == 0 else "facilitator2@maeul.kr"]
        if facilitator is None:
            continue
        _build(spec, index, facilitator, people, today)
        db.session.flush()


def _build(spec, index, facilitator, people, today) -> None:
    target = spec["stage"]
    proposal_ids = _proposal_id(spec["proposal"])
    mode = spec["mode"] if proposal_ids else LabMode.RESIDENT_LED
    weeks_in = (target.number or 6) * 3
    lab = services.create_lab(
        facilitator, title=spec["title"], summary=spec["summary"], mode=mode, district=spec["district"],
        capacity=spec["capacity"], budget_won=spec["budget"], proposal_ids=proposal_ids,
        recruitment_deadline=(today + timedelta(days=14) if target is LabStage.PROBLEM
                              else today - timedelta(days=weeks_in * 7 - 7)),
        starts_on=today - timedelta(days=weeks_in * 7), ends_on=today + timedelta(days=60 - index * 10))
    fits = index + spec["members"] <= len(MEMBERS)
    emails = MEMBERS[index:index + spec["members"]] if fits else MEMBERS[:spec["members"]]
    members = []
    for email, group in zip(emails, GROUPS[index:] + GROUPS):
        user = people.get(email)
        if user is None:
            continue
        membership = services.apply(lab, user, motivation=MOTIVATION, group=group,
                                    today=min(today, lab.recruitment_deadline))
        services.decide_application(membership, facilitator, accept=True)
        members.append(user)
    if target is LabStage.PROBLEM:  # still recruiting: one application waits for a decision
        waiting = people.get("lab6@maeul.kr")
        if waiting is not None and lab.membership_of(waiting) is None:
            services.apply(lab, waiting, motivation="골목 청소 봉사를 10년째 하고 있습니다. 함께하고 싶어요.",
                           group=S, today=today)
    _sessions(lab, facilitator, members, target)
    _stage_one(lab, facilitator, members, spec["theme"], complete=target is not LabStage.PROBLEM)
    for stage, work in ((LabStage.PLANNING, _stage_two), (LabStage.PROTOTYPING, _stage_three),
                        (LabStage.REVIEW, _stage_four), (LabStage.SHARING, _stage_five)):
        if target.number is not None and target.number < stage.number:
            break
        services.advance_stage(lab, facilitator, None)
        work(lab, facilitator, members, spec["theme"], complete=target is not stage)
    if target is LabStage.CLOSED:
        services.advance_stage(lab, facilitator, None)
        lab.closed_at = utcnow() - timedelta(days=3)


def _sessions(lab, facilitator, members, target) -> None:
    """Past sessions with attendance; the closed lab has most members at every one (certificates need 80%)."""
    held = {LabStage.PROBLEM: 1, LabStage.PLANNING: 2, LabStage.PROTOTYPING: 3, LabStage.REVIEW: 4,
            LabStage.SHARING: 5, LabStage.CLOSED: 5}[target]
    now = utcnow()
    titles = ["첫 만남: 우리 동네 문제 이야기", "자원 지도 함께 그리기", "실행 계획 세우기", "프로토타입 현장 시험",
              "데이터로 돌아보기"]
    for number in range(held):
        # 01:00 UTC is 10:00 in Seoul
        starts = (now - timedelta(days=7 * (held - number))).replace(hour=1, minute=0, second=0, microsecond=0)
        online = number == 2
        session = session_services.create_session(
            lab, facilitator, title=titles[number], starts_at=starts, ends_at=starts + timedelta(hours=2),
            place=None if online else "행정복지센터 2층 회의실",
            meeting_url="https://meet.maeul.kr/lab-%d" % lab.id if online else None)
        for position, member in enumerate(members):
            skips = position == len(members) - 1 and number % 2 == 1  # the last member misses every other session
            if not skips:
                session_services.record_attendance(session, member.id, facilitator, now=starts + timedelta(minutes=10))
    if target is not LabStage.CLOSED:
        starts = (now + timedelta(days=5)).replace(hour=10, minute=0, second=0, microsecond=0)  # 19:00 in Seoul
        session_services.create_session(lab, facilitator, title="다음 정기 모임", starts_at=starts,
                                        ends_at=starts + timedelta(hours=2), place="마을 공유 공간")


# Per theme: three problem cards, a prototype (title, description, test log) and its feedback.
THEMES = {
    "waste": dict(
        problems=[("밤마다 같은 곳에 쌓이는 쓰레기", "시장 뒤 골목 전봇대 아래에 밤 10시 이후 쓰레기봉투가 쌓이고 아침이면 고양이가 뜯어 놓습니다."),
                  ("누가 버리는지 알 수 없어요", "CCTV가 없는 골목이라 신고해도 단속이 어렵다고 합니다. 이웃끼리 얼굴 붉히기도 싫습니다."),
                  ("분리배출 요일을 몰라요", "새로 이사 온 세입자와 외국인 주민은 배출 요일과 방법을 잘 모릅니다.")],
        prototype=("말하는 안내판과 꽃 화단", "상습 투기 지점에 사람이 다가가면 음성 안내가 나오는 안내판을 달고 화단을 만듭니다.",
                   "1주차: 2곳 설치. 2주차: 1곳에서 투기가 사라짐. 음성이 너무 커서 밤에는 줄임.")),
    "parking": dict(
        problems=[("등굣길 이중 주차", "아침 8시 20분부터 학교 정문 앞 도로 양쪽에 차가 서서 아이들이 차 사이로 걸어갑니다."),
                  ("주말 시장 주변 주차 전쟁", "주말마다 시장 손님 차가 주택가 골목까지 들어와 주민 차가 나가지 못합니다."),
                  ("비어 있는 주차장", "교회와 학교 주차장은 평일 낮과 주말에 비어 있는데 나누어 쓸 방법이 없습니다.")],
        prototype=("시간제 공유 주차 안내", "교회·학교 주차장의 빈 시간을 안내판과 문자로 알려 시장 손님이 쓰게 합니다.",
                   "1주차: 주차면 20면 공유. 3주차: 이용이 늘자 골목 주차가 눈에 띄게 줄어듦.")),
    "care": dict(
        problems=[("며칠째 연락이 안 되는 어르신", "혼자 사시는 어르신이 편찮으셔도 알릴 사람이 없어 며칠 뒤에야 발견된 일이 있었습니다."),
                  ("경로당에 오지 않는 분들", "거동이 불편하거나 사람을 만나기 꺼리는 어르신은 경로당 프로그램에 오지 않습니다."),
                  ("스마트폰이 어려워요", "어르신들은 안부 확인 앱을 설치하고 쓰기 어려워합니다.")],
        prototype=("안부 확인 알림 서비스 시험판",
                   "전력 사용량이 12시간 넘게 변하지 않으면 이웃 돌봄이와 동 주민센터에 문자를 보냅니다.",
                   "1주차: 어르신 5가구에 센서 설치. 2주차: 오경보 2건, 기준 시간을 조정함.")),
}
FEEDBACK = [(5, "직접 보니 효과가 있을 것 같아 기대됩니다."), (4, "조금만 다듬으면 다른 동에도 쓸 수 있겠어요."),
            (4, "<b>설치</b>가 간단했습니다."), (3, "안내가 더 눈에 잘 띄면 좋겠습니다.")]


def _stage_one(lab, facilitator, members, theme, complete) -> None:
    if not members:
        return
    cards = [ws.write_problem(lab, members[i % len(members)], title=t, body=b)
             for i, (t, b) in enumerate(THEMES[theme]["problems"])]
    for member in members[:3]:
        ws.set_empathy(cards[0], member, True)
    ws.set_empathy(cards[1], members[-1], True)
    ws.add_resource(lab, facilitator, kind=ResourceKind.PLACE, name="행정복지센터 2층 회의실",
                    description="매주 모임 장소", latitude=36.7898, longitude=127.0018)
    ws.add_resource(lab, members[0], kind=ResourceKind.ORGANISATION, name="주민자치회",
                    description="마을 일을 함께 의논하는 주민 모임")
    if complete:
        ws.add_resource(lab, facilitator, kind=ResourceKind.DATASET, name="아산시 공공데이터(민원 현황)",
                        url="https://www.data.go.kr/")


def _stage_two(lab, facilitator, members, theme, complete) -> None:
    ws.add_goal(lab, facilitator, "6개월 안에 대상 지역의 민원을 절반으로 줄인다")
    ws.add_goal(lab, facilitator, "주민 스스로 유지할 수 있는 방법을 만든다")
    owner = members[0] if members else facilitator
    ws.add_task(lab, facilitator, title="문제 지점 사진 조사", owner_id=owner.id, due_on=date.today() + timedelta(days=7))
    ws.add_task(lab, facilitator, title="시청 담당 부서와 협의", owner_id=facilitator.id, due_on=None)
    if complete:
        from app.labs.models import LabMembership
        for membership in db.session.scalars(select(LabMembership).where(LabMembership.lab_id == lab.id)).all()[:3]:
            ws.set_member_role(membership, facilitator, ["현장 조사", "기록", "주민 홍보"][membership.id % 3])


def _stage_three(lab, facilitator, members, theme, complete) -> None:
    title, description, test_log = THEMES[theme]["prototype"]
    first = ws.add_prototype(lab, facilitator, title=title, description=description, test_log=test_log)
    ws.add_prototype(lab, members[0] if members else facilitator, title="활동 기록표",
                     description="참여자가 현장에 나갈 때마다 기록표에 적고 사진으로 올립니다.")
    for position, (rating, comment) in enumerate(FEEDBACK):
        author = members[position] if position < len(members) and position % 2 == 0 else None
        ws.give_feedback(first, lab, author, rating=rating, comment=comment)


def _stage_four(lab, facilitator, members, theme, complete) -> None:
    csv_text = "주,관련 민원(건),참여 가구(곳)\n1주,42,3\n2주,38,12\n3주,29,25\n4주,21,31\n5주,18,36\n"
    ws.import_dataset(lab, facilitator, name="주별 민원 건수와 참여 가구", filename="weekly.csv",
                      data=csv_text.encode("utf-8"))
    ws.record_kpi(lab, facilitator, name="주간 관련 민원", unit="건", target=20, actual=18)
    ws.record_kpi(lab, facilitator, name="참여 가구", unit="곳", target=40, actual=36)
    if complete:
        ws.write_text(lab, facilitator, "findings",
                      "시험을 시작한 뒤 5주 만에 주간 민원이 42건에서 18건으로 줄었습니다. "
                      "참여 가구가 늘어난 주마다 민원이 줄어 두 값이 뚜렷하게 반대로 움직였습니다.")


def _stage_five(lab, facilitator, members, theme, complete) -> None:
    ws.write_text(lab, facilitator, "retrospective",
                  "잘한 점: 매주 모임에 빠지지 않은 주민 덕분에 현장 조사가 꼼꼼했습니다.\n\n"
                  "아쉬운 점: 외국인 주민 참여가 적었습니다. 다음에는 통역 봉사자와 함께하겠습니다.")
    for giver, receiver in zip(members, members[1:] + members[:1]):
        ws.give_praise(lab, giver, to_user_id=receiver.id,
                       message=f"{receiver.display_name} 님, 궂은 날씨에도 현장 조사에 나와 주셔서 고맙습니다!")
    if complete:
        ws.write_text(lab, facilitator, "results_summary",
                      "주민 참여로 문제 지점이 8곳에서 2곳으로 줄었습니다. 만든 안내 방법은 다른 동에도 나눕니다.")
