"""Following fields, topics and districts, and telling the followers about new things there.

The fan-out is one query whatever the audience: every follower of any of an item's fields, topics or
districts, each person once (``SELECT DISTINCT``), through ``notify_selected`` (one INSERT … SELECT, or
the job queue past NOTIFY_INLINE_LIMIT), so the notification channels deliver it like any other kind.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, delete, false, or_, select

from app import audit
from app.auth.models import User
from app.core import DomainError
from app.districts import DISTRICT_CODES
from app.extensions import db
from app.interests.models import Interest, InterestKind
from app.notifications.services import notify_selected
from app.proposals.models import Field, Topic

# Notification kinds, one per kind of news (registered in app/interests/__init__.py).
NEW_PROPOSAL = "interest_new_proposal"
NEW_CONSULTATION = "interest_new_consultation"
LAB_RECRUITING = "interest_lab_recruiting"
POLICY_UPDATE = "policy_update"  # the policies' own kind: followers and interested people get one message


def interests_of(user: User) -> list[Interest]:
    return list(db.session.scalars(
        select(Interest).where(Interest.user_id == user.id).order_by(Interest.kind, Interest.id)))


def suggested_district(user: User) -> str | None:
    """The resident's own district, while they do not follow it yet."""
    if user.district not in DISTRICT_CODES:
        return None
    followed = db.session.scalar(select(Interest.id).where(
        Interest.user_id == user.id, Interest.kind == InterestKind.DISTRICT, Interest.district == user.district))
    return None if followed else user.district


def _resolve(kind: InterestKind, key: str) -> dict:
    key = (key or "").strip()
    if kind is InterestKind.FIELD:
        field_id = db.session.scalar(select(Field.id).where(Field.slug == key))
        if field_id is None:
            raise DomainError(_l("Choose a field from the list."), field="key", status=422)
        return {"field_id": field_id}
    if kind is InterestKind.TOPIC:
        topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == key))
        if topic_id is None:
            raise DomainError(_l("Choose a topic from the list."), field="key", status=422)
        return {"topic_id": topic_id}
    if key not in DISTRICT_CODES:
        raise DomainError(_l("Choose a district from the list."), field="key", status=422)
    return {"district": key}


def _find(user: User, kind: InterestKind, target: dict) -> Interest | None:
    conditions = [getattr(Interest, column) == value for column, value in target.items()]
    return db.session.scalar(select(Interest).where(Interest.user_id == user.id, Interest.kind == kind, *conditions))


def follow(user: User, kind: InterestKind, key: str) -> tuple[Interest, bool]:
    """Follow a field, topic or district. Following it again changes nothing (returns created=False)."""
    target = _resolve(kind, key)
    existing = _find(user, kind, target)
    if existing is not None:
        return existing, False
    interest = Interest(user_id=user.id, kind=kind, **target)
    db.session.add(interest)
    db.session.flush()
    audit.record(user, "interest.follow", "interest", interest.id, kind=kind.value, key=key)
    return interest, True


def unfollow(user: User, kind: InterestKind, key: str) -> bool:
    """Stop following; False when the resident did not follow it."""
    target = _resolve(kind, key)
    existing = _find(user, kind, target)
    if existing is None:
        return False
    audit.record(user, "interest.unfollow", "interest", existing.id, kind=kind.value, key=key)
    db.session.execute(delete(Interest).where(Interest.id == existing.id))
    return True


Targets = Iterable[int | None] | Iterable[str | None] | Select


def _values(targets) -> list | Select | None:
    """A subquery stays a subquery (no extra round trip); a list loses its NULLs and duplicates."""
    if isinstance(targets, Select):
        return targets
    values = sorted({value for value in targets if value is not None and value != ""})
    return values or None


def audience(*, field_ids: Targets = (), topic_ids: Targets = (), districts: Targets = (),
             exclude_user_ids: Iterable[int | None] = ()) -> Select:
    """The active accounts following any of these fields, topics or districts, each once.

    Each argument is a list of values or a SELECT of them (e.g. the topics of a policy's proposals)."""
    matches = []
    for kind, column, targets in ((InterestKind.FIELD, Interest.field_id, field_ids),
                                  (InterestKind.TOPIC, Interest.topic_id, topic_ids),
                                  (InterestKind.DISTRICT, Interest.district, districts)):
        values = _values(targets)
        if values is not None:
            matches.append(and_(Interest.kind == kind, column.in_(values)))
    query = (select(Interest.user_id.label("user_id")).distinct().join(User, User.id == Interest.user_id)
             .where(User.active.is_(True), or_(*matches) if matches else false()))
    excluded = sorted({u for u in exclude_user_ids if u is not None})
    if excluded:
        query = query.where(Interest.user_id.not_in(excluded))
    return query


def notify_interested(kind: str, url: str, *, field_ids: Targets = (), topic_ids: Targets = (),
                      districts: Targets = (),
                      exclude_user_ids: Iterable[int | None] = (), **params) -> int:
    """Tell everyone who follows any of the item's fields, topics or districts, once each."""
    query = audience(field_ids=field_ids, topic_ids=topic_ids, districts=districts,
                     exclude_user_ids=exclude_user_ids)
    return notify_selected(query, kind, url, **params)
