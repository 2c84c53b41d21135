"""Mileage into local currency: reserve under a conditional UPDATE, deliver, pay from the budget.

The balance and today's converted total are checked and changed in one UPDATE of the participant's
row (``_take``), so fifty simultaneous requests against a balance that covers three convert exactly
three. A client's idempotency key is unique per resident: a retry answers the first conversion. Money
leaves the walking budget (committed → paid) only when the bank redeems the coupon or the account
provider confirms the transfer; an expired coupon or a released transfer returns to the balance."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from app import audit
from app.core import DomainError, utcnow
from app.extensions import db
from app.ledger.crypto import decrypt_text, encrypt_text
from app.ledger.models import Budget, ProgrammeType
from app.ledger.services.funds import pay_batch_funds
from app.sql import rowcount
from app.walking.models import (
    Conversion,
    ConversionStatus,
    MileageEntry,
    MileageKind,
    Provider,
    WalkingParticipant,
)
from app.walking.services import today
from app.walking.services.crediting import dialect_insert
from app.walking.services.providers import AccountProvider, provider_name
from app.walking.services.rules import rule_on

UNIT = 1000
IN_HAND = [ConversionStatus.RESERVED, ConversionStatus.ISSUED, ConversionStatus.REDEEMED, ConversionStatus.PAID]


def luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return str((10 - total % 10) % 10)


def new_coupon_number() -> str:
    """16 digits, the last a Luhn check digit so that a mistyped number is caught at the counter."""
    body = str(secrets.randbelow(9 * 10**14) + 10**14)
    return body + luhn_digit(body)


def normalise_number(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())


def valid_coupon_number(number: str) -> bool:
    return len(number) == 16 and luhn_digit(number[:-1]) == number[-1]


def link_pay_account(user, account: str) -> None:
    participant = db.session.get(WalkingParticipant, user.id)
    if participant is None:
        raise DomainError(_l("Join the walking programme first."))
    account = account.strip()
    if not (6 <= len(account) <= 40) or not all(ch.isalnum() or ch == "-" for ch in account):
        raise DomainError(_l("Enter the account number as 6 to 40 letters, digits or dashes."), field="account",
                          status=422)
    participant.pay_account_encrypted = encrypt_text(account)
    audit.record(user, "walking.pay_account_linked", "user", user.id)


def convert_mileage(user, *, amount_won, idempotency_key, provider: Provider | None = None) -> tuple[Conversion, bool]:
    """Answers (conversion, created). A known key answers the conversion it made the first time."""
    if isinstance(amount_won, bool) or not isinstance(amount_won, int) or amount_won <= 0 or amount_won % UNIT:
        raise DomainError(_l("Convert whole units of 1,000 won."), field="amount", status=422)
    if not isinstance(idempotency_key, str) or not 8 <= len(idempotency_key.strip()) <= 100:
        raise DomainError(_l("Send an idempotency key of 8 to 100 characters."), field="idempotency_key", status=422)
    key = idempotency_key.strip()
    existing = _by_key(user.id, key)
    if existing is not None:
        return _replay(existing, amount_won), False
    participant = db.session.get(WalkingParticipant, user.id)
    if participant is None:
        raise DomainError(_l("Join the walking programme first."))
    provider = provider or Provider(provider_name())
    if provider is Provider.ACCOUNT and not participant.pay_account_encrypted:
        raise DomainError(_l("Link your local-currency account before converting."), field="account")
    if participant.balance_won < amount_won:  # a fast answer; the conditional UPDATE in _take decides
        raise _short(participant, amount_won)
    if _committed_total() < amount_won:
        raise DomainError(_l("The walking budget cannot pay this conversion now."))
    # INSERT … ON CONFLICT DO NOTHING: the unique (user, key) decides between racing retries without a
    # savepoint; the loser reads the winner's conversion (PostgreSQL waits for the winner to commit).
    inserted = db.session.execute(
        dialect_insert()(Conversion).values(
            user_id=user.id, provider=provider, status=ConversionStatus.RESERVED, amount_won=amount_won,
            idempotency_key=key, provider_key=secrets.token_hex(16), attempts=0, created_at=utcnow(),
            updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "idempotency_key"]).returning(Conversion.id)).first()
    if inserted is None:
        winner = _by_key(user.id, key)
        if winner is None:  # the conflicting row is committed, so this read finds it
            raise RuntimeError(f"conversion with idempotency key {key!r} conflicted but cannot be read")
        return _replay(winner, amount_won), False
    conversion = db.session.get_one(Conversion, inserted[0])
    _take(participant, amount_won)
    db.session.add(MileageEntry(user_id=user.id, kind=MileageKind.CONVERSION, amount_won=-amount_won,
                                conversion_id=conversion.id, idempotency_key=f"conversion:{conversion.id}"))
    if provider is Provider.COUPON:
        conversion.coupon_number = _unique_coupon_number()
        conversion.valid_until = utcnow() + timedelta(days=current_app.config["WALKING_COUPON_VALID_DAYS"])
        conversion.move_to(ConversionStatus.ISSUED)
    db.session.flush()
    audit.record(user, "walking.converted", "walking_conversion", conversion.id, amount_won=amount_won,
                 provider=provider.value)
    return conversion, True


def _by_key(user_id: int, key: str) -> Conversion | None:
    return db.session.scalar(select(Conversion).where(Conversion.user_id == user_id, Conversion.idempotency_key == key))


def _replay(conversion: Conversion, amount_won: int) -> Conversion:
    if conversion.amount_won != amount_won:
        raise DomainError(_l("This idempotency key was used for a different amount."), field="idempotency_key",
                          status=422)
    return conversion


def _unique_coupon_number() -> str:
    while True:
        number = new_coupon_number()
        if db.session.scalar(select(Conversion.id).where(Conversion.coupon_number == number)) is None:
            return number


def _take(participant: WalkingParticipant, amount_won: int) -> None:
    """Take the amount from the balance and add it to today's conversions, in one conditional UPDATE."""
    day = today()
    cap = rule_on(day).conversion_daily_cap_won
    so_far = case((WalkingParticipant.converted_day == day, WalkingParticipant.converted_today_won), else_=0)
    result = db.session.execute(
        update(WalkingParticipant)
        .where(WalkingParticipant.user_id == participant.user_id, WalkingParticipant.balance_won >= amount_won,
               so_far + amount_won <= cap)
        .values(balance_won=WalkingParticipant.balance_won - amount_won, converted_day=day,
                converted_today_won=so_far + amount_won)
        .execution_options(synchronize_session=False))
    db.session.expire(participant)
    if rowcount(result) == 1:
        return
    if participant.balance_won < amount_won:
        raise _short(participant, amount_won)
    raise DomainError(_l("You can convert at most %(cap)s won a day.", cap=f"{cap:,}"))


