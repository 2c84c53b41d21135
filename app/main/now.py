"""What the home page says is happening now: site-wide counts and a signed-in resident's own next step
(proposals close to their next support threshold are the proposals section's, app/proposals/thresholds.py).

Each function is one SQL statement (the counts are four scalar subqueries of one SELECT), so the home page
runs a fixed number of queries whatever the volume (tests/main/test_home.py counts them). The counts scan
every account for participation, so they are kept per worker for ``STATS_CACHE_SECONDS`` like the
statistics page; the lists are read fresh."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select

from app.core import utcnow
from app.extensions import db

_COUNTS_CACHE: dict[str, tuple[float, dict[str, int]]] = {}


def site_counts() -> dict[str, int]:
    seconds = current_app.config["STATS_CACHE_SECONDS"]
    now = time.monotonic()
    cached = _COUNTS_CACHE.get("counts")
    if seconds > 0 and cached is not None and cached[0] >= now:
        return cached[1]
    counts = compute_site_counts()
    if seconds > 0:
        _COUNTS_CACHE["counts"] = (now + seconds, counts)
    return counts


def month_start_utc(today: date) -> datetime:
    """The instant the current Korean calendar month began, as naive UTC (how times are stored)."""
    from app.consultations.clock import seoul_to_utc

    return seoul_to_utc(datetime(today.year, today.month, 1))


def compute_site_counts(today: date | None = None) -> dict[str, int]:
    from app.auth.models import User
    from app.labs.models import Lab
    from app.labs.models.lab import LabStage
    from app.labs.views import seoul_today
    from app.proposals.models import AnswerStatus, OfficialAnswer, Proposal
    from app.stats.queries import _took_part

    since = month_start_utc(today or seoul_today())
    residents = select(func.count()).select_from(User).where(User.active.is_(True), _took_part())
    proposals = select(func.count()).select_from(Proposal).where(Proposal.created_at >= since,
                                                                 Proposal.hidden.is_(False))
    # An answer "given" is a final one: "under review" only says the city is looking at it.
    answers = select(func.count()).select_from(OfficialAnswer).where(
        OfficialAnswer.status != AnswerStatus.UNDER_REVIEW)
    labs = select(func.count()).select_from(Lab).where(Lab.stage != LabStage.CLOSED)
    row = db.session.execute(select(residents.scalar_subquery(), proposals.scalar_subquery(),
                                    answers.scalar_subquery(), labs.scalar_subquery())).one()
    return {"residents": row[0], "proposals_this_month": row[1], "answers": row[2], "labs_running": row[3]}


@dataclass
class NextSteps:
    session: object | None = None  # the next LabSession of a lab the resident is a member of
    session_lab_title: str | None = None
    answered: object | None = None  # (id, title, answered_at) of the resident's proposal answered last (60 days)
    unread: int = 0

    def __bool__(self) -> bool:
        return bool(self.session or self.answered or self.unread)


def next_steps(user, unread: int) -> NextSteps:
    """A signed-in resident's next step: two statements (the unread count comes from the header's)."""
    from app.labs.models import Lab, LabMembership
    from app.labs.models.membership import MembershipStatus
    from app.labs.models.session import LabSession
    from app.proposals.models import Proposal

    now = utcnow()
    upcoming = db.session.execute(
        select(LabSession, Lab.title).join(Lab, Lab.id == LabSession.lab_id)
        .join(LabMembership, and_(LabMembership.lab_id == Lab.id, LabMembership.user_id == user.id,
                                  LabMembership.status == MembershipStatus.ACCEPTED))
        .where(LabSession.starts_at > now).order_by(LabSession.starts_at, LabSession.id).limit(1)).first()
    answered = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.answered_at)
        .where(Proposal.author_id == user.id, Proposal.answered_at >= now - timedelta(days=60))
        .order_by(Proposal.answered_at.desc()).limit(1)).first()
    return NextSteps(session=upcoming[0] if upcoming else None, session_lab_title=upcoming[1] if upcoming else None,
                     answered=answered, unread=unread)
