"""Account use cases. Services flush; the caller (view, API, CLI) commits once."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from app import audit
from app.auth.models import AccessLog, ApiToken, Consent, ConsentItem, Role, User, UserRole
from app.core import DomainError, utcnow
from app.extensions import db
from app.mail import send_mail
from app.sql import rowcount
from app.urls import public_url

GUARDIAN_AGE = 14


@lru_cache(maxsize=4)
def _make_hasher(parameters: tuple[tuple[str, int], ...]) -> PasswordHasher:
    options: dict[str, Any] = dict(parameters)
    return PasswordHasher(**options)


def _hasher() -> PasswordHasher:
    """argon2id with the library's recommended cost, unless the config lowers it (tests only)."""
    return _make_hasher(tuple(sorted(current_app.config.get("ARGON2_PARAMETERS", {}).items())))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _policy_version() -> str:
    """The privacy policy version in force (published by admins, app/privacy/policy.py)."""
    from app.privacy.policy import current_policy_version

    return current_policy_version()


def needs_guardian(birth_year: int, today: date | None = None) -> bool:
    """Under 14 (Korean personal-information law) by the age reached this year or next birthday."""
    today = today or date.today()
    return today.year - birth_year < GUARDIAN_AGE


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


# The password hash of an account made through a Kakao or Naver login: argon2 cannot read it, so no
# password opens the account until its owner sets one (password reset works as for everyone).
NO_PASSWORD = "!"


def has_password(user: User) -> bool:
    return not (user.password_hash or NO_PASSWORD).startswith(NO_PASSWORD)


def sign_up(
    *,
    email: str,
    password: str | None,
    display_name: str,
    district: str,
    birth_year: int,
    consents: dict[ConsentItem, bool],
    guardian_name: str | None = None,
    guardian_consent: bool = False,
) -> User:
    _check_sign_up_consents(consents, birth_year, guardian_name, guardian_consent)
    if not needs_guardian(birth_year):
        guardian_name = None
    if find_user_by_email(email):
        raise DomainError(_l("An account with this email already exists."), field="email", status=422)
    user = User(
        email=email.strip().lower(),
        password_hash=hash_password(password) if password is not None else NO_PASSWORD,
        display_name=display_name.strip(),
        district=district,
        birth_year=birth_year,
        guardian_name=guardian_name.strip() if guardian_name else None,
        role_rows=[UserRole(role=Role.RESIDENT)],
    )
    db.session.add(user)
    db.session.flush()
    version = _policy_version()
    for item in [ConsentItem.PRIVACY, *ConsentItem.optional_items()]:
        db.session.add(Consent(user_id=user.id, item=item, granted=bool(consents.get(item)), policy_version=version))
    if guardian_name:
        db.session.add(
            Consent(
                user_id=user.id,
                item=ConsentItem.GUARDIAN,
                granted=True,
                policy_version=version,
                guardian_name=user.guardian_name,
            )
        )
    return user


def _check_sign_up_consents(consents: dict[ConsentItem, bool], birth_year: int, guardian_name: str | None,
                            guardian_consent: bool) -> None:
    if not consents.get(ConsentItem.PRIVACY):
        raise DomainError(_l("You must agree to the privacy policy to sign up."), field="consent_privacy", status=422)
    if needs_guardian(birth_year) and (not (guardian_name and guardian_name.strip()) or not guardian_consent):
        raise DomainError(
            _l("Residents under 14 need a guardian's name and consent."), field="guardian_name", status=422
        )


def register(*, email: str, password: str, display_name: str, district: str, birth_year: int,
             consents: dict[ConsentItem, bool], guardian_name: str | None = None,
             guardian_consent: bool = False) -> User | None:
    """Sign-up as residents do it (page and API): the answer never tells whether the email already has
    an account. A new account gets a welcome mail; an existing one's owner gets a mail saying that
    someone tried to sign up with it. Both paths hash the password and send one mail, so they also
    take the same time. Returns the new user, or None when the email was taken."""
    _check_sign_up_consents(consents, birth_year, guardian_name, guardian_consent)
    owner = find_user_by_email(email)
    if owner is None:
        user = sign_up(email=email, password=password, display_name=display_name, district=district,
                       birth_year=birth_year, consents=consents, guardian_name=guardian_name,
                       guardian_consent=guardian_consent)
        send_mail(user.email, _("Welcome to Maeul"),
                  _("Your Maeul account is ready. Log in here: %(link)s", link=public_url("auth.login")))
        return user
    hash_password(password)  # the same work as creating the account
    send_mail(owner.email, _("Someone tried to sign up with your email"),
              _("Someone tried to create a Maeul account with this email address, which already has an account. "
                "If it was you, log in here: %(login)s. If you forgot your password, choose a new one here: "
                "%(reset)s. If it was not you, you need not do anything.",
                login=public_url("auth.login"), reset=public_url("auth.forgot_password")))
    return None


