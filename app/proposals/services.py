"""Proposal use cases: submit, edit, withdraw, support, follow, answer. Services flush; callers commit."""
from __future__ import annotations

from datetime import timedelta

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, search
from app.auth.models import ConsentItem, Role, UserRole
from app.auth.services import has_consent
from app.core import DomainError, NotAllowed, utcnow
from app.districts import DISTRICT_CODES
from app.extensions import db
from app.notifications.services import notify_selected
from app.proposals.choices import field_by_slug, proposal_settings, topics_by_slugs
from app.proposals.models import AnswerStatus, Follow, OfficialAnswer, Proposal, ProposalStatus, Support
from app.sql import insert_unless_exists, rowcount
from app.text import plain_text

# The city's rough bounding box (Asan-si): a map point outside it is a mistake.
LATITUDE_RANGE = (36.65, 37.02)
LONGITUDE_RANGE = (126.75, 127.22)


def proposal_url(proposal: Proposal) -> str:
    if has_request_context():
        return url_for("proposals.detail", proposal_id=proposal.id)
    return f"/proposals/{proposal.id}"  # CLI (demo data, reindex): no request to build the URL from


def _place(author, district: str | None, latitude: float | None, longitude: float | None):
    district = district or None
    if district is not None and district not in DISTRICT_CODES:
        raise DomainError(_l("Choose a district from the list."), field="district", status=422)
    if (latitude is None) != (longitude is None):
        raise DomainError(_l("Give both latitude and longitude for a map point."), field="latitude", status=422)
    if latitude is not None:
        if not (LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
                and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]):
            raise DomainError(_l("The map point is outside the city."), field="latitude", status=422)
        if not has_consent(author, ConsentItem.LOCATION):
            raise DomainError(_l("A map point needs your consent to the use of location data. "
                                 "Give it on your account page, or choose a district instead."),
                              field="latitude", status=422)
    return district, latitude, longitude


def _apply_content(proposal: Proposal, author, *, title, body, field_slug, topic_slugs, district, latitude,
                   longitude) -> None:
    field = field_by_slug(field_slug or "")
    if field is None:
        raise DomainError(_l("Unknown field. Choose a field from the list."), field="field", status=422)
    topics = topics_by_slugs(topic_slugs or [])
    if len(topics) > 5:
        raise DomainError(_l("Choose at most 5 topics."), field="topics", status=422)
    proposal.district, proposal.latitude, proposal.longitude = _place(author, district, latitude, longitude)
    proposal.title = title.strip()
    proposal.body = body.strip()
    proposal.field = field
    proposal.topics = topics


def submit_proposal(author, *, title: str, body: str, field_slug: str, topic_slugs: list[str] | None = None,
                    district: str | None = None, latitude: float | None = None,
                    longitude: float | None = None) -> Proposal:
    proposal = Proposal(author=author, status=ProposalStatus.OPEN, created_at=utcnow(), support_count=0,
                        comment_count=0, hidden=False, review_pending=False)
    _apply_content(proposal, author, title=title, body=body, field_slug=field_slug, topic_slugs=topic_slugs,
                   district=district, latitude=latitude, longitude=longitude)
    db.session.add(proposal)
    db.session.flush()
    insert_unless_exists(Follow, proposal_id=proposal.id, user_id=author.id, created_at=utcnow())
    index_proposal(proposal)
    from app.interests.services import NEW_PROPOSAL, notify_interested

    notify_interested(NEW_PROPOSAL, proposal_url(proposal), field_ids=[proposal.field_id],
                      topic_ids=[topic.id for topic in proposal.topics], districts=[proposal.district],
                      exclude_user_ids=[author.id], title=proposal.title)
    return proposal


def edit_proposal(editor, proposal: Proposal, **content) -> None:
    if editor.id != proposal.author_id:
        raise NotAllowed(_l("Only the author can edit this proposal."))
    db.session.refresh(proposal, ["support_count", "comment_count", "status"])
    proposal.ensure_editable()
    _apply_content(proposal, editor, **content)
    proposal.edited_at = utcnow()
    db.session.flush()
    index_proposal(proposal)


def withdraw_proposal(actor, proposal: Proposal) -> None:
    if actor.id != proposal.author_id:
        raise NotAllowed(_l("Only the author can withdraw this proposal."))
    proposal.withdraw()
    db.session.flush()
    audit.record(actor, "proposal.withdraw", "proposal", proposal.id)
    _notify_followers(proposal, "proposal_withdrawn", exclude=actor.id)


# Supports ---------------------------------------------------------------------------------------

def support_proposal(user, proposal: Proposal) -> bool:
    """Support once. True when this call added the support, False when it already existed.

    The primary key (proposal, user) decides under concurrency; the counter moves only when a row
    was really inserted, by an SQL increment in the same transaction."""
    proposal.ensure_supportable()
    if proposal.hidden:
        raise DomainError(_l("A hidden proposal cannot be supported."))
    if not insert_unless_exists(Support, proposal_id=proposal.id, user_id=user.id, created_at=utcnow()):
        return False
    count = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(support_count=Proposal.support_count + 1).returning(Proposal.support_count)
    ).scalar_one()
    set_committed_value(proposal, "support_count", count)
    insert_unless_exists(Follow, proposal_id=proposal.id, user_id=user.id, created_at=utcnow())
    _check_thresholds(proposal, count)
    return True


