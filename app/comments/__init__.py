"""Reusable threaded comments: any domain registers a target type and includes comments/_thread.html."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("comments", __name__, url_prefix="/comments")

from app.comments import routes  # noqa: E402,F401
from app.comments.registry import register_comment_target  # noqa: E402,F401


def register(app: Flask) -> None:
    from app import search
    from app.comments import hooks, services
    from app.comments.models import Comment
    from app.moderation.registry import register_moderation_target
    from app.notifications import kinds
    from app.text import plain_text

    app.register_blueprint(bp)
    from app.comments import export  # the data-export sections of this domain

    export.register()
    kinds.register("comment_reply", _l("%(name)s replied to your comment on “%(title)s”."))
    search.register_source("comment", hooks.comment_documents, hooks.count_comments)
    register_moderation_target("comment", model=Comment, title=lambda c: plain_text(c.body)[:80],
                               url=services.comment_url, visible_to=hooks.visible_to, after_change=hooks.reindex,
                               preload=hooks.preload_targets)
