"""A Kakao or Naver login linked to an account."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import utcnow
from app.extensions import db


class SocialLogin(db.Model):
    """The provider's stable user id (``sub`` of Kakao's id_token, ``id`` of Naver's profile) for an
    account: one account per provider identity, one identity per provider and account."""

    __tablename__ = "social_logins"
    __table_args__ = (UniqueConstraint("provider", "subject"), UniqueConstraint("user_id", "provider"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))  # what the provider said when linked
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
