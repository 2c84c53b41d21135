"""Fields (분야), topics (주제) and the thresholds settings: admin-managed reference data."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.core import DomainError
from app.extensions import db
from app.proposals.models import Field, ProposalSettings, Topic, by_display_name

# The fields Korean local governments use (DOMAIN.md section 1, seeds/002:309-321).
DEFAULT_FIELDS = [
    ("safety", "안전·재난", "Safety and disasters"),
    ("transport", "교통", "Transport"),
    ("administration", "행정", "Administration"),
    ("environment", "환경·에너지", "Environment and energy"),
    ("facilities", "시설", "Facilities"),
    ("welfare", "보건·복지", "Health and welfare"),
    ("education", "교육", "Education"),
    ("culture", "문화·관광", "Culture and tourism"),
    ("economy", "경제", "Economy"),
]

DEFAULT_TOPICS = [
    ("parking", "주차", "Parking"),
    ("bus", "버스·대중교통", "Buses and public transport"),
    ("walking", "보행로", "Walking paths"),
    ("waste", "쓰레기·무단투기", "Waste and illegal dumping"),
    ("cctv", "CCTV·안전조명", "CCTV and safety lighting"),
    ("elderly", "어르신 돌봄", "Care for older people"),
    ("children", "아이·청소년", "Children and youth"),
    ("parks", "공원·녹지", "Parks and green space"),
    ("air", "미세먼지", "Fine dust"),
    ("market", "골목상권", "Local shops"),
    ("smart-city", "스마트도시", "Smart city"),
    ("living-lab", "리빙랩", "Living labs"),
]


def seed_fields_and_topics() -> int:
    """Add any default field or topic that is missing (by slug). Returns how many were added."""
    added = 0
    existing_fields = set(db.session.scalars(select(Field.slug)))
    for position, (slug, name_ko, name_en) in enumerate(DEFAULT_FIELDS):
        if slug not in existing_fields:
            db.session.add(Field(slug=slug, name_ko=name_ko, name_en=name_en, position=position))
            added += 1
    existing_topics = set(db.session.scalars(select(Topic.slug)))
    for slug, name_ko, name_en in DEFAULT_TOPICS:
        if slug not in existing_topics:
            db.session.add(Topic(slug=slug, name_ko=name_ko, name_en=name_en))
            added += 1
    db.session.flush()
    return added


def all_fields() -> list[Field]:
    return list(db.session.scalars(select(Field).order_by(Field.position, Field.id)))


def all_topics() -> list[Topic]:
    """Every topic, sorted by its name in the reader's language (forms, filters, the API's list)."""
    return by_display_name(db.session.scalars(select(Topic)))


def field_by_slug(slug: str) -> Field | None:
    return db.session.scalar(select(Field).where(Field.slug == slug))


def topics_by_slugs(slugs: list[str]) -> list[Topic]:
    """The topics named, in the order given. Unknown slugs are an error naming them."""
    wanted = list(dict.fromkeys(s.strip() for s in slugs if s and s.strip()))
    if not wanted:
        return []
    found = {t.slug: t for t in db.session.scalars(select(Topic).where(Topic.slug.in_(wanted)))}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise DomainError(_l("Unknown topic: %(topics)s. Choose topics from the list.", topics=", ".join(unknown)),
                          field="topics", status=422)
    return [found[s] for s in wanted]


def save_choice(model, actor, *, slug: str, name_ko: str, name_en: str, existing=None):
    """Create a field or topic, or rename an existing one (the slug of an existing one stays)."""
    kind = "field" if model is Field else "topic"
    if existing is None:
        if db.session.scalar(select(model.id).where(model.slug == slug)) is not None:
            raise DomainError(_l("This short name is already taken."), field="slug", status=422)
        existing = model(slug=slug, name_ko=name_ko.strip(), name_en=name_en.strip())
        if model is Field:
            existing.position = len(all_fields())
        db.session.add(existing)
        db.session.flush()
        audit.record(actor, f"proposals.{kind}_create", kind, existing.id, slug=slug)
    else:
        existing.name_ko, existing.name_en = name_ko.strip(), name_en.strip()
        db.session.flush()
        audit.record(actor, f"proposals.{kind}_rename", kind, existing.id, slug=existing.slug)
    return existing


def proposal_settings() -> ProposalSettings:
    """The settings row, or (until an admin saves one) the defaults, unsaved."""
    settings = db.session.get(ProposalSettings, 1)
    if settings is None:
        settings = ProposalSettings(id=1, forum_threshold=100, answer_threshold=1000, answer_days=30)
    return settings


def update_settings(actor, *, forum_threshold: int, answer_threshold: int, answer_days: int) -> ProposalSettings:
    if forum_threshold >= answer_threshold:
        raise DomainError(_l("The forum threshold must be lower than the answer threshold."),
                          field="forum_threshold", status=422)
    settings = proposal_settings()
    db.session.add(settings)
    settings.forum_threshold, settings.answer_threshold, settings.answer_days = (
        forum_threshold, answer_threshold, answer_days)
    audit.record(actor, "proposals.settings", "proposal_settings", 1, forum_threshold=forum_threshold,
                 answer_threshold=answer_threshold, answer_days=answer_days)
    db.session.flush()
    return settings
