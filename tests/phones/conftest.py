"""The text-message provider of the phone tests: a real HTTP server on 127.0.0.1 the app is pointed at."""
from __future__ import annotations

import re

import pytest

from tests.channels.text_server import TextProviderServer
from tests.conftest import configured


@pytest.fixture
def text_provider(app):
    with TextProviderServer() as server, configured(app, TEXT_PROVIDER_URL=server.url, TEXT_PROVIDER_KEY=server.key,
                                                    TEXT_PROVIDER_TIMEOUT=1.0):
        yield server


@pytest.fixture
def last_code(text_provider):
    """last_code("01012345678") -> the 6-digit code in the latest text to that number."""

    def read(number):
        texts = text_provider.texts_to(number)
        assert texts, f"no text to {number}"
        return re.search(r"(?<!\d)(\d{6})(?!\d)", texts[-1]).group(1)

    return read


@pytest.fixture
def roomy_limit(app):
    """More requests per minute than the default five, for tests that walk through every rejection."""
    saved = app.config["PHONE_CODE_RATELIMIT"]
    app.config["PHONE_CODE_RATELIMIT"] = "50 per minute"
    yield
    app.config["PHONE_CODE_RATELIMIT"] = saved
