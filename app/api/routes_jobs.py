"""Failed background jobs (staff): the API side of /staff/jobs."""
from flask import abort, jsonify

from app.api import bp
from app.api.auth import require_api
from app.api.helpers import page_arg, per_page_arg
from app.api.spec import ERROR, documented, query_param
from app.extensions import db
from app.jobs import queue_configured, services
from app.jobs.permissions import can_manage_jobs

FAILED_JOB = {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "error": {"type": "string"},
    "failed_at": {"type": "string", "nullable": True}, "enqueued_at": {"type": "string", "nullable": True},
    "request_id": {"type": "string", "nullable": True, "description": "the request that queued the job"}}}


def _iso(moment):
    return moment.isoformat() + "Z" if moment else None


def failed_job_json(job: services.FailedJob) -> dict:
    return {"id": job.id, "name": job.name, "error": job.error, "failed_at": _iso(job.failed_at),
            "enqueued_at": _iso(job.enqueued_at), "request_id": job.request_id}


@bp.route("/admin/jobs/failed")
@documented("Background jobs that failed every retry, newest first (staff). Empty without a job queue.",
            tag="admin", query=[query_param("page", "integer"), query_param("per_page", "integer")],
            responses={200: ("A page of failed jobs", {"type": "object", "properties": {
                "items": {"type": "array", "items": FAILED_JOB}, "page": {"type": "integer"},
                "pages": {"type": "integer"}, "total": {"type": "integer"},
                "queue": {"type": "boolean"}}}), 403: ("Not staff", ERROR)})
def failed_jobs():
    require_api(can_manage_jobs)
    if not queue_configured():
        return jsonify({"items": [], "page": 1, "pages": 1, "total": 0, "queue": False})
    page = services.failed_jobs(page_arg(), per_page_arg())
    return jsonify({"items": [failed_job_json(job) for job in page.items], "page": page.page, "pages": page.pages,
                    "total": page.total, "queue": True})


@bp.route("/admin/jobs/failed/<job_id>/retry", methods=["POST"])
@documented("Queue a failed job again (staff)", tag="admin",
            responses={202: ("Queued again", {"type": "object", "properties": {"id": {"type": "string"}}}),
                       403: ("Not staff", ERROR), 404: ("No such failed job, or no job queue", ERROR)})
def retry_failed_job(job_id: str):
    actor = require_api(can_manage_jobs)
    if not queue_configured():
        abort(404)
    services.retry_failed_job(job_id, actor)
    db.session.commit()
    return jsonify({"id": job_id}), 202
