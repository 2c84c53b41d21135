from flask import abort, render_template, request
from flask_login import current_user, login_required

from app.activity import bp
from app.activity.queries import SECTIONS, activity, section_page
from app.core import page_number


@bp.route("/me/activity")
@login_required
def mine():
    key = request.args.get("section", "")
    if not key:
        return render_template("activity/mine.html", sections=activity(current_user.id), section=None)
    if key not in SECTIONS:
        abort(404)
    page = page_number()
    section, pages = section_page(current_user.id, key, page)
    return render_template("activity/mine.html", sections=[section], section=section, page=page, pages=pages)
