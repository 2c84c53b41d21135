"""/staff/jobs: failed background jobs, newest first, each with a button to run it again."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.permissions import requires
from app.core import page_number
from app.jobs import queue_configured, services
from app.jobs.permissions import can_manage_jobs
from app.web import run_service

bp = Blueprint("jobs", __name__, url_prefix="/staff/jobs")
PER_PAGE = 20


@bp.route("/")
@requires(can_manage_jobs)
def failed():
    if not queue_configured():
        return render_template("jobs/failed.html", pagination=None)
    return render_template("jobs/failed.html", pagination=services.failed_jobs(page_number(), PER_PAGE))


@bp.route("/<job_id>/retry", methods=["POST"])
@requires(can_manage_jobs)
def retry(job_id: str):
    if not queue_configured():
        abort(404)
    run_service(lambda: services.retry_failed_job(job_id, current_user),
                _l("The job is queued again. It disappears from this list once it succeeds."))
    return redirect(url_for("jobs.failed"))
