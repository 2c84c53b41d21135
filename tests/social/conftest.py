"""The provider server every social-login test talks to, and helpers to walk a browser through it."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import configured
from tests.factories import request_context  # noqa: F401  (fixture)
from tests.social.provider_server import ProviderServer


@pytest.fixture
def provider(app):
    from app.social import providers

    with ProviderServer() as server, configured(
            app, KAKAO_ENABLED=True, KAKAO_CLIENT_ID="kakao-rest-key", KAKAO_CLIENT_SECRET="kakao-secret",
            KAKAO_AUTHORIZE_URL=f"{server.url}/oauth/authorize", KAKAO_TOKEN_URL=f"{server.url}/oauth/token",
            KAKAO_JWKS_URL=f"{server.url}/.well-known/jwks.json", KAKAO_ISSUER="https://kauth.kakao.com",
            NAVER_ENABLED=True, NAVER_CLIENT_ID="naver-client", NAVER_CLIENT_SECRET="naver-secret",
            NAVER_AUTHORIZE_URL=f"{server.url}/oauth2.0/authorize", NAVER_TOKEN_URL=f"{server.url}/oauth2.0/token",
            NAVER_PROFILE_URL=f"{server.url}/v1/nid/me", SOCIAL_LOGIN_TIMEOUT=0.5):
        providers._JWKS.clear()
        try:
            yield server
        finally:
            providers._JWKS.clear()


def visit_provider(location: str) -> str:
    """What the browser does at the provider: follow its redirect back; returns the callback's path+query."""
    with requests.get(location, allow_redirects=False, timeout=5) as answer:
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


@pytest.fixture
def start(client):
    """start("kakao") -> the callback path the provider sends the browser back to (login flow)."""

    def go(provider_name: str, path: str | None = None, method: str = "get") -> str:
        response = getattr(client, method)(path or f"/login/{provider_name}")
        assert response.status_code == 302, response.get_data(as_text=True)
        return visit_provider(response.headers["Location"])

    return go
