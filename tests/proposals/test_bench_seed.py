"""`flask seed bench` at a small scale: the requested counts, unique supports, exact counters, sane threads;
and the list's answers on that data (deep pages, hidden proposals), which the benchmark's speed-ups must keep."""
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.bench import BENCH_EMAIL_DOMAIN
from app.comments.models import Comment
from app.extensions import db
from app.proposals.models import OfficialAnswer, Proposal, ProposalStatus, Support

SMALL = ["--proposals", "300", "--supports", "6000", "--comments", "5000", "--hot", "2", "--users", "400",
         "--index-comments", "500"]


def _scalar(query):
    return db.session.scalar(query)


def test_seed_bench_loads_the_requested_counts_with_exact_counters(runner):
    result = runner.invoke(args=["seed", "bench", *SMALL])
    assert result.exit_code == 0, result.output
    assert "Loaded 401 users, 300 proposals, 6,000 supports, 5,000 comments" in result.output

    assert _scalar(select(func.count()).select_from(Proposal)) == 300
    assert _scalar(select(func.count()).select_from(Support)) == 6000
    assert _scalar(select(func.count()).select_from(Comment)) == 5000
    assert _scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{BENCH_EMAIL_DOMAIN}"))) == 401
    # Denormalized counters equal the rows for every proposal.
    support_rows = select(func.count()).where(Support.proposal_id == Proposal.id).scalar_subquery()
    comment_rows = (select(func.count()).where(Comment.target_type == "proposal", Comment.target_id == Proposal.id)
                    .scalar_subquery())
    assert _scalar(select(func.count()).select_from(Proposal).where(Proposal.support_count != support_rows)) == 0
    assert _scalar(select(func.count()).select_from(Proposal).where(Proposal.comment_count != comment_rows)) == 0
    # The hot proposals hold most of the comments.
    hot = list(db.session.scalars(select(Proposal.comment_count).order_by(Proposal.comment_count.desc()).limit(2)))
    assert hot == [1250, 1250]


def test_seed_bench_threads_statuses_and_answers_are_consistent(runner):
    assert runner.invoke(args=["seed", "bench", *SMALL]).exit_code == 0

    parent = db.aliased(Comment)
    wrong_depth = (select(func.count()).select_from(Comment).join(parent, parent.id == Comment.parent_id)
                   .where((Comment.depth != parent.depth + 1) | (parent.target_id != Comment.target_id)))
    assert _scalar(wrong_depth) == 0
    assert _scalar(select(func.max(Comment.depth))) == 2
    assert _scalar(select(func.count()).select_from(Comment).where(
        Comment.parent_id.is_not(None), Comment.root_id.is_(None))) == 0
    answered = _scalar(select(func.count()).select_from(Proposal).where(Proposal.answered_at.is_not(None)))
    assert answered > 0
    assert _scalar(select(func.count()).select_from(OfficialAnswer)) == answered
    assert _scalar(select(func.count()).select_from(Proposal).where(
        Proposal.status == ProposalStatus.OPEN, Proposal.support_count >= 100)) == 0


def test_seed_bench_pages_and_search_work_on_the_data(runner, client):
    assert runner.invoke(args=["seed", "bench", *SMALL]).exit_code == 0

    hot_id = _scalar(select(Proposal.id).order_by(Proposal.comment_count.desc()).limit(1))
    page = client.get(f"/proposals/{hot_id}")
    assert page.status_code == 200
    assert f"/proposals/{hot_id}?after=" in page.get_data(as_text=True)  # the "more comments" link
    listing = client.get("/proposals/?q=주차 문제")
    assert listing.status_code == 200
    titles = list(db.session.scalars(select(Proposal.title).where(Proposal.body.contains("주차 문제"))))
    assert titles
    assert any(title in listing.get_data(as_text=True) for title in titles)


def test_seed_bench_refuses_to_load_twice_and_rejects_impossible_sizes(runner):
    assert runner.invoke(args=["seed", "bench", *SMALL]).exit_code == 0
    again = runner.invoke(args=["seed", "bench", *SMALL])
    assert again.exit_code != 0
    assert "already loaded" in again.output
    assert _scalar(select(func.count()).select_from(Proposal)) == 300

    too_many = runner.invoke(args=["seed", "bench", "--proposals", "10", "--hot", "1", "--users", "5", "--supports", "51"])
    assert too_many.exit_code != 0
    assert "raise --users" in too_many.output


def _listed_ids(html: str) -> list[int]:
    return list(dict.fromkeys(int(i) for i in re.findall(r'<h3><a href="/proposals/(\d+)"', html)))


@pytest.mark.parametrize("sort, order", [
    ("latest", (Proposal.created_at.desc(), Proposal.id.desc())),
    ("supports", (Proposal.support_count.desc(), Proposal.id.desc())),
    ("comments", (Proposal.comment_count.desc(), Proposal.id.desc())),
])
def test_every_list_page_shows_the_proposals_in_sort_order(runner, client, sort, order):
    assert runner.invoke(args=["seed", "bench", *SMALL]).exit_code == 0
    visible = select(Proposal.id).where(Proposal.hidden.is_(False)).order_by(*order)
    last = (_scalar(select(func.count()).select_from(Proposal).where(Proposal.hidden.is_(False))) + 19) // 20
    for page in (1, 2, last // 2, last):
        expected = list(db.session.scalars(visible.limit(20).offset((page - 1) * 20)))
        assert _listed_ids(client.get(f"/proposals/?sort={sort}&page={page}").get_data(as_text=True)) == expected
    assert _listed_ids(client.get(f"/proposals/?sort={sort}&page={last + 1}").get_data(as_text=True)) == []


def test_a_hidden_proposal_is_listed_for_its_author_and_staff_only(runner, client, login, make_user):
    assert runner.invoke(args=["seed", "bench", *SMALL]).exit_code == 0
    hidden = db.session.scalar(select(Proposal).where(Proposal.hidden.is_(True)).limit(1))
    author = db.session.get(User, hidden.author_id)
    url = f"/proposals/?field={hidden.field.slug}&district={hidden.district or ''}&sort=latest"

    assert hidden.id not in _listed_ids(client.get(url).get_data(as_text=True))
    login(make_user())
    assert hidden.id not in _listed_ids(client.get(url).get_data(as_text=True))
    client.post("/logout")
    login(author, password="bench-password")
    assert hidden.id in _listed_ids(client.get(url).get_data(as_text=True))
    client.post("/logout")
    login(make_user(roles=["staff"]))
    assert hidden.id in _listed_ids(client.get(url).get_data(as_text=True))
