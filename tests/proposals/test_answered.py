""""Answered" means a final answer: a reply "under review" shows no answered mark, matches the unanswered
filter (pages and API), keeps the proposal due an answer and does not count in the answer statistics."""
from app.extensions import db
from app.proposals import services
from app.proposals.models import AnswerStatus
from app.stats.dashboard import working_figures
from app.stats.queries import answer_times


def _two_proposals(make_proposal, make_user):
    staff = make_user(["staff"])
    reviewing = make_proposal(title="경로당 앞 횡단보도 설치 요청")
    decided = make_proposal(title="공원 산책로 가로등 교체 요청")
    for proposal in (reviewing, decided):
        proposal.answer_due_at = proposal.created_at
    services.answer_proposal(staff, reviewing, body="관련 부서가 검토 중입니다.", status=AnswerStatus.UNDER_REVIEW)
    services.answer_proposal(staff, decided, body="내년 예산에 반영합니다.", status=AnswerStatus.ADOPTED)
    db.session.commit()
    return staff, reviewing, decided


def _results(html: str) -> str:
    return html.split("</form>", 1)[1]  # after the filter form, whose labels also say "답변완료"


def test_the_answered_mark_and_filter_on_pages(client, make_proposal, make_user):
    _, reviewing, decided = _two_proposals(make_proposal, make_user)
    ko = {"Accept-Language": "ko"}
    assert reviewing.answered is False and decided.answered is True
    detail = client.get(f"/proposals/{reviewing.id}", headers=ko).get_data(as_text=True)
    assert "answered-mark" not in detail and "검토 중" in detail
    assert "answered-mark" in client.get(f"/proposals/{decided.id}", headers=ko).get_data(as_text=True)
    answered = _results(client.get("/proposals/?answered=1", headers=ko).get_data(as_text=True))
    assert decided.title in answered and reviewing.title not in answered
    unanswered = _results(client.get("/proposals/?answered=0", headers=ko).get_data(as_text=True))
    assert reviewing.title in unanswered and decided.title not in unanswered
    listing = client.get("/proposals/", headers=ko).get_data(as_text=True)
    assert listing.count("answered-mark") == 1


def test_the_answered_filter_and_field_in_the_api(client, make_proposal, make_user):
    _, reviewing, decided = _two_proposals(make_proposal, make_user)
    answered = client.get("/api/v1/proposals?answered=true").get_json()
    assert [item["id"] for item in answered["items"]] == [decided.id]
    unanswered = client.get("/api/v1/proposals?answered=false").get_json()
    assert [item["id"] for item in unanswered["items"]] == [reviewing.id]
    assert client.get(f"/api/v1/proposals/{reviewing.id}").get_json()["answered"] is False


def test_counts_a_reply_under_review_as_still_owed(app, make_proposal, make_user):
    staff, reviewing, decided = _two_proposals(make_proposal, make_user)
    figures = working_figures()
    assert figures["answers_due"] == 1 and figures["answers_overdue"] == 1
    assert answer_times().extra["answered"] == 1
    # A decision after the review answers it; going back to "under review" withdraws the answered mark.
    services.answer_proposal(staff, reviewing, body="설치하기로 했습니다.", status=AnswerStatus.ADOPTED)
    db.session.commit()
    assert reviewing.answered and working_figures()["answers_due"] == 0
    services.answer_proposal(staff, decided, body="다시 검토합니다.", status=AnswerStatus.UNDER_REVIEW)
    db.session.commit()
    assert not decided.answered and working_figures()["answers_due"] == 1
