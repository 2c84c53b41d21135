"""Reports, automatic hiding after reports from several accounts, and staff hide/restore decisions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import audit
from app.core import DomainError, utcnow
from app.extensions import db
from app.moderation.models import Report
from app.moderation.registry import ModerationTarget, moderation_target
from app.notifications.services import notify
from app.sql import insert_unless_exists

REPORTS_TO_HIDE = 3


def load_reportable(target_type: str, target_id: int, viewer) -> tuple[ModerationTarget, Any]:
    target = moderation_target(target_type)
    if target is None:
        raise DomainError(_l("This kind of content cannot be reported."), field="target_type", status=422)
    obj = db.session.get(target.model, target_id)
    if obj is None or not target.visible_to(viewer, obj):
        raise DomainError(_l("This content does not exist."), field="target_id", status=422)
    return target, obj


def report_content(reporter, target_type: str, target_id: int, reason: str) -> Report:
    """Record a report. After reports from REPORTS_TO_HIDE accounts the content is hidden pending review."""
    target, obj = load_reportable(target_type, target_id, reporter)
    if obj.author_id == reporter.id:
        raise DomainError(_l("You cannot report your own writing."))
    if not insert_unless_exists(Report, reporter_id=reporter.id, target_type=target_type, target_id=target_id,
                                reason=reason.strip(), created_at=utcnow()):
        raise DomainError(_l("You have already reported this."))
    open_reports = db.session.scalar(select(func.count()).select_from(Report).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None)))
    if open_reports >= REPORTS_TO_HIDE and not obj.hidden:
        obj.hidden = True
        obj.review_pending = True
        obj.hidden_reason = None
        audit.record(None, "moderation.auto_hide", target_type, target_id, reports=open_reports)
        notify([obj.author_id], "content_hidden_pending", target.url(obj), title=target.title(obj))
        _changed(target, obj)
    db.session.flush()
    return db.session.scalar(select(Report).where(Report.reporter_id == reporter.id,
                                                  Report.target_type == target_type, Report.target_id == target_id))


def hide_content(actor, target_type: str, obj, reason: str) -> None:
    target = moderation_target(target_type)
    if obj.hidden and not obj.review_pending:
        raise DomainError(_l("This content is already hidden."))
    obj.hidden = True
    obj.review_pending = False
    obj.hidden_reason = reason.strip()
    _resolve_reports(target_type, obj.id)
    audit.record(actor, "moderation.hide", target_type, obj.id, reason=obj.hidden_reason)
    notify([obj.author_id], "content_hidden", target.url(obj), title=target.title(obj), reason=obj.hidden_reason)
    _changed(target, obj)


def restore_content(actor, target_type: str, obj, reason: str) -> None:
    """Show the content again (or keep it visible), closing its open reports."""
    target = moderation_target(target_type)
    was_hidden = obj.hidden
    obj.hidden = False
    obj.review_pending = False
    obj.hidden_reason = None
    _resolve_reports(target_type, obj.id)
    audit.record(actor, "moderation.restore" if was_hidden else "moderation.dismiss", target_type, obj.id,
                 reason=reason.strip())
    if was_hidden:
        notify([obj.author_id], "content_restored", target.url(obj), title=target.title(obj), reason=reason.strip())
    _changed(target, obj)


def _resolve_reports(target_type: str, target_id: int) -> None:
    db.session.execute(update(Report).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None),
    ).values(resolved_at=utcnow()))


def _changed(target: ModerationTarget, obj) -> None:
    db.session.flush()
    if target.after_change:
        target.after_change(obj)


@dataclass
class QueueItem:
    target_type: str
    target_id: int
    report_count: int
    obj: Any
    title: str = ""
    url: str = ""
    reasons: list[str] = field(default_factory=list)


def moderation_queue(page: int, per_page: int = 20) -> tuple[list[QueueItem], int]:
    """Content with open reports, most reported first, in a fixed number of queries."""
    open_reports = Report.resolved_at.is_(None)
    total = db.session.scalar(select(func.count()).select_from(
        select(Report.target_type, Report.target_id).where(open_reports)
        .group_by(Report.target_type, Report.target_id).subquery()))
    rows = db.session.execute(
        select(Report.target_type, Report.target_id, func.count().label("n"), func.max(Report.id).label("latest"))
        .where(open_reports).group_by(Report.target_type, Report.target_id)
        .order_by(func.count().desc(), func.max(Report.id).desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = [QueueItem(row.target_type, row.target_id, row.n, None) for row in rows]
    by_type: dict[str, list[QueueItem]] = {}
    preloaded = []  # the session's identity map holds objects weakly: keep what preload fetched alive
    for item in items:
        by_type.setdefault(item.target_type, []).append(item)
    for target_type, group in by_type.items():
        target = moderation_target(target_type)
        if target is None:
            continue
        objects = {o.id: o for o in db.session.scalars(
            select(target.model).where(target.model.id.in_([i.target_id for i in group])))}
        if target.preload:
            preloaded.extend(target.preload(list(objects.values())))
        for item in group:
            item.obj = objects.get(item.target_id)
            if item.obj is not None:
                item.title, item.url = target.title(item.obj), target.url(item.obj)
    if items:
        keys = {(i.target_type, i.target_id): i for i in items}
        for report in db.session.scalars(select(Report).where(
                open_reports, Report.target_id.in_([i.target_id for i in items])).order_by(Report.id)):
            item = keys.get((report.target_type, report.target_id))
            if item is not None:
                item.reasons.append(report.reason)
    return items, total
