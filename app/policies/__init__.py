"""Policies born from adopted proposals: steps, progress updates, a status timeline and followers."""
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("policies", __name__, url_prefix="/policies")

from app.policies import routes  # noqa: E402,F401


def register(app: Flask) -> None:
    from app import search
    from app.comments.registry import register_comment_target
    from app.extensions import db
    from app.main.home import register_home_section
    from app.notifications import kinds
    from app.policies import comments, permissions, services
    from app.policies.models import PolicyUpdate
    from app.web import register_nav

    app.register_blueprint(bp)
    from app.policies import export  # the data-export sections of this domain

    export.register()
    register_nav(35, "policies.index", _l("Policy progress"))
    register_home_section(services.home_section, order=30)
    kinds.register("policy_update", _l("New progress on the policy “%(title)s”."))
    search.register_source("policy", services.search_documents, services.count_policies)
    register_comment_target(
        comments.TARGET_TYPE,
        load=lambda update_id: db.session.get(PolicyUpdate, update_id),
        can_view=lambda user, update: permissions.can_view_policy(user, update.policy),
        can_comment=permissions.can_comment_on_update,
        url=comments.update_path,
        title=lambda update: update.policy.title,
        count_changed=comments.count_changed,
        model=PolicyUpdate,
    )