def _short(participant: WalkingParticipant, amount_won: int) -> DomainError:
    return DomainError(_l("Your mileage balance is %(balance)s won: not enough to convert %(amount)s won.",
                          balance=f"{participant.balance_won:,}", amount=f"{amount_won:,}"))


def _give_back(conversion: Conversion, new_status: ConversionStatus) -> bool:
    """Expire or release: one conditional UPDATE of the status, then the amount returns to the balance."""
    result = db.session.execute(
        update(Conversion).where(Conversion.id == conversion.id, Conversion.status == conversion.status)
        .values(status=new_status, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if rowcount(result) != 1:
        db.session.expire(conversion)
        return False
    db.session.execute(update(WalkingParticipant).where(WalkingParticipant.user_id == conversion.user_id)
                       .values(balance_won=WalkingParticipant.balance_won + conversion.amount_won)
                       .execution_options(synchronize_session=False))
    db.session.add(MileageEntry(user_id=conversion.user_id, kind=MileageKind.RETURN, amount_won=conversion.amount_won,
                                conversion_id=conversion.id, idempotency_key=f"return:{conversion.id}"))
    db.session.flush()
    db.session.expire(conversion)
    return True


def _pay(conversion: Conversion, actor) -> None:
    """Move the amount from committed to paid in the walking budgets, oldest year first."""
    left = conversion.amount_won
    budgets = db.session.scalars(select(Budget).where(
        Budget.programme_type == ProgrammeType.WALKING, Budget.committed_won > 0).order_by(Budget.fiscal_year))
    for budget in budgets:
        take = min(left, budget.committed_won)
        if take and pay_batch_funds(budget, take, actor=actor, reason=f"walking conversion {conversion.id}",
                                    idempotency_key=f"walking-conversion:{conversion.id}:{budget.id}"):
            left -= take
        if not left:
            return
    raise DomainError(_l("The walking budget cannot pay this conversion now."))


def _committed_total() -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Budget.committed_won), 0))
                                 .where(Budget.programme_type == ProgrammeType.WALKING)))


# Coupons ---------------------------------------------------------------------------------------

def find_coupon(raw_number: str) -> Conversion | None:
    number = normalise_number(raw_number)
    if not valid_coupon_number(number):
        return None
    return db.session.scalar(select(Conversion).where(Conversion.coupon_number == number))