def create_user(
    *, email: str, password: str, display_name: str, roles: list[Role], is_city_employee: bool = False,
    district: str = "onyang1", birth_year: int = 1980,
) -> User:
    """An account created by an operator (CLI, demo data): privacy consent recorded as given."""
    user = sign_up(
        email=email, password=password, display_name=display_name, district=district, birth_year=birth_year,
        consents={ConsentItem.PRIVACY: True},
    )
    user.is_city_employee = is_city_employee
    for role in roles:
        if role not in user.roles:
            user.role_rows.append(UserRole(role=role))
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None:
        _hasher().hash(password)  # same work either way: no timing hint whether the email exists
        return None
    if not password_matches(user, password) or not user.active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def log_access(user: User | None, event: str, ip_address: str | None, user_agent: str | None) -> None:
    db.session.add(AccessLog(user_id=user.id if user else None, event=event, ip_address=ip_address,
                             user_agent=(user_agent or "")[:500]))


# Sessions: Flask-Login keeps "<id>:<session_version>" (User.get_id) in the session and in the
# remember-me cookie. end_sessions raises the version, so every cookie issued before stops working,
# wherever it is; a view that keeps its own session logs the user in again with the new version.
_SESSION_ID = re.compile(r"([0-9]{1,10}):([0-9]{1,10})", re.ASCII)


def user_for_session_id(session_id: str) -> User | None:
    """The Flask-Login user loader: the active account whose session version the cookie carries."""
    match = _SESSION_ID.fullmatch(session_id or "")
    if match is None or int(match.group(1)) > 2**31 - 1:
        return None
    user = db.session.get(User, int(match.group(1)))
    if user is None or not user.active or user.session_version != int(match.group(2)):
        return None
    return user


def end_sessions(user: User) -> None:
    """End every browser session and remember-me cookie of the account (log-out, password change or
    reset, deactivation)."""
    user.session_version = (user.session_version or 0) + 1


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not password_matches(user, current_password):
        raise DomainError(_l("The current password is wrong."), field="current_password", status=422)
    user.password_hash = hash_password(new_password)
    revoke_all_tokens(user)
    end_sessions(user)


