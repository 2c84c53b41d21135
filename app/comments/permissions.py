"""Who may do what with a comment. Pure predicates."""
from __future__ import annotations
from app.auth.permissions import signed_in


def can_edit_comment(user, comment) -> bool:
    return signed_in(user) and comment.author_id == user.id and not comment.deleted


def can_delete_comment(user, comment) -> bool:
    return can_edit_comment(user, comment)


def can_reply(user, comment) -> bool:
    return signed_in(user) and comment.can_have_replies and not comment.deleted and not comment.hidden
