"""Staff and admin privacy pages: policy versions, pending deletions, the staff access log, breaches."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.core import page_number, utcnow
from app.extensions import db
from app.privacy import bp
from app.privacy.access import data_access_query
from app.privacy.breach import (
    affected_count,
    affected_people,
    checklist_state,
    complete_step,
    list_breaches,
    record_breach,
)
from app.privacy.deletion import pending_deletions, retained_records
from app.privacy.forms import BreachForm, DataAccessFilterForm, PolicyForm
from app.privacy.models import DATA_KIND_LABELS, BreachIncident
from app.privacy.permissions import (
    can_manage_breaches,
    can_publish_policy,
    can_view_data_access_log,
    can_view_pending_deletions,
)
from app.privacy.policy import publish_policy, published_versions
from app.privacy.retention import recent_purge_runs
from app.web import run_service


def from_seoul(moment: datetime) -> datetime:
    """A time typed in the city's zone, as the naive UTC the database stores."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


@bp.route("/admin/privacy/policies", methods=["GET", "POST"])
@requires(can_publish_policy)
def policies():
    form = PolicyForm()
    if form.validate_on_submit() and run_service(
        lambda: publish_policy(current_user, version=form.version.data, body_ko=form.body_ko.data,
                               body_en=form.body_en.data, changes=form.changes.data,
                               required_changed=form.required_changed.data),
        _("The new version of the privacy policy is published."), form=form,
    ):
        return redirect(url_for("privacy.policy"))
    return render_template("privacy/admin_policies.html", form=form, versions=published_versions()), (
        422 if form.errors else 200)


@bp.route("/admin/privacy/deletions")
@requires(can_view_pending_deletions)
def deletions():
    return render_template("privacy/admin_deletions.html", pending=pending_deletions(page_number()),
                           retained=retained_records(1, per_page=50), runs=recent_purge_runs())


@bp.route("/admin/privacy/access-log")
@requires(can_view_data_access_log)
def data_access_log():
    form = DataAccessFilterForm(request.args)
    kind = form.kind.data if form.validate() else None
    pagination = db.paginate(data_access_query(kind=kind or None, actor_email=form.actor.data or None),
                             page=page_number(), per_page=50, error_out=False)
    return render_template("privacy/admin_access_log.html", form=form, pagination=pagination)


@bp.route("/admin/privacy/breaches", methods=["GET", "POST"])
@requires(can_manage_breaches)
def breaches():
    form = BreachForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: record_breach(
            current_user, title=form.title.data, description=form.description.data,
            data_kinds=form.data_kinds.data, occurred_from=from_seoul(form.occurred_from.data),
            occurred_until=from_seoul(form.occurred_until.data), discovered_at=from_seoul(form.discovered_at.data),
            suspect_email=form.suspect_email.data), _("The breach is recorded. Notify by the deadline shown."),
            form=form)
        if outcome:
            return redirect(url_for("privacy.breach_detail", incident_id=outcome.value.id))
    return render_template("privacy/admin_breaches.html", form=form, pagination=list_breaches(page_number())), (
        422 if form.errors else 200)


@bp.route("/admin/privacy/breaches/<int:incident_id>")
@requires(can_manage_breaches)
def breach_detail(incident_id: int):
    incident = db.session.get(BreachIncident, incident_id) or abort(404)
    count = affected_count(incident)
    now = utcnow()
    return render_template("privacy/admin_breach.html", incident=incident, count=count,
                           steps=checklist_state(incident, count, now), now=now,
                           people=affected_people(incident, page_number()),
                           kind_labels={kind.value: label for kind, label in DATA_KIND_LABELS.items()})


@bp.route("/admin/privacy/breaches/<int:incident_id>/steps/<step>", methods=["POST"])
@requires(can_manage_breaches)
def breach_step(incident_id: int, step: str):
    incident = db.session.get(BreachIncident, incident_id) or abort(404)
    run_service(lambda: complete_step(current_user, incident, step), _("The step is marked as done."))
    return redirect(url_for("privacy.breach_detail", incident_id=incident.id))
