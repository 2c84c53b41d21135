"""Real servers for the channel tests: SMTP (aiosmtpd) and the text-message provider, both on 127.0.0.1."""
from __future__ import annotations

import pytest

from tests.channels.smtp_server import SmtpServer, free_port
from tests.conftest import configured
from tests.phones.conftest import last_code, text_provider  # noqa: F401  (fixtures shared with the phone tests)


@pytest.fixture
def smtp(app):
    """Point the app at a real SMTP server for this test."""
    with SmtpServer() as server, configured(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                                            MAIL_USE_TLS=False, MAIL_TIMEOUT=2):
        yield server


@pytest.fixture
def smtp_down(app):
    """An SMTP address where nothing listens (the server is down)."""
    with configured(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_TIMEOUT=2):
        yield


@pytest.fixture
def resident(make_user):
    """resident(consent=True, locale=None, **fields) -> a committed resident, with the notification consent."""
    from app.auth.models import ConsentItem
    from app.auth.services import set_consent
    from app.extensions import db

    def factory(consent=True, locale=None, **fields):
        user = make_user(**fields)
        if consent:
            set_consent(user, ConsentItem.NOTIFICATIONS, True)
        user.locale = locale
        db.session.commit()
        return user

    return factory
