"""A resident's activity: one query for every section's total, one per section for its newest rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from app.certificates.models import Certificate
from app.comments.models import Comment
from app.comments.registry import comment_target
from app.extensions import db
from app.labs.models import Lab, LabMembership
from app.ledger.models import Allowance
from app.proposals.models import Follow, Proposal, Support

CAPPED = 5        # rows per section on the overview
PER_PAGE = 20     # rows per page when one section is shown whole


@dataclass
class Row:
    title: str
    url: str
    when: datetime | date | None
    status: str = ""
    detail: str = ""


@dataclass
class Section:
    key: str
    label: object
    total: int
    rows: list[Row]
    see_all: str  # the page with every row of this section


def _proposal_url(proposal_id: int) -> str:
    return f"/proposals/{proposal_id}"


def _proposals(user_id: int) -> Select:
    return (select(Proposal.id, Proposal.title, Proposal.status, Proposal.created_at)
            .where(Proposal.author_id == user_id).order_by(Proposal.created_at.desc(), Proposal.id.desc()))


def _proposal_rows(rows) -> list[Row]:
    return [Row(r.title, _proposal_url(r.id), r.created_at, str(r.status.label)) for r in rows]


def _linked(link_model) -> Callable[[int], Select]:
    def query(user_id: int) -> Select:
        return (select(Proposal.id, Proposal.title, Proposal.status, link_model.created_at)
                .join(link_model, link_model.proposal_id == Proposal.id)
                .where(link_model.user_id == user_id)
                .order_by(link_model.created_at.desc(), Proposal.id.desc()))
    return query


def _comments(user_id: int) -> Select:
    return (select(Comment.id, Comment.target_type, Comment.target_id, Comment.body, Comment.created_at)
            .where(Comment.author_id == user_id, Comment.deleted_at.is_(None))
            .order_by(Comment.created_at.desc(), Comment.id.desc()))


def _comment_rows(rows) -> list[Row]:
    """Each comment with a link to where it was written: its targets loaded in one query per kind of target."""
    by_type: dict[str, set[int]] = {}
    for r in rows:
        by_type.setdefault(r.target_type, set()).add(r.target_id)
    targets: dict[tuple[str, int], object] = {}
    for target_type, ids in by_type.items():
        target = comment_target(target_type)
        if target is not None and target.model is not None:
            for obj in db.session.scalars(select(target.model).where(target.model.id.in_(ids))):
                targets[(target_type, obj.id)] = obj
    result = []
    for r in rows:
        target, obj = comment_target(r.target_type), targets.get((r.target_type, r.target_id))
        title = target.title(obj) if target and obj is not None else ""
        url = f"{target.url(obj)}#comment-{r.id}" if target and obj is not None else ""
        excerpt = r.body if len(r.body) <= 120 else r.body[:119] + "…"
        result.append(Row(title, url, r.created_at, detail=excerpt))
    return result


def _labs(user_id: int) -> Select:
    return (select(Lab.id, Lab.title, LabMembership.status, LabMembership.applied_at)
            .join(LabMembership, LabMembership.lab_id == Lab.id).where(LabMembership.user_id == user_id)
            .order_by(LabMembership.applied_at.desc(), LabMembership.id.desc()))


def _lab_rows(rows) -> list[Row]:
    return [Row(r.title, f"/labs/{r.id}", r.applied_at, str(r.status.label)) for r in rows]


def _allowances(user_id: int) -> Select:
    return (select(Allowance.id, Allowance.kind, Allowance.amount_won, Allowance.status, Allowance.occurred_on)
            .where(Allowance.user_id == user_id).order_by(Allowance.occurred_on.desc(), Allowance.id.desc()))


def _allowance_rows(rows) -> list[Row]:
    return [Row(str(r.kind.label), f"/allowances/{r.id}", r.occurred_on, str(r.status.label),
                _l("%(amount)s won", amount=f"{r.amount_won:,}")) for r in rows]


def _certificates(user_id: int) -> Select:
    return (select(Certificate.id, Certificate.lab_title, Certificate.kind, Certificate.status, Certificate.issued_at)
            .where(Certificate.holder_id == user_id).order_by(Certificate.issued_at.desc(), Certificate.id.desc()))


def _certificate_rows(rows) -> list[Row]:
    return [Row(r.lab_title, f"/certificates/{r.id}", r.issued_at, str(r.status.label), str(r.kind.label))
            for r in rows]


# key: (label, query of the user's rows newest first, rows -> Row list, "see all" page or None for ours)
SECTIONS: dict[str, tuple[object, Callable[[int], Select], Callable, str | None]] = {
    "proposals": (_l("My proposals"), _proposals, _proposal_rows, None),
    "supports": (_l("Proposals I support"), _linked(Support), _proposal_rows, None),
    "comments": (_l("My comments"), _comments, _comment_rows, None),
    "follows": (_l("Proposals I follow"), _linked(Follow), _proposal_rows, None),
    "labs": (_l("My living labs"), _labs, _lab_rows, None),
    "allowances": (_l("My allowances"), _allowances, _allowance_rows, "/me/allowances"),
    "certificates": (_l("My certificates"), _certificates, _certificate_rows, "/me/certificates"),
}


def _see_all(key: str) -> str:
    return SECTIONS[key][3] or f"/me/activity?section={key}"


def activity(user_id: int, limit: int = CAPPED) -> list[Section]:
    """Every section with its total and newest rows: 1 + 7 queries (+1 per kind of comment target)."""
    totals = db.session.execute(select(*[
        select(func.count()).select_from(query(user_id).order_by(None).subquery()).scalar_subquery()
        for _, query, _, _ in SECTIONS.values()])).one()
    sections = []
    for (key, (label, query, to_rows, _)), total in zip(SECTIONS.items(), totals):
        rows = to_rows(db.session.execute(query(user_id).limit(limit)).all()) if total else []
        sections.append(Section(key, label, int(total), rows, _see_all(key)))
    return sections


def section_page(user_id: int, key: str, page: int, per_page: int = PER_PAGE) -> tuple[Section, int]:
    """One section whole, a page at a time: (the section with this page's rows, number of pages)."""
    label, query, to_rows, _ = SECTIONS[key]
    total = db.session.scalar(select(func.count()).select_from(query(user_id).order_by(None).subquery())) or 0
    rows = to_rows(db.session.execute(query(user_id).limit(per_page).offset((page - 1) * per_page)).all())
    return Section(key, label, total, rows, _see_all(key)), max(1, -(-total // per_page))
