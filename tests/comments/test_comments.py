import pytest
from sqlalchemy import select

from app.comments import services
from app.comments.models import Comment, Stance
from app.comments.permissions import can_delete_comment, can_edit_comment, can_reply
from app.core import DomainError, NotAllowed
from app.extensions import db
from app.notifications.models import Notification


def test_threads_go_three_levels_deep(make_proposal, make_user, make_comment):
    proposal, a, b = make_proposal(), make_user(), make_user()
    top = make_comment(a, proposal, stance=Stance.FOR_)
    reply = make_comment(b, proposal, "저도 같은 생각입니다.", parent=top)
    deepest = make_comment(a, proposal, "감사합니다.", parent=reply)
    assert (top.depth, reply.depth, deepest.depth) == (0, 1, 2)
    assert deepest.root_id == top.id and reply.root_id == top.id
    with pytest.raises(DomainError, match="three levels"):
        services.add_comment(b, "proposal", proposal, "더 깊은 답글", parent_id=deepest.id)
    db.session.rollback()
    db.session.refresh(proposal)
    assert proposal.comment_count == 3


def test_only_top_level_comments_take_a_stance(make_proposal, make_user, make_comment):
    proposal = make_proposal()
    top = make_comment(make_user(), proposal)
    with pytest.raises(DomainError, match="top-level"):
        services.add_comment(make_user(), "proposal", proposal, "반대합니다", parent_id=top.id, stance=Stance.AGAINST)


def test_a_reply_must_belong_to_the_same_proposal(make_proposal, make_user, make_comment):
    first, second = make_proposal(), make_proposal()
    elsewhere = make_comment(make_user(), first)
    with pytest.raises(DomainError, match="does not exist"):
        services.add_comment(make_user(), "proposal", second, "답글입니다", parent_id=elsewhere.id)


def test_a_reply_notifies_the_parent_author(make_proposal, make_user, make_comment):
    proposal, a, b = make_proposal(), make_user(), make_user()
    top = make_comment(a, proposal)
    make_comment(b, proposal, "답글입니다", parent=top)
    make_comment(a, proposal, "제 글에 제가 답글", parent=top)
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == a.id)).all()
    assert kinds == ["comment_reply"]


def test_edit_and_delete_keep_the_thread(make_proposal, make_user, make_comment):
    proposal, a, b = make_proposal(), make_user(), make_user()
    top = make_comment(a, proposal, stance=Stance.FOR_)
    reply = make_comment(b, proposal, "답글입니다", parent=top)
    with pytest.raises(NotAllowed):
        services.edit_comment(b, top, "남의 글 수정")
    services.edit_comment(a, top, "고친 의견입니다")
    db.session.commit()
    assert top.body == "고친 의견입니다" and top.edited_at
    services.delete_comment(a, top)
    db.session.commit()
    assert top.deleted and top.body == "" and top.stance is None
    page = services.comment_page("proposal", proposal.id)
    assert page.comments == [top] and page.replies[top.id] == [reply]
    db.session.refresh(proposal)
    assert proposal.comment_count == 1
    with pytest.raises(DomainError):
        services.delete_comment(a, top)


def test_comment_pages_use_a_keyset_cursor(make_proposal, make_user, make_comment):
    proposal, user = make_proposal(), make_user()
    comments = [make_comment(user, proposal, f"의견 {n}") for n in range(5)]
    first = services.comment_page("proposal", proposal.id, per_page=2)
    assert first.comments == comments[:2] and first.next_after == comments[1].id
    last = services.comment_page("proposal", proposal.id, after=comments[3].id, per_page=2)
    assert last.comments == comments[4:] and last.next_after is None


@pytest.mark.parametrize("who, deleted, hidden, depth, edit, reply", [
    ("author", False, False, 0, True, True), ("other", False, False, 0, False, True),
    ("author", True, False, 0, False, False), ("other", False, True, 0, False, False),
    ("other", False, False, 2, False, False), ("anonymous", False, False, 0, False, False),
])
def test_comment_permissions(make_user, who, deleted, hidden, depth, edit, reply):
    from flask_login import AnonymousUserMixin

    author = make_user()
    user = {"author": author, "other": make_user(), "anonymous": AnonymousUserMixin()}[who]
    comment = Comment(author_id=author.id, depth=depth, hidden=hidden, deleted_at=db.func.now() if deleted else None)
    assert can_edit_comment(user, comment) is edit
    assert can_delete_comment(user, comment) is edit
    assert can_reply(user, comment) is reply


def test_pages_post_edit_and_delete(client, login, make_proposal, make_user):
    proposal, user = make_proposal(), make_user()
    login(user)
    response = client.post(f"/comments/proposal/{proposal.id}", data={"body": "좋은 제안입니다", "stance": "for"})
    comment = db.session.scalar(select(Comment))
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}#comment-{comment.id}")
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "좋은 제안입니다" in html and f'id="comment-{comment.id}"' in html
    assert client.post(f"/comments/proposal/{proposal.id}", data={"body": "", "stance": "maybe"}).status_code == 302
    assert client.post(f"/comments/proposal/{proposal.id}", data={"body": "x" * 3001}).status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Comment)) == 1
    client.post(f"/comments/{comment.id}/edit", data={"body": "고친 의견"})
    db.session.refresh(comment)
    assert comment.body == "고친 의견"
    client.post(f"/comments/{comment.id}/delete")
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "고친 의견" not in html and ("삭제된 댓글" in html or "This comment was deleted." in html)


def test_others_cannot_edit_or_delete(client, login, make_proposal, make_user, make_comment):
    proposal = make_proposal()
    comment = make_comment(make_user(), proposal)
    login(make_user())
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "수정"}).status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert client.post("/comments/unknown/1", data={"body": "x"}).status_code == 404


def test_api_lists_and_posts_comments(client, auth_header, make_proposal, make_user, make_comment):
    proposal, user = make_proposal(), make_user()
    headers = auth_header(user)
    top = client.post(f"/api/v1/proposals/{proposal.id}/comments", json={"body": "찬성합니다", "stance": "for"},
                      headers=headers)
    assert top.status_code == 201 and top.get_json()["stance"] == "for"
    reply = client.post(f"/api/v1/proposals/{proposal.id}/comments",
                        json={"body": "답글", "parent_id": top.get_json()["id"]}, headers=headers)
    assert reply.status_code == 201 and reply.get_json()["depth"] == 1
    bad = client.post(f"/api/v1/proposals/{proposal.id}/comments", json={"body": "x", "stance": "maybe", "extra": 1},
                      headers=headers)
    assert bad.status_code == 422 and {"stance", "extra"} <= set(bad.get_json()["errors"])
    assert client.post(f"/api/v1/proposals/{proposal.id}/comments", json={"body": "x"}).status_code == 401
    listing = client.get(f"/api/v1/proposals/{proposal.id}/comments").get_json()
    assert [c["body"] for c in listing["items"]] == ["찬성합니다", "답글"] and listing["next_after"] is None
    comment_id = top.get_json()["id"]
    assert client.patch(f"/api/v1/comments/{comment_id}", json={"body": "수정"},
                        headers=auth_header(make_user())).status_code == 403
    assert client.patch(f"/api/v1/comments/{comment_id}", json={"body": "수정"}, headers=headers).status_code == 200
    assert client.delete(f"/api/v1/comments/{comment_id}", headers=headers).status_code == 204
    listing = client.get(f"/api/v1/proposals/{proposal.id}/comments").get_json()
    assert listing["items"][0]["deleted"] is True and listing["items"][0]["body"] == ""
