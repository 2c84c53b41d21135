"""Accounts, roles, consent records and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import utcnow
from app.enums import LabelledEnum
from app.extensions import db


class Role(LabelledEnum):
    RESIDENT = "resident", _l("Resident")
    FACILITATOR = "facilitator", _l("Facilitator")
    STAFF = "staff", _l("Staff")
    ADMIN = "admin", _l("Administrator")
    REDEEMER = "redeemer", _l("Coupon redeemer (bank clerk)")  # a bank clerk who cashes walking coupons
    # Community-centre staff (주민센터): enter proposals, opinions and lab applications that residents gave by
    # phone, on paper or in person (app/intake).
    INTAKE = "intake", _l("Community centre staff (takes part on residents' behalf)")


class ConsentItem(LabelledEnum):
    PRIVACY = "privacy", _l("Privacy policy (required)")  # required
    NOTIFICATIONS = "notifications", _l("Notifications")
    LOCATION = "location", _l("Location data")
    HEALTH = "health", _l("Health data (steps)")
    GUARDIAN = "guardian", _l("Guardian's consent")  # a guardian's consent for a child under 14

    @property
    def required(self) -> bool:
        return self is ConsentItem.PRIVACY

    @classmethod
    def optional_items(cls) -> list["ConsentItem"]:
        return [cls.NOTIFICATIONS, cls.LOCATION, cls.HEALTH]


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(50))
    district: Mapped[str] = mapped_column(String(40))
    birth_year: Mapped[int] = mapped_column(Integer)
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    locale: Mapped[str | None] = mapped_column(String(5))
    # "normal", "large" or "xlarge" (app/textsize.py); None: the browser's cookie, else normal.
    text_size: Mapped[str | None] = mapped_column(String(10))
    is_city_employee: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Stamped into every session and remember-me cookie (get_id); raising it ends them all at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login stores in the session and the remember-me cookie: the id and the session
        version, so a cookie copied before a log-out or password change no longer opens the account
        (``app.auth.services.user_for_session_id`` checks it)."""
        return f"{self.id}:{self.session_version or 0}"

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & {Role.STAFF, Role.ADMIN})

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_facilitator(self) -> bool:
        return Role.FACILITATOR in self.roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )
    user: Mapped[User] = relationship(back_populates="role_rows")


class Consent(db.Model):
    """One consent decision. Append-only: withdrawing writes a new row with granted=False."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item: Mapped[ConsentItem] = mapped_column(
        Enum(ConsentItem, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    granted: Mapped[bool] = mapped_column(Boolean)
    policy_version: Mapped[str] = mapped_column(String(20))
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None: the account's full rights. "steps": may post steps and read the wallet, nothing else
    # (app/api/scopes.py enforces it for every endpoint).
    scope: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class AccessLog(db.Model):
    """Who signed in from where; kept at least a year (privacy rules, DOMAIN.md section 7)."""

    __tablename__ = "access_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
