"""The privacy policy: versions published by admins, and who must agree again.

Before any version is published the built-in policy (template ``privacy/_builtin.html``, translated)
is in force under ``PRIVACY_POLICY_VERSION``. A published version carries its own text (Korean,
optionally English) so that the city can change it without a deploy. When a version says a required
item changed, every resident whose last agreement is older is asked again at their next log-in."""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.auth.models import Consent, ConsentItem, User
from app.core import DomainError, utcnow
from app.extensions import db
from app.privacy.models import PrivacyPolicy

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")


def published_versions() -> list[PrivacyPolicy]:
    """Every published version, newest first (a handful of rows)."""
    return list(db.session.scalars(select(PrivacyPolicy).order_by(PrivacyPolicy.id.desc())))


def current_policy() -> PrivacyPolicy | None:
    return db.session.scalar(select(PrivacyPolicy).order_by(PrivacyPolicy.id.desc()).limit(1))


def current_policy_version() -> str:
    policy = current_policy()
    return policy.version if policy else current_app.config["PRIVACY_POLICY_VERSION"]


def policy_by_version(version: str) -> PrivacyPolicy | None:
    return db.session.scalar(select(PrivacyPolicy).where(PrivacyPolicy.version == version))


def publish_policy(actor: User, *, version: str, body_ko: str, body_en: str, changes: str,
                   required_changed: bool) -> PrivacyPolicy:
    version = version.strip()
    if not VERSION_PATTERN.match(version):
        raise DomainError(_l("Use letters, digits, dots and dashes, for example 2027-01."), field="version",
                          status=422)
    if version == current_app.config["PRIVACY_POLICY_VERSION"] or policy_by_version(version):
        raise DomainError(_l("This version already exists. Choose a new version name."), field="version", status=422)
    if not body_ko.strip():
        raise DomainError(_l("Write the policy text in Korean."), field="body_ko", status=422)
    policy = PrivacyPolicy(version=version, body_ko=body_ko.strip(), body_en=(body_en or "").strip(),
                           changes=(changes or "").strip(), required_changed=required_changed,
                           published_at=utcnow(), published_by_id=actor.id)
    db.session.add(policy)
    db.session.flush()
    audit.record(actor, "privacy.policy_publish", "privacy_policy", policy.id, version=version,
                 required_changed=required_changed)
    return policy


def _agreed_version(user: User) -> str | None:
    """The policy version of the resident's latest agreement to the required item."""
    row = db.session.scalar(
        select(Consent).where(Consent.user_id == user.id, Consent.item == ConsentItem.PRIVACY)
        .order_by(Consent.id.desc()).limit(1))
    return row.policy_version if row is not None and row.granted else None


def reconsent_policy(user: User) -> PrivacyPolicy | None:
    """The version the resident must agree to before going on, or None.

    Two queries: the latest version whose required items changed, and the resident's last agreement."""
    latest_required = db.session.scalar(
        select(PrivacyPolicy).where(PrivacyPolicy.required_changed.is_(True))
        .order_by(PrivacyPolicy.id.desc()).limit(1))
    if latest_required is None:
        return None
    agreed = _agreed_version(user)
    if agreed is not None:
        agreed_policy = policy_by_version(agreed)
        if agreed_policy is not None and agreed_policy.id >= latest_required.id:
            return None
    return current_policy()


def agree_to_current(user: User) -> Consent:
    """Record the resident's agreement to the version now in force."""
    row = Consent(user_id=user.id, item=ConsentItem.PRIVACY, granted=True, policy_version=current_policy_version())
    db.session.add(row)
    db.session.flush()
    return row
