"""Reusable threaded comments: any domain registers a target type and includes comments/_thread.html."""
from flask import Blueprint

bp = Blueprint("comments", __name__, url_prefix="/comments")

from app.comments import hooks, routes  # noqa: E402,F401
from app.comments.registry import register_comment_target  # noqa: E402,F401

hooks.register()

from app.comments import export  # noqa: E402

export.register()
