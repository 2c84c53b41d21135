"""Which notification kinds go out by mail and by text, and how often.

Defaults are modest: answers to my proposals and comments, my labs' sessions and my money go out at once by
mail and (once the resident has a verified phone) by text; everything else stays on the site until the
resident asks for it. Nothing leaves the site without the notification consent (ConsentItem.NOTIFICATIONS)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, literal, select

from app.auth.models import Consent, ConsentItem, User
from app.channels.models import Channel, ChannelPreference, Frequency
from app.core import DomainError, ValidationFailed, utcnow
from app.extensions import db
from app.notifications import kinds

DEFAULT_KINDS = frozenset({
    "comment_reply", "proposal_answered",  # answers to my proposals and comments
    "lab_session_scheduled",  # my labs' sessions
    "allowance_approved", "allowance_rejected", "allowance_paid", "allowance_reversed",  # my money
})


def default_frequency(kind: str, channel: Channel | str) -> Frequency:
    return Frequency.IMMEDIATE if kind in DEFAULT_KINDS else Frequency.OFF


def known_kinds() -> list[str]:
    return sorted(kinds.MESSAGES)


def kind_label(kind: str) -> str:
    """A kind's name for the preferences page: its message with the blanks shown as "…"."""
    message = kinds.MESSAGES.get(kind)
    if message is None:
        return kind
    return re.sub(r"%\([a-z_]+\)s", "…", str(message))


@dataclass
class Choice:
    kind: str
    channel: Channel
    frequency: Frequency
    is_default: bool


def choices_for(user: User) -> list[Choice]:
    """Every kind on every channel with the resident's frequency (their choice, else the default)."""
    explicit = {(row.kind, row.channel): row.frequency for row in db.session.scalars(
        select(ChannelPreference).where(ChannelPreference.user_id == user.id))}
    result = []
    for kind in known_kinds():
        for channel in Channel:
            chosen = explicit.get((kind, channel.value))
            frequency = Frequency(chosen) if chosen else default_frequency(kind, channel)
            result.append(Choice(kind, channel, frequency, chosen is None))
    return result


def set_preferences(user: User, wanted: dict[tuple[str, str], str]) -> int:
    """Store ``{(kind, channel): frequency}``. Unknown kinds, channels or frequencies are refused whole
    (nothing is saved). Returns how many choices changed."""
    errors: dict[str, list] = {}
    parsed: dict[tuple[str, Channel], Frequency] = {}
    known = set(kinds.MESSAGES)
    for (kind, channel), frequency in wanted.items():
        key = f"{kind}.{channel}"
        if kind not in known:
            errors[key] = [_l("There is no such kind of notification.")]
            continue
        try:
            parsed[(kind, Channel(channel))] = Frequency(frequency)
        except ValueError:
            errors[key] = [_l("Choose a channel (email, text) and how often (off, immediate, daily, weekly).")]
    if errors:
        raise ValidationFailed(errors)
    current = {(row.kind, row.channel): row for row in db.session.scalars(
        select(ChannelPreference).where(ChannelPreference.user_id == user.id))}
    changed = 0
    for (kind, chosen_channel), chosen in parsed.items():
        row = current.get((kind, chosen_channel.value))
        before = Frequency(row.frequency) if row else default_frequency(kind, chosen_channel)
        if row is None:
            row = ChannelPreference(user_id=user.id, kind=kind, channel=chosen_channel.value, frequency=chosen.value)
            db.session.add(row)
        else:
            row.frequency, row.updated_at = chosen.value, utcnow()
        changed += before is not chosen
    db.session.flush()
    return changed


def turn_off(user: User, kind: str, channel: Channel) -> None:
    """The one-click unsubscribe: this kind no longer goes out on this channel ("digest_daily" and
    "digest_weekly" turn every kind sent in that digest off)."""
    if kind in ("digest_daily", "digest_weekly"):
        digest = Frequency.DAILY if kind == "digest_daily" else Frequency.WEEKLY
        wanted = {(choice.kind, channel.value): Frequency.OFF.value for choice in choices_for(user)
                  if choice.channel is channel and choice.frequency is digest}
        set_preferences(user, wanted)
        return
    if kind not in kinds.MESSAGES:
        raise DomainError(_l("There is no such kind of notification."), status=404)
    set_preferences(user, {(kind, channel.value): Frequency.OFF.value})


def consent_granted_clause():
    """SQL: the user's latest decision on the notification consent is a yes."""
    latest = (select(Consent.granted).where(Consent.user_id == User.id, Consent.item == ConsentItem.NOTIFICATIONS)
              .order_by(Consent.id.desc()).limit(1).correlate(User).scalar_subquery())
    return latest.is_(True) if db.engine.dialect.name == "postgresql" else latest == literal(True)


def frequency_expression(kind: str, channel: Channel):
    """SQL: the user's frequency for ``kind`` on ``channel`` (their row, else the default)."""
    chosen = (select(ChannelPreference.frequency).where(and_(
        ChannelPreference.user_id == User.id, ChannelPreference.kind == kind,
        ChannelPreference.channel == channel.value)).correlate(User).scalar_subquery())
    return func.coalesce(chosen, default_frequency(kind, channel).value)
