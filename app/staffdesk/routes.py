from flask import abort, g, render_template
from flask_login import current_user, login_required

from app.staffdesk import bp
from app.staffdesk.queries import waiting_work


@bp.route("/")
@login_required
def dashboard():
    desk = waiting_work(current_user)
    if not desk.queues:
        abort(403)
    g.staff_waiting = desk.total  # the menu's count: already counted
    return render_template("staffdesk/dashboard.html", desk=desk)
