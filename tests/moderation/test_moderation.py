import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core import DomainError
from app.extensions import db
from app.moderation import services
from app.moderation.models import Report
from app.notifications.models import Notification
from app.search import query_index


def kinds_for(user):
    return db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()


def test_three_different_reporters_hide_content_pending_review(make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author, title="광고성 게시물 무료 쿠폰")
    reporters = [make_user() for _ in range(3)]
    for reporter in reporters[:2]:
        services.report_content(reporter, "proposal", proposal.id, "광고성 게시물입니다")
        db.session.commit()
    assert not proposal.hidden
    services.report_content(reporters[2], "proposal", proposal.id, "광고성 게시물입니다")
    db.session.commit()
    assert proposal.hidden and proposal.review_pending
    assert "content_hidden_pending" in kinds_for(author)
    action = db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == proposal.id))
    assert action == "moderation.auto_hide"
    assert query_index("쿠폰")[1] == 0
    assert query_index("쿠폰", viewer=author)[1] == 1


def test_one_report_per_account_by_the_database(make_proposal, make_user):
    proposal, reporter = make_proposal(), make_user()
    services.report_content(reporter, "proposal", proposal.id, "부적절한 내용입니다")
    db.session.commit()
    with pytest.raises(DomainError, match="already reported"):
        services.report_content(reporter, "proposal", proposal.id, "다시 신고합니다")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_reporting_rules(make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    with pytest.raises(DomainError, match="your own"):
        services.report_content(author, "proposal", proposal.id, "제 글입니다")
    with pytest.raises(DomainError, match="cannot be reported"):
        services.report_content(make_user(), "policy_budget", proposal.id, "없는 종류")
    with pytest.raises(DomainError, match="does not exist"):
        services.report_content(make_user(), "proposal", 999, "없는 제안")


def test_staff_hide_and_restore_with_reasons_the_author_sees(client, login, make_proposal, make_user):
    author, staff = make_user(), make_user(["staff"])
    proposal = make_proposal(author)
    services.report_content(make_user(), "proposal", proposal.id, "욕설이 포함되어 있습니다")
    db.session.commit()
    login(staff)
    assert proposal.title in client.get("/moderation/").get_data(as_text=True)
    response = client.post(f"/moderation/proposal/{proposal.id}/hide", data={"reason": "욕설이 포함되어 숨깁니다"})
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.hidden and not proposal.review_pending and proposal.hidden_reason == "욕설이 포함되어 숨깁니다"
    assert db.session.scalar(select(func.count()).select_from(Report).where(Report.resolved_at.is_(None))) == 0
    client.post("/logout")
    login(author)
    assert "욕설이 포함되어 숨깁니다" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "content_hidden" in kinds_for(author)
    client.post("/logout")
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert proposal.title not in client.get("/proposals/").get_data(as_text=True)
    login(staff)
    client.post(f"/moderation/proposal/{proposal.id}/restore", data={"reason": "검토 결과 문제없음"})
    db.session.refresh(proposal)
    assert not proposal.hidden and "content_restored" in kinds_for(author)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["moderation.hide", "moderation.restore"]


def test_a_decision_needs_a_reason(client, login, make_proposal, make_user):
    proposal = make_proposal()
    login(make_user(["staff"]))
    client.post(f"/moderation/proposal/{proposal.id}/hide", data={"reason": ""})
    db.session.refresh(proposal)
    assert not proposal.hidden


def test_residents_cannot_moderate(client, login, make_proposal, make_user):
    proposal = make_proposal()
    login(make_user())
    assert client.get("/moderation/").status_code == 403
    assert client.post(f"/moderation/proposal/{proposal.id}/hide", data={"reason": "숨겨 주세요"}).status_code == 403


def test_hidden_comments_show_a_placeholder_to_others(client, login, make_proposal, make_user, make_comment):
    proposal, author = make_proposal(), make_user()
    comment = make_comment(author, proposal, "숨겨질 댓글 내용")
    services.hide_content(make_user(["staff"]), "comment", comment, "개인정보가 포함되어 있습니다")
    db.session.commit()
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "숨겨질 댓글 내용" not in html
    assert client.get(f"/api/v1/proposals/{proposal.id}/comments").get_json()["items"][0]["body"] == ""
    assert query_index("댓글 내용")[1] == 0
    login(author)
    assert "숨겨질 댓글 내용" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_report_pages_and_api(client, login, auth_header, make_proposal, make_user, make_comment):
    proposal = make_proposal()
    comment = make_comment(make_user(), proposal)
    reporter = make_user()
    headers = auth_header(reporter)
    ok = client.post("/api/v1/reports", json={"target_type": "comment", "target_id": comment.id, "reason": "스팸입니다"},
                     headers=headers)
    assert ok.status_code == 201 and ok.get_json()["target_type"] == "comment"
    again = client.post("/api/v1/reports", json={"target_type": "comment", "target_id": comment.id,
                                                 "reason": "스팸입니다"}, headers=headers)
    assert again.status_code == 409
    bad = client.post("/api/v1/reports", json={"target_type": "lab", "target_id": "x", "reason": "", "more": 1},
                      headers=headers)
    assert bad.status_code == 422 and {"target_type", "target_id", "reason", "more"} <= set(bad.get_json()["errors"])
    assert client.post("/api/v1/reports", json={"target_type": "proposal", "target_id": proposal.id,
                                                "reason": "광고입니다"}).status_code == 401
    login(make_user())
    client.post(f"/moderation/report/proposal/{proposal.id}", data={"reason": "광고성 게시물입니다"})
    assert db.session.scalar(select(func.count()).select_from(Report)) == 2
    queue = client.get("/api/v1/moderation/queue", headers=auth_header(make_user(["staff"]))).get_json()
    assert queue["total"] == 2


def test_the_queue_runs_a_fixed_number_of_queries(client, login, make_proposal, make_user, make_comment,
                                                  count_queries):
    login(make_user(["staff"]))
    reporter = make_user()

    def report_some(n):
        for _ in range(n):
            proposal = make_proposal()
            comment = make_comment(make_user(), proposal)
            services.report_content(reporter, "proposal", proposal.id, "확인 부탁드립니다")
            services.report_content(reporter, "comment", comment.id, "확인 부탁드립니다")
        db.session.commit()

    report_some(1)
    with count_queries() as few:
        client.get("/moderation/")
    report_some(6)
    with count_queries() as many:
        client.get("/moderation/")
    assert len(many) == len(few)


def test_staff_hide_a_comment_from_the_thread(client, login, make_proposal, make_user, make_comment):
    proposal = make_proposal()
    comment = make_comment(make_user(), proposal, "개인 전화번호 010-0000-0000")
    login(make_user(["staff"]))
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'action="/moderation/comment/{comment.id}/hide"' in html
    response = client.post(f"/moderation/comment/{comment.id}/hide",
                           data={"reason": "개인정보가 있어 숨깁니다", "next": f"/proposals/{proposal.id}"})
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    db.session.refresh(comment)
    assert comment.hidden and comment.hidden_reason == "개인정보가 있어 숨깁니다"
