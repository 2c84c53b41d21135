"""The home page says what is happening now: counts, proposals near a threshold, countdowns, next steps."""
from __future__ import annotations

from datetime import timedelta

from app.core import utcnow
from app.extensions import db
from app.labs.models.lab import LabMode, LabStage
from app.labs.models.membership import MemberGroup
from app.labs.services import labs as lab_services
from app.labs.services import sessions as session_services
from app.labs.views import seoul_today
from app.main.now import compute_site_counts, site_counts
from app.notifications.services import notify
from app.proposals import services as proposal_services
from app.proposals.choices import proposal_settings, update_settings
from app.proposals.models import AnswerStatus
from app.proposals.thresholds import close_to_threshold, next_threshold
from tests.factories import choices, make_proposal, request_context  # noqa: F401  (fixtures)


def make_lab(facilitator, title="골목 쓰레기 없애기 리빙랩", stage=LabStage.PROBLEM, deadline_days=5):
    today = seoul_today()  # deadlines are Korean calendar days (UTC is a day behind after 15:00)
    lab = lab_services.create_lab(
        facilitator, title=title, summary="골목마다 쓰레기가 무단으로 버려져 주민들이 불편을 겪고 있습니다.",
        mode=LabMode.RESIDENT_LED, district="onyang1", capacity=10,
        recruitment_deadline=today + timedelta(days=deadline_days), starts_on=today, ends_on=today + timedelta(days=90))
    lab.stage = stage
    db.session.commit()
    return lab


def support(proposal, users):
    for user in users:
        proposal_services.support_proposal(user, proposal)
    db.session.commit()


def low_thresholds(staff):
    update_settings(staff, forum_threshold=3, answer_threshold=6, answer_days=30)
    db.session.commit()


def test_counts_are_exact(make_user, make_proposal):
    staff = make_user(["staff"])
    quiet = make_user()  # has an account but took no part
    author, supporter = make_user(), make_user()
    first = make_proposal(author)
    second = make_proposal(author, title="도서관 운영 시간 연장")
    support(first, [supporter])
    proposal_services.answer_proposal(staff, first, body="검토한 결과 채택합니다. 내년 예산에 반영하겠습니다.",
                                      status=AnswerStatus.ADOPTED, department="교통과")
    proposal_services.answer_proposal(staff, second, body="담당 부서에서 검토하고 있습니다. 곧 알려 드리겠습니다.",
                                      status=AnswerStatus.UNDER_REVIEW, department="교육과")
    make_lab(make_user(["facilitator"]))
    make_lab(make_user(["facilitator"]), title="끝난 리빙랩", stage=LabStage.CLOSED)
    db.session.commit()
    counts = compute_site_counts()
    assert quiet.id
    # Residents taking part: the author and the supporter (staff answering is not taking part).
    assert counts == {"residents": 2, "proposals_this_month": 2, "answers": 1, "labs_running": 1}


def test_proposals_of_last_month_are_not_counted_this_month(make_user, make_proposal):
    proposal = make_proposal()
    proposal.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    assert compute_site_counts()["proposals_this_month"] == 0


def test_counts_are_cached_for_the_statistics_period(app, make_proposal):
    app.config["STATS_CACHE_SECONDS"] = 60
    try:
        before = site_counts()
        make_proposal()
        assert site_counts() == before  # cached
    finally:
        app.config["STATS_CACHE_SECONDS"] = 0
    assert site_counts()["proposals_this_month"] == before["proposals_this_month"] + 1


def test_next_threshold_follows_the_settings(make_user):
    settings = proposal_settings()  # 100 open a forum, 1,000 oblige an answer
    progress = next_threshold(40, settings)
    assert (progress.kind, progress.threshold, progress.missing, progress.percent) == ("forum", 100, 60, 40)
    progress = next_threshold(250, settings)
    assert (progress.kind, progress.threshold, progress.missing, progress.percent) == ("answer", 1000, 750, 25)
    assert next_threshold(1000, settings) is None
    assert next_threshold(500, settings, answer_due_at=utcnow()) is None  # already due an answer


