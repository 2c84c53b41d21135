"""Reading proposals: the filtered, sorted, paginated list and the staff dashboard, in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Integer, Select, any_, bindparam, false, select
from sqlalchemy.dialects.postgresql import ARRAY

from app import search
from app.core import utcnow
from app.extensions import db
from app.proposals.models import Field, Proposal, ProposalStatus, Topic, proposal_topic_links
from app.sql import likely

SORTS: dict[str, tuple[Any, ...]] = {
    "latest": (Proposal.created_at.desc(), Proposal.id.desc()),
    "supports": (Proposal.support_count.desc(), Proposal.id.desc()),
    "comments": (Proposal.comment_count.desc(), Proposal.id.desc()),
}
KEYWORD_MATCH_LIMIT = 1000  # a keyword filter considers the best this many search matches


@dataclass
class ProposalFilters:
    q: str = ""
    field: str = ""
    topic: str = ""
    status: str = ""
    district: str = ""
    answered: bool | None = None
    sort: str = "latest"

    @classmethod
    def from_args(cls, args) -> "ProposalFilters":
        answered = args.get("answered", "")
        sort = args.get("sort", "latest")
        return cls(
            q=args.get("q", "").strip()[:200], field=args.get("field", "").strip(),
            topic=args.get("topic", "").strip(), status=args.get("status", "").strip(),
            district=args.get("district", "").strip(),
            answered=True if answered in ("1", "true", "yes") else False if answered in ("0", "false", "no") else None,
            sort=sort if sort in SORTS else "latest",
        )


def visible_to(viewer):
    """The SQL condition for proposals the viewer sees in lists: staff see everything, others the
    visible ones. Authors find their own hidden proposals through :func:`own_hidden_proposals`, which
    keeps this condition a plain index prefix (an OR with the author would sort the whole table)."""
    if viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_staff:
        return None
    return Proposal.hidden.is_(False)


def own_hidden_proposals(viewer, limit: int = 20) -> list[Proposal]:
    if viewer is None or not getattr(viewer, "is_authenticated", False) or viewer.is_staff:
        return []
    return list(db.session.scalars(
        select(Proposal).where(Proposal.author_id == viewer.id, Proposal.hidden.is_(True))
        .order_by(Proposal.created_at.desc()).limit(limit)))


def proposal_list_query(filters: ProposalFilters, viewer) -> Select:
    query = select(Proposal)
    condition = visible_to(viewer)
    if condition is not None:
        query = query.where(condition)
    if filters.field:
        query = query.where(Proposal.field_id == select(Field.id).where(Field.slug == filters.field).scalar_subquery())
    if filters.topic:
        topic_id = select(Topic.id).where(Topic.slug == filters.topic).scalar_subquery()
        query = query.join(proposal_topic_links, proposal_topic_links.c.proposal_id == Proposal.id).where(
            proposal_topic_links.c.topic_id == topic_id)
    if filters.status:
        try:
            query = query.where(Proposal.status == ProposalStatus(filters.status))
        except ValueError:
            query = query.where(false())
    if filters.district:
        query = query.where(Proposal.district == filters.district)
    if filters.answered is True:
        query = query.where(Proposal.answered_at.is_not(None))
    elif filters.answered is False:
        query = query.where(likely(Proposal.answered_at.is_(None)))
    if filters.q:
        ids = search.matching_ids(filters.q, "proposal", viewer=viewer, limit=KEYWORD_MATCH_LIMIT)
        query = query.where(_id_among(ids) if ids else false())
    return query.order_by(*SORTS[filters.sort])


def _id_among(ids: list[int]):
    """``id IN (...)``; on PostgreSQL ``id = ANY(:ids)``, one array parameter instead of up to 1,000
    (which SQLAlchemy renders and psycopg adapts one by one, for the page and again for its count)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Proposal.id == any_(bindparam("keyword_ids", ids, type_=ARRAY(Integer)))
    return Proposal.id.in_(ids)


class ProposalPagination(SelectPagination):
    """Pages whose OFFSET skips ids only (read from the sort's index); the page's rows are then loaded by id.

    A deep page (page 2,500 of 100,000) otherwise reads every row it skips: 5-20 times slower (tests/bench.py)."""

    def _query_items(self) -> list[Proposal]:
        query, order = self._query_args["select"], self._query_args["order"]
        page_ids = query.with_only_columns(Proposal.id).limit(self.per_page).offset(self._query_offset).subquery()
        return list(self._query_args["session"].scalars(
            select(Proposal).join(page_ids, page_ids.c.id == Proposal.id).order_by(*order)))


def list_proposals(filters: ProposalFilters, viewer, page: int, per_page: int = 20):
    return ProposalPagination(select=proposal_list_query(filters, viewer), order=SORTS[filters.sort],
                              session=db.session(), page=page, per_page=per_page, max_per_page=None, error_out=False)


def latest_proposals(limit: int = 5) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.hidden.is_(False)).order_by(*SORTS["latest"]).limit(limit)))


def most_supported_recently(days: int = 30, limit: int = 5) -> list[Proposal]:
    since = utcnow() - timedelta(days=days)
    return list(db.session.scalars(
        select(Proposal).where(Proposal.hidden.is_(False), Proposal.created_at >= since,
                               Proposal.support_count > 0)
        .order_by(*SORTS["supports"]).limit(limit)))


def answer_due_proposals(page: int, per_page: int = 20):
    """Proposals that crossed the answer threshold and have no official answer, the most urgent first."""
    return db.paginate(
        select(Proposal).where(Proposal.answer_due_at.is_not(None), Proposal.answered_at.is_(None))
        .order_by(Proposal.answer_due_at, Proposal.id), page=page, per_page=per_page, error_out=False)


def forum_proposals(limit: int = 20) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.status == ProposalStatus.FORUM, Proposal.hidden.is_(False))
        .order_by(*SORTS["supports"]).limit(limit)))