# Password reset: the token is signed over the current password hash, so it stops working the
# moment it is used (the hash changes) and after PASSWORD_RESET_MAX_AGE seconds.
def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Mail a reset link to an active account; to an address without one, mail a note saying so.

    Both paths look the account up, sign a token, build a link and send one mail, so neither the
    answer nor the time it takes tells whether the email has an account."""
    user = find_user_by_email(email)
    if user is not None and user.active:
        link = public_url("auth.reset_password", token=make_password_reset_token(user))
        send_mail(user.email, _("Reset your Maeul password"),
                  _("Open this link within an hour to choose a new password: %(link)s", link=link))
        return
    _reset_serializer().dumps({"uid": 0, "fp": hashlib.sha256(secrets.token_bytes(16)).hexdigest()[:16]})
    send_mail(email.strip(), _("Reset your Maeul password"),
              _("Someone asked to reset the password of a Maeul account with this email address, but no active "
                "account uses it. If it was you, you can sign up here: %(link)s. Otherwise you need not do "
                "anything.", link=public_url("auth.signup")))


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or data.get("fp") != _password_fingerprint(user):
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise DomainError(_l("This reset link is invalid or has expired. Ask for a new one."), status=400)
    user.password_hash = hash_password(new_password)
    revoke_all_tokens(user)
    end_sessions(user)
    return user


def deactivate(user: User, actor: User) -> None:
    if not user.active:
        raise DomainError(_l("This account is already deactivated."))
    user.active = False
    user.deactivated_at = utcnow()
    revoke_all_tokens(user)
    end_sessions(user)
    audit.record(actor, "account.deactivate", "user", user.id)


def update_profile(user: User, *, display_name: str, district: str, birth_year: int,
                   guardian_name: str | None = None, guardian_consent: bool = False) -> list[str]:
    """Correct the resident's own data. Returns the names of the fields that changed.

    A birth year that makes the resident under 14 needs a guardian's consent on record, exactly
    as at sign-up, so the guardian rule cannot be dodged by signing up older and correcting later."""
    if needs_guardian(birth_year) and not has_consent(user, ConsentItem.GUARDIAN):
        if not (guardian_name and guardian_name.strip()) or not guardian_consent:
            raise DomainError(
                _l("Residents under 14 need a guardian's name and consent."), field="guardian_name", status=422
            )
        user.guardian_name = guardian_name.strip()
        db.session.add(Consent(user_id=user.id, item=ConsentItem.GUARDIAN, granted=True,
                               policy_version=_policy_version(),
                               guardian_name=user.guardian_name))
    new_values = {"display_name": display_name.strip(), "district": district, "birth_year": birth_year}
    changed = [name for name, value in new_values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, new_values[name])
    if changed:
        audit.record(user, "account.update_profile", "user", user.id, fields=changed)
    db.session.flush()
    return changed


def access_log_for(user: User, page: int, per_page: int = 20):
    return db.paginate(select(AccessLog).where(AccessLog.user_id == user.id).order_by(AccessLog.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def prune_access_log(retention_days: int) -> int:
    """Delete access-log rows older than the retention period, which is never less than a year."""
    if retention_days < 365:
        raise DomainError(_l("Access logs must be kept for at least a year."), status=422)
    cutoff = utcnow() - timedelta(days=retention_days)
    return rowcount(db.session.execute(delete(AccessLog).where(AccessLog.created_at < cutoff)))


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("Unknown language."), field="locale", status=422)
    user.locale = locale


def set_text_size(user: User, size: str) -> None:
    from app.textsize import TextSize

    try:
        user.text_size = TextSize(size).value
    except ValueError:
        raise DomainError(_l("Unknown text size."), field="text_size", status=422) from None


# Roles -------------------------------------------------------------------------------------------


def grant_role(user: User, role: Role, actor: User) -> None:
    if role in user.roles:
        raise DomainError(_l("The user already has this role."))
    user.role_rows.append(UserRole(role=role))
    audit.record(actor, "role.grant", "user", user.id, role=role.value)
    from app.notifications.services import notify  # notifications import auth's models: not at import time

    notify([user.id], "role_granted", role=role.value)


def revoke_role(user: User, role: Role, actor: User) -> None:
    row = next((r for r in user.role_rows if r.role is role), None)
    if row is None:
        raise DomainError(_l("The user does not have this role."))
    if role is Role.ADMIN and user.id == actor.id:
        raise DomainError(_l("You cannot remove your own admin role."))
    user.role_rows.remove(row)
    audit.record(actor, "role.revoke", "user", user.id, role=role.value)
    from app.notifications.services import notify

    notify([user.id], "role_revoked", role=role.value)


def set_city_employee(user: User, value: bool, actor: User) -> None:
    if user.is_city_employee == value:
        return
    user.is_city_employee = value
    audit.record(actor, "user.city_employee", "user", user.id, value=value)


# Consents ----------------------------------------------------------------------------------------

# Sent after an optional consent is given or withdrawn, in the same transaction (the walking
# programme stops collecting steps the moment the health consent is withdrawn).
consent_changed = Namespace().signal("consent-changed")

def current_consents(user: User) -> dict[ConsentItem, Consent]:
    """The latest decision per consent item."""
    rows = db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id)).all()
    latest: dict[ConsentItem, Consent] = {}
    for row in rows:
        latest[row.item] = row
    return latest


def has_consent(user: User, item: ConsentItem) -> bool:
    row = db.session.scalar(
        select(Consent).where(Consent.user_id == user.id, Consent.item == item).order_by(Consent.id.desc()).limit(1)
    )
    return bool(row and row.granted)


def set_consent(user: User, item: ConsentItem, granted: bool) -> Consent:
    if item not in ConsentItem.optional_items():
        raise DomainError(_l("This consent cannot be changed here."), status=422)
    row = Consent(user_id=user.id, item=item, granted=granted,
                  policy_version=_policy_version())
    db.session.add(row)
    consent_changed.send(user, item=item, granted=granted)
    return row


# API tokens ------------------------------------------------------------------------------------

def token_digest(token: str) -> str:
    """What is stored of a token (its SHA-256): the token itself is shown once and never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, scope: str | None = None) -> str:
    """A new bearer token; ``scope`` limits it (see app/api/scopes.py), None gives the account's rights."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), scope=scope))
    return token


def scoped_tokens(user: User, scope: str) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.scope == scope, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)))


def token_record(token: str) -> ApiToken | None:
    # The user and their roles come in the same query: every API request with a token asks for them.
    record = db.session.scalars(
        select(ApiToken).options(joinedload(ApiToken.user, innerjoin=True).joinedload(User.role_rows))
        .where(ApiToken.token_hash == token_digest(token))).unique().first()
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    return record


def revoke_token(record: ApiToken) -> None:
    record.revoked_at = utcnow()


def revoke_all_tokens(user: User) -> None:
    for record in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        record.revoked_at = utcnow()
