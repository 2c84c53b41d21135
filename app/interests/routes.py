from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.interests import bp, queries, services
from app.interests.forms import InterestForm
from app.interests.models import InterestKind
from app.web import flash_form_errors, run_service


@bp.route("/")
@login_required
def index():
    interests = services.interests_of(current_user)
    followed = {(i.kind, i.key) for i in interests}
    return render_template("interests/index.html", interests=interests, followed=followed,
                           choices=queries.choices(), kinds=list(InterestKind), name=queries.interest_name,
                           suggested=services.suggested_district(current_user))


def _change(follow: bool):
    form = InterestForm()
    if form.validate_on_submit():
        kind = InterestKind(form.kind.data)
        if follow:
            run_service(lambda: services.follow(current_user, kind, form.key.data),
                        _("You now follow this. New proposals, consultations, labs and policy updates there "
                          "will reach you as notifications."), form=form)
        else:
            run_service(lambda: services.unfollow(current_user, kind, form.key.data),
                        _("You no longer follow this."), form=form)
    flash_form_errors(form)
    return redirect(url_for("interests.index"))


@bp.route("/follow", methods=["POST"])
@login_required
def follow():
    return _change(True)


@bp.route("/unfollow", methods=["POST"])
@login_required
def unfollow():
    return _change(False)
