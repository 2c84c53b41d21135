from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import page_number
from app.notifications import bp, services
from app.notifications.kinds import render
from app.web import run_service


@bp.route("/")
@login_required
def index():
    pagination = services.notifications_for(current_user.id, page_number())
    return render_template("notifications/index.html", pagination=pagination, render=render)


@bp.route("/read", methods=["POST"])
@login_required
def mark_all_read():
    run_service(lambda: services.mark_read(current_user.id), _("All notifications are marked as read."))
    return redirect(url_for("notifications.index"))