def test_close_to_threshold_orders_by_share_and_skips_hidden_and_withdrawn(make_user, make_proposal):
    staff = make_user(["staff"])
    low_thresholds(staff)
    people = [make_user() for _ in range(5)]
    one, two, four, withdrawn = (make_proposal(title=f"제안 {n}번 골목길 정비") for n in range(4))
    make_proposal(title="공감이 없는 제안입니다")
    support(one, people[:1])  # 1 of 3
    support(two, people[:2])  # 2 of 3
    support(four, people[:3])  # forum reached: 3 of 6
    support(withdrawn, people[:2])
    withdrawn.withdraw()
    db.session.commit()
    near = close_to_threshold(proposal_settings())
    assert [(n.id, n.progress.supports, n.progress.threshold) for n in near] == [
        (two.id, 2, 3), (four.id, 3, 6), (one.id, 1, 3)]


def test_home_page_shows_counts_progress_and_countdowns(client, make_user, make_proposal):
    staff = make_user(["staff"])
    low_thresholds(staff)
    proposal = make_proposal(title="초등학교 통학로 보행로 분리")
    support(proposal, [make_user() for _ in range(2)])
    make_lab(make_user(["facilitator"]), title="혼자 사는 어르신 돌봄 리빙랩", deadline_days=2)
    html = client.get("/").get_data(as_text=True)
    assert "참여한 주민" in html and "이번 달 제안" in html
    assert "초등학교 통학로 보행로 분리" in html and '<progress max="3" value="2"' in html
    assert "앞으로 1명 더 공감하면" in html
    assert "혼자 사는 어르신 돌봄 리빙랩" in html and 'class="countdown soon"' in html and "2일 남음" in html


def test_home_page_runs_a_fixed_number_of_queries(client, login, make_user, make_proposal, count_queries):
    resident = make_user()
    facilitator = make_user(["facilitator"])
    login(resident)

    def add_activity(n):
        for i in range(n):
            proposal = make_proposal(resident, title=f"주민 제안 {i}번 골목 가로등 설치")
            support(proposal, [make_user()])
            lab = make_lab(facilitator, title=f"리빙랩 {i}번 우리 동네")
            membership = lab_services.apply(lab, resident, motivation="동네 문제를 함께 풀고 싶습니다.",
                                            group=MemberGroup.CITIZEN, today=seoul_today())
            lab_services.decide_application(membership, facilitator, accept=True)
            start = utcnow() + timedelta(days=i + 1)
            session_services.create_session(lab, facilitator, title=f"{i}번째 모임", starts_at=start,
                                            ends_at=start + timedelta(hours=2), place="온양1동 주민센터")
            notify([resident.id], "proposal_forum", url="/", title="제안", count=1)
        db.session.commit()

    add_activity(1)
    client.get("/")
    db.session.expire_all()  # as after add_activity's commit: the signed-in user is read again
    with count_queries() as few:
        client.get("/")
    add_activity(6)
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
    assert len(many) == len(few) <= 24
    assert "다음 할 일" in html and "1번째 모임" not in html and "0번째 모임" in html


def test_a_resident_sees_the_answer_to_their_proposal_as_a_next_step(client, login, make_user, make_proposal):
    resident, staff = make_user(), make_user(["staff"])
    proposal = make_proposal(resident, title="버스 정류장 온열 의자 설치")
    login(resident)
    assert "기다리는 일이 없습니다" in client.get("/").get_data(as_text=True)
    proposal_services.answer_proposal(staff, proposal, body="검토한 결과 채택합니다. 내년 예산에 반영하겠습니다.",
                                      status=AnswerStatus.ADOPTED, department="교통과")
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "내 제안에 시에서 답변했습니다" in html and f'href="/proposals/{proposal.id}"' in html


def test_anonymous_visitors_get_no_next_steps_and_no_resident_menu(client):
    html = client.get("/").get_data(as_text=True)
    assert "다음 할 일" not in html
    assert 'href="/walking/"' not in html and "내 참여수당" not in html
    assert 'class="header-search"' in html and 'name="q"' in html


def test_the_proposal_page_shows_the_threshold_and_the_answer_date(client, make_user, make_proposal):
    staff = make_user(["staff"])
    low_thresholds(staff)
    proposal = make_proposal()
    support(proposal, [make_user() for _ in range(2)])
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert '<progress max="3" value="2"' in html and "공개 토론까지" in html
    assert "6명이 공감하면 시가 30일 안에 공식 답변" in html
    support(proposal, [make_user() for _ in range(4)])
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    due = proposal.answer_due_at
    assert due is not None and "공식 답변 기한" in html and f"{due.year}년" in html
    assert "<progress" not in html.split('class="answer-due"', 1)[1].split("</section>", 1)[0]