def redeem_coupon(coupon: Conversion, *, clerk, place: str) -> Conversion:
    """Cash a coupon once. A second redemption is refused with when and where the first one happened."""
    place = (place or "").strip()
    if not place:
        raise DomainError(_l("Enter the branch where the coupon is cashed."), field="place", status=422)
    now = utcnow()
    valid_until = coupon.valid_until  # set when the coupon is issued
    if coupon.status is ConversionStatus.ISSUED and valid_until is not None and valid_until < now:
        _give_back(coupon, ConversionStatus.EXPIRED)
        raise DomainError(_l("This coupon expired on %(day)s; its amount went back to the resident's mileage.",
                             day=valid_until.date().isoformat()))
    result = db.session.execute(
        update(Conversion).where(Conversion.id == coupon.id, Conversion.status == ConversionStatus.ISSUED)
        .values(status=ConversionStatus.REDEEMED, redeemed_at=now, redeemed_by_id=clerk.id,
                redeemed_place=place[:100], updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.expire(coupon)
    if rowcount(result) != 1:
        raise already_used(coupon)
    _pay(coupon, clerk)
    audit.record(clerk, "walking.coupon_redeemed", "walking_conversion", coupon.id, place=place[:100])
    return coupon


def already_used(coupon: Conversion) -> DomainError:
    if coupon.status is ConversionStatus.REDEEMED:
        return DomainError(_l("This coupon was already cashed on %(when)s at %(place)s.",
                              when=format_datetime(coupon.redeemed_at, "short"), place=coupon.redeemed_place))
    return DomainError(_l("This coupon cannot be cashed: it is “%(status)s”.", status=coupon.status.label))


def expire_coupons() -> int:
    expired = 0
    for coupon in db.session.scalars(select(Conversion).where(
            Conversion.status == ConversionStatus.ISSUED, Conversion.valid_until < utcnow())).all():
        expired += _give_back(coupon, ConversionStatus.EXPIRED)
    return expired


# Account transfers -------------------------------------------------------------------------------

def deliver(conversion: Conversion, *, final: bool = False) -> ConversionStatus:
    """Ask the account provider to make (or confirm) the transfer; the caller commits.

    With ``final`` (the reservation is older than WALKING_RELEASE_AFTER_HOURS), a transfer the provider
    says it does not have is released back to the balance. Without an answer the amount stays reserved."""
    if conversion.status is not ConversionStatus.RESERVED or conversion.provider is not Provider.ACCOUNT:
        return conversion.status
    provider = AccountProvider.from_config()
    participant = db.session.get_one(WalkingParticipant, conversion.user_id)
    if participant.pay_account_encrypted is None:  # convert_mileage makes account transfers only to a linked one
        raise DomainError(_l("Link your local-currency account before converting."), field="account")
    answer = provider.transfer(account=decrypt_text(participant.pay_account_encrypted),
                               amount_won=conversion.amount_won, key=conversion.provider_key)
    if answer.outcome == "unknown" and final:
        answer = provider.status(conversion.provider_key)
    conversion.attempts += 1
    if answer.outcome == "done":
        result = db.session.execute(
            update(Conversion).where(Conversion.id == conversion.id, Conversion.status == ConversionStatus.RESERVED)
            .values(status=ConversionStatus.PAID, transfer_reference=answer.reference, attempts=conversion.attempts,
                    last_error=None, updated_at=utcnow())
            .execution_options(synchronize_session=False))
        if rowcount(result) == 1:
            _pay(conversion, None)
    elif answer.outcome == "refused":
        conversion.last_error = answer.detail
        db.session.flush()
        _give_back(conversion, ConversionStatus.RELEASED)
    else:
        conversion.last_error = answer.detail
    db.session.flush()
    db.session.expire(conversion)
    return conversion.status


def reserved_transfer_ids() -> list[int]:
    return list(db.session.scalars(select(Conversion.id).where(
        Conversion.status == ConversionStatus.RESERVED, Conversion.provider == Provider.ACCOUNT)
        .order_by(Conversion.id)))


def retry_transfer(conversion_id: int) -> ConversionStatus:
    """Ask again about one reserved transfer; past WALKING_RELEASE_AFTER_HOURS it may be released."""
    conversion = db.session.get_one(Conversion, conversion_id)
    release_before = utcnow() - timedelta(hours=current_app.config["WALKING_RELEASE_AFTER_HOURS"])
    return deliver(conversion, final=conversion.created_at < release_before)


def conversions_of(user_id: int):
    return select(Conversion).where(Conversion.user_id == user_id).order_by(Conversion.id.desc())