def withdraw_support(user, proposal: Proposal) -> bool:
    removed = rowcount(db.session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)))
    if not removed:
        return False
    count = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(support_count=Proposal.support_count - 1).returning(Proposal.support_count)
    ).scalar_one()
    set_committed_value(proposal, "support_count", count)
    return True


def has_supported(user, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(Support, (proposal.id, user.id)) is not None


def _check_thresholds(proposal: Proposal, count: int) -> None:
    settings = proposal_settings()
    now = utcnow()
    if count >= settings.forum_threshold:
        became_forum = rowcount(db.session.execute(
            update(Proposal).where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.OPEN)
            .values(status=ProposalStatus.FORUM, forum_at=now)))
        if became_forum:
            set_committed_value(proposal, "status", ProposalStatus.FORUM)
            set_committed_value(proposal, "forum_at", now)
            _notify_staff(proposal, "proposal_forum", count=count)
            _notify_followers(proposal, "proposal_forum", count=count)
    if count >= settings.answer_threshold:
        due = now + timedelta(days=settings.answer_days)
        became_due = rowcount(db.session.execute(
            update(Proposal).where(Proposal.id == proposal.id, Proposal.answer_due_at.is_(None))
            .values(answer_due_at=due)))
        if became_due:
            set_committed_value(proposal, "answer_due_at", due)
            _notify_staff(proposal, "proposal_answer_due", count=count, days=settings.answer_days)


# Follows ----------------------------------------------------------------------------------------

def follow_proposal(user, proposal: Proposal) -> bool:
    return insert_unless_exists(Follow, proposal_id=proposal.id, user_id=user.id, created_at=utcnow())


def unfollow_proposal(user, proposal: Proposal) -> bool:
    return bool(rowcount(db.session.execute(
        delete(Follow).where(Follow.proposal_id == proposal.id, Follow.user_id == user.id))))


def is_following(user, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(Follow, (proposal.id, user.id)) is not None


def _notify_followers(proposal: Proposal, kind: str, exclude: int | None = None, **params) -> None:
    query = select(Follow.user_id).where(Follow.proposal_id == proposal.id)
    if exclude is not None:
        query = query.where(Follow.user_id != exclude)
    notify_selected(query, kind, proposal_url(proposal), title=proposal.title, **params)


def _notify_staff(proposal: Proposal, kind: str, **params) -> None:
    staff = select(UserRole.user_id).where(UserRole.role.in_([Role.STAFF, Role.ADMIN])).distinct()
    notify_selected(staff, kind, proposal_url(proposal), title=proposal.title, **params)


# Official answers -------------------------------------------------------------------------------

def answer_proposal(staff, proposal: Proposal, *, body: str, status: AnswerStatus, department: str = "",
                    reason: str | None = None) -> OfficialAnswer:
    """Post (or replace) the official answer and set the proposal's status; followers are notified."""
    if not (staff.is_authenticated and staff.is_staff):
        raise NotAllowed(_l("Only staff can answer proposals."))
    reason = (reason or "").strip() or None
    if status is AnswerStatus.NOT_ADOPTED and not reason:
        raise DomainError(_l("Give the reason why the proposal is not adopted."), field="reason", status=422)
    proposal.apply_answer(status)
    answer = db.session.scalar(select(OfficialAnswer).where(OfficialAnswer.proposal_id == proposal.id))
    now = utcnow()
    if answer is None:
        answer = OfficialAnswer(proposal_id=proposal.id, created_at=now)
        db.session.add(answer)
    answer.author_id = staff.id
    answer.department = department.strip()
    answer.status = status
    answer.body = body.strip()
    answer.reason = reason if status is AnswerStatus.NOT_ADOPTED else None
    answer.updated_at = now
    db.session.flush()
    audit.record(staff, "proposal.answer", "proposal", proposal.id, status=status.value,
                 department=answer.department)
    _notify_followers(proposal, "proposal_answered", exclude=staff.id)
    return answer


def official_answer(proposal: Proposal) -> OfficialAnswer | None:
    return db.session.scalar(select(OfficialAnswer).where(OfficialAnswer.proposal_id == proposal.id))


# Search -----------------------------------------------------------------------------------------

def proposal_document(proposal: Proposal) -> search.SearchDocument:
    return search.SearchDocument(type="proposal", id=proposal.id, title=proposal.title,
                                 body=plain_text(proposal.body), url=proposal_url(proposal),
                                 hidden=proposal.hidden, owner_id=proposal.author_id)


def index_proposal(proposal: Proposal) -> None:
    search.add_to_index(proposal_document(proposal))
