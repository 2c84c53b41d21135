"""Comment endpoints. Any domain exposes its comments with ``comments_list``/``comments_create``:

    @bp.route("/policy-updates/<int:update_id>/comments", methods=["GET"])
    @documented(...)
    def policy_update_comments(update_id):
        return comments_list("policy_update", update_id)
"""
from __future__ import annotations

from flask import abort, jsonify

from app.api import bp
from app.api.auth import api_user, require_api
from app.api.helpers import json_body, validate
from app.core import int_arg
from app.api.spec import documented, query_param
from app.comments import services
from app.comments.forms import CommentForm, EditCommentForm
from app.comments.models import Comment
from app.comments.permissions import can_edit_comment
from app.comments.registry import load_target_or_404
from app.core import iso
from app.extensions import db

COMMENT_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "parent_id": {"type": "integer", "nullable": True}, "depth": {"type": "integer"},
    "author": {"type": "string", "nullable": True, "description": "null for a deleted or hidden comment"},
    "body": {"type": "string"},
    "stance": {"type": "string", "enum": ["for", "neutral", "against"], "nullable": True},
    "deleted": {"type": "boolean"}, "hidden": {"type": "boolean"}, "created_at": {"type": "string"},
    "edited_at": {"type": "string", "nullable": True}}}
COMMENT_BODY = {"type": "object", "required": ["body"], "properties": {
    "body": {"type": "string", "maxLength": 3000}, "parent_id": {"type": "integer"},
    "stance": {"type": "string", "enum": ["for", "neutral", "against"]}}}
COMMENT_LIST_QUERY = [query_param("after", "integer", "Keyset cursor: the next_after of the previous page"),
                      query_param("per_page", "integer")]
COMMENT_PAGE_SCHEMA = {"type": "object", "properties": {
    "items": {"type": "array", "items": COMMENT_SCHEMA}, "total": {"type": "integer"},
    "next_after": {"type": "integer", "nullable": True}, "per_page": {"type": "integer"}}}


def comment_json(comment: Comment, viewer) -> dict:
    """Deleted and (for others) hidden comments keep their place in the thread without their text."""
    readable = not comment.deleted and services.visible_comment(comment, viewer)
    return {
        "id": comment.id, "parent_id": comment.parent_id, "depth": comment.depth,
        "author": comment.author.display_name if readable else None,
        "body": comment.body if readable else "",
        "stance": comment.stance.value if comment.stance and readable else None,
        "deleted": comment.deleted, "hidden": comment.hidden,
        "created_at": iso(comment.created_at), "edited_at": iso(comment.edited_at),
    }


def _viewable_target(target_type: str, target_id: int):
    target, obj = load_target_or_404(target_type, target_id)
    if not target.can_view(api_user(), obj):
        abort(404)
    return target, obj


def comments_list(target_type: str, target_id: int):
    """One page of top-level comments (keyset ``after``) each followed by its replies, oldest first."""
    _, obj = _viewable_target(target_type, target_id)
    viewer = api_user()
    after = int_arg("after")
    per_page = min(max(int_arg("per_page", services.COMMENTS_PER_PAGE) or 1, 1), 100)
    page = services.comment_page(target_type, obj.id, after=after, per_page=per_page)
    items = []

    def walk(comment):
        items.append(comment_json(comment, viewer))
        for reply in page.replies.get(comment.id, []):
            walk(reply)

    for comment in page.comments:
        walk(comment)
    return jsonify({"items": items, "total": getattr(obj, "comment_count", len(items)),
                    "next_after": page.next_after, "per_page": per_page})


def comments_create(target_type: str, target_id: int):
    user = api_user() or abort(401)
    _, obj = _viewable_target(target_type, target_id)
    form = validate(CommentForm, json_body())
    comment = services.add_comment(user, target_type, obj, form.body.data, parent_id=form.parent_id.data,
                                   stance=form.stance_value)
    db.session.commit()
    return jsonify(comment_json(comment, user)), 201


def _own_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id) or abort(404)
    _viewable_target(comment.target_type, comment.target_id)
    require_api(can_edit_comment, comment)
    return comment


@bp.route("/comments/<int:comment_id>", methods=["PATCH"])
@documented("Edit your comment", tag="comments",
            body={"type": "object", "required": ["body"], "properties": {"body": {"type": "string"}}},
            responses={200: ("The changed comment", COMMENT_SCHEMA), 403: ("Not your comment", None)})
def edit_comment(comment_id: int):
    comment = _own_comment(comment_id)
    form = validate(EditCommentForm, json_body())
    services.edit_comment(api_user(), comment, form.body.data)
    db.session.commit()
    return jsonify(comment_json(comment, api_user()))


@bp.route("/comments/<int:comment_id>", methods=["DELETE"])
@documented("Delete your comment (a placeholder keeps its place in the thread)", tag="comments",
            responses={204: ("Deleted", None), 403: ("Not your comment", None)})
def delete_comment(comment_id: int):
    comment = _own_comment(comment_id)
    services.delete_comment(api_user(), comment)
    db.session.commit()
    return "", 204
