"""Logging in with Kakao or Naver, signing up through them, linking and unlinking them.

Services flush; the view commits. An identity is trusted only once ``providers.identify`` verified it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.auth import services as auth_services
from app.auth.models import ConsentItem, User
from app.core import DomainError, utcnow
from app.extensions import db
from app.social.models import SocialLogin
from app.social.providers import Identity, label


def find_login(provider: str, subject: str) -> SocialLogin | None:
    return db.session.scalar(select(SocialLogin).where(SocialLogin.provider == provider,
                                                       SocialLogin.subject == subject))


def logins_of(user: User) -> list[SocialLogin]:
    return list(db.session.scalars(select(SocialLogin).where(SocialLogin.user_id == user.id)
                                   .order_by(SocialLogin.provider)))


def user_for_identity(identity: Identity) -> User | None:
    """The account this provider identity logs into, or None when it is linked to none."""
    login = find_login(identity.provider, identity.subject)
    if login is None:
        return None
    if not login.user.active:
        raise DomainError(_l("The account linked to this login is deactivated."), status=403)
    login.last_login_at = utcnow()
    return login.user


def email_taken(email: str | None) -> bool:
    return bool(email) and auth_services.find_user_by_email(email or "") is not None


def sign_up_with(identity: Identity, *, email: str, display_name: str, district: str, birth_year: int,
                 consents: dict[ConsentItem, bool], guardian_name: str | None = None,
                 guardian_consent: bool = False) -> User:
    """The first login with a provider creates an account: the same consents and under-14 rule as the
    sign-up form (``auth.services.sign_up``), but no password; the provider is its way to log in."""
    if find_login(identity.provider, identity.subject) is not None:
        raise DomainError(_l("This login is already linked to an account. Log in with it."), status=409)
    if email_taken(email):
        # Never attached automatically: whoever controls the provider account must prove they own this one.
        raise DomainError(_l("An account already uses this email. Log in to it with its password, then link "
                             "%(provider)s from your account page.", provider=label(identity.provider)),
                          field="email", status=409)
    user = auth_services.sign_up(email=email, password=None, display_name=display_name, district=district,
                                 birth_year=birth_year, consents=consents, guardian_name=guardian_name,
                                 guardian_consent=guardian_consent)
    db.session.add(SocialLogin(user_id=user.id, provider=identity.provider, subject=identity.subject,
                               email=identity.email, last_login_at=utcnow()))
    db.session.flush()
    audit.record(user, "social.sign_up", "user", user.id, provider=identity.provider)
    return user


def link(user: User, identity: Identity) -> SocialLogin:
    existing = find_login(identity.provider, identity.subject)
    if existing is not None:
        if existing.user_id == user.id:
            raise DomainError(_l("This login is already linked to your account."), status=409)
        raise DomainError(_l("This %(provider)s login is linked to another Maeul account.",
                             provider=label(identity.provider)), status=409)
    if any(login.provider == identity.provider for login in logins_of(user)):
        raise DomainError(_l("Your account is already linked to another %(provider)s login. Unlink it first.",
                             provider=label(identity.provider)), status=409)
    login = SocialLogin(user_id=user.id, provider=identity.provider, subject=identity.subject, email=identity.email)
    db.session.add(login)
    db.session.flush()
    audit.record(user, "social.link", "user", user.id, provider=identity.provider)
    return login


def unlink(user: User, provider: str) -> None:
    """Remove a provider, as long as another way to log in remains (a password or another provider)."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())  # one unlink at a time
    logins = logins_of(user)
    login = next((row for row in logins if row.provider == provider), None)
    if login is None:
        raise DomainError(_l("This login is not linked to your account."), status=404)
    if not auth_services.has_password(user) and len(logins) == 1:
        raise DomainError(_l("This is your only way to log in. Set a password or link another login first."),
                          status=409)
    db.session.delete(login)
    db.session.flush()
    audit.record(user, "social.unlink", "user", user.id, provider=provider)
