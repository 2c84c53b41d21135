"""What the interests page and the API both read."""
from __future__ import annotations

from sqlalchemy import select

from app.districts import DISTRICT_CODES, district_name
from app.extensions import db
from app.interests.models import Interest, InterestKind
from app.proposals.models import Field, Topic


def interest_json(interest: Interest) -> dict:
    return {"id": interest.id, "kind": interest.kind.value, "key": interest.key, "name": interest_name(interest),
            "created_at": interest.created_at.isoformat() + "Z"}


def interest_name(interest: Interest) -> str:
    if interest.field is not None:
        return interest.field.name
    if interest.topic is not None:
        return interest.topic.name
    return district_name(interest.district)


def choices() -> dict[InterestKind, list[tuple[str, str]]]:
    """Everything a resident can follow, as (key, name) per kind: two queries."""
    fields = db.session.scalars(select(Field).order_by(Field.position, Field.id)).all()
    topics = db.session.scalars(select(Topic).order_by(Topic.slug)).all()
    return {
        InterestKind.FIELD: [(f.slug, f.name) for f in fields],
        InterestKind.TOPIC: [(t.slug, t.name) for t in topics],
        InterestKind.DISTRICT: [(code, district_name(code)) for code in DISTRICT_CODES],
    }
