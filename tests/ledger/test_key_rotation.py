"""`flask ledger rotate-key` re-encrypts the stored bank account numbers with the newest key."""
from cryptography.fernet import Fernet, InvalidToken
import pytest
from sqlalchemy import select

from app.extensions import db
from app.ledger.crypto import decrypt_text
from app.ledger.models import BankAccount
from app.ledger.services import payouts


def _stored() -> list[str]:
    return list(db.session.scalars(select(BankAccount.account_number_encrypted).order_by(BankAccount.id)))


def test_rotate_key_reencrypts_every_number_and_the_old_key_can_go(app, runner, make_user):
    old, new = app.config["DATA_ENCRYPTION_KEY"], Fernet.generate_key().decode()
    first, second = make_user(), make_user()
    payouts.save_bank_account(first, bank="하나은행", account_number="123-456789-01234", holder_name="홍길동")
    payouts.save_bank_account(second, bank="국민은행", account_number="987-654321-00000", holder_name="박영희")
    db.session.commit()
    before = _stored()
    try:
        app.config["DATA_ENCRYPTION_KEY"] = f"{new},{old}"
        result = runner.invoke(args=["ledger", "rotate-key"])
        assert result.exit_code == 0, result.output
        assert "2 bank account number(s)" in result.output
        db.session.expire_all()
        after = _stored()
        assert all(a != b for a, b in zip(after, before))
        app.config["DATA_ENCRYPTION_KEY"] = new  # the old key is gone: every number still opens
        assert [decrypt_text(token) for token in after] == ["123-456789-01234", "987-654321-00000"]
        app.config["DATA_ENCRYPTION_KEY"] = old
        with pytest.raises(InvalidToken):
            decrypt_text(after[0])
    finally:
        app.config["DATA_ENCRYPTION_KEY"] = old


def test_rotate_key_without_the_old_key_changes_nothing_and_fails(app, runner, make_user):
    old = app.config["DATA_ENCRYPTION_KEY"]
    payouts.save_bank_account(make_user(), bank="하나은행", account_number="123-456789-01234", holder_name="홍길동")
    db.session.commit()
    before = _stored()
    try:
        app.config["DATA_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
        result = runner.invoke(args=["ledger", "rotate-key"])
    finally:
        app.config["DATA_ENCRYPTION_KEY"] = old
    assert result.exit_code == 1 and "Nothing was changed" in result.output
    db.session.expire_all()
    assert _stored() == before
