"""The resident's channel choices and the messages sent to them, in the privacy export."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.export import iso
from app.auth.models import User
from app.channels.models import ChannelPreference, Delivery
from app.extensions import db


def preferences_section(user: User) -> list[dict]:
    return [{"kind": row.kind, "channel": row.channel, "frequency": row.frequency, "updated_at": iso(row.updated_at)}
            for row in db.session.scalars(select(ChannelPreference).where(ChannelPreference.user_id == user.id)
                                          .order_by(ChannelPreference.kind, ChannelPreference.channel))]


def deliveries_section(user: User) -> list[dict]:
    return [{"channel": row.channel, "kind": row.kind, "status": row.status, "created_at": iso(row.created_at),
             "sent_at": iso(row.sent_at)}
            for row in db.session.scalars(select(Delivery).where(Delivery.user_id == user.id).order_by(Delivery.id))]
