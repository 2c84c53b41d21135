"""The two Korean login providers behind one small interface, with real HTTP clients.

Kakao speaks OpenID Connect: the authorization code is exchanged at its token endpoint for an
``id_token`` (RS256) whose signature is checked against the provider's JWKS and whose ``iss``, ``aud``,
``exp`` and ``nonce`` are checked here; ``sub`` is the person's stable id
(https://developers.kakao.com/docs/latest/ko/kakaologin/utilize#oidc). Naver speaks plain OAuth 2.0:
the code (with the same ``state``) is exchanged for an access token, and the profile API
(``/v1/nid/me``: ``resultcode`` "00" and a ``response`` object) names the person
(https://developers.naver.com/docs/login/devguide/devguide.md). The code exchange uses Authlib's
``OAuth2Session``; tokens are checked with joserfc (Authlib's own JOSE library).

Every failure to reach a provider or to trust its answer is a ``ProviderError`` with a message a
resident can read; nothing a provider sends is trusted before it is checked.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from flask_babel import lazy_gettext as _l
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

PROVIDERS = ("kakao", "naver")
LABELS = {"kakao": _l("Kakao"), "naver": _l("Naver")}


class ProviderError(Exception):
    def __init__(self, message, *, reason: str = "error"):
        super().__init__(str(reason))
        self.message = message
        self.reason = reason  # kept in the access log: "denied", "state", "code", "token", "down"


@dataclass
class Identity:
    provider: str
    subject: str
    email: str | None = None
    name: str | None = None
    birth_year: int | None = None


def _config(provider: str, name: str):
    return current_app.config.get(f"{provider.upper()}_{name}")


def is_enabled(provider: str) -> bool:
    return provider in PROVIDERS and bool(_config(provider, "ENABLED")) and bool(_config(provider, "CLIENT_ID"))


def enabled_providers() -> list[str]:
    return [p for p in PROVIDERS if is_enabled(p)]


def label(provider: str):
    return LABELS.get(provider, provider)


def authorization_url(provider: str, *, redirect_uri: str, state: str, nonce: str) -> str:
    params = {"response_type": "code", "client_id": _config(provider, "CLIENT_ID"), "redirect_uri": redirect_uri,
              "state": state}
    if provider == "kakao":
        params.update(scope="openid", nonce=nonce)
    return f"{_config(provider, 'AUTHORIZE_URL')}?{urlencode(params)}"


def _timeout() -> float:
    return float(current_app.config["SOCIAL_LOGIN_TIMEOUT"])


DOWN = _l("The login service did not answer. Try again in a moment, or log in another way.")
REFUSED_CODE = _l("The login could not be completed (the code was refused: it may have been used already or "
                  "expired). Start again.")
UNTRUSTED = _l("The login service's answer could not be verified. Start again, or log in another way.")


def _fetch_token(provider: str, code: str, redirect_uri: str, state: str) -> dict:
    client = OAuth2Session(client_id=_config(provider, "CLIENT_ID"), client_secret=_config(provider, "CLIENT_SECRET"),
                           token_endpoint_auth_method="client_secret_post", redirect_uri=redirect_uri)
    try:
        # Naver wants the flow's state with the code (Authlib's ``state`` argument is not sent, so it goes in
        # the body).
        body = urlencode({"state": state}) if provider == "naver" else ""
        return dict(client.fetch_token(_config(provider, "TOKEN_URL"), body=body, code=code, timeout=_timeout(),
                                       grant_type="authorization_code"))
    except AuthlibBaseError as error:  # {"error": "invalid_grant", ...}: a used, expired or unknown code
        raise ProviderError(REFUSED_CODE, reason="code") from error
    except (requests.RequestException, ValueError) as error:  # down, slow, 5xx, not JSON
        raise ProviderError(DOWN, reason="down") from error
    finally:
        client.close()


# The JWKS of each issuer, kept an hour; fetched again at once when a token names a key it lacks
# (the provider rotated its keys).
_JWKS: dict[str, tuple[float, KeySet]] = {}
_JWKS_LOCK = threading.Lock()


def _key_set(url: str, *, refresh: bool = False) -> KeySet:
    with _JWKS_LOCK:
        cached = _JWKS.get(url)
        if cached is not None and not refresh and time.monotonic() - cached[0] < 3600:
            return cached[1]
    try:
        with requests.get(url, timeout=_timeout()) as response:
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
    except (requests.RequestException, ValueError, JoseError) as error:
        raise ProviderError(DOWN, reason="down") from error
    with _JWKS_LOCK:
        _JWKS[url] = (time.monotonic(), keys)
    return keys


def verify_id_token(provider: str, id_token: str, nonce: str) -> dict:
    url = _config(provider, "JWKS_URL")
    try:
        kid = jws.extract_compact(id_token.encode()).headers().get("kid")
    except (JoseError, ValueError):
        raise ProviderError(UNTRUSTED, reason="token") from None
    keys = _key_set(url)
    if kid is not None and not any(key.kid == kid for key in keys.keys):
        keys = _key_set(url, refresh=True)
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": _config(provider, "ISSUER")},
            aud={"essential": True, "value": _config(provider, "CLIENT_ID")},
            sub={"essential": True}, exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise ProviderError(UNTRUSTED, reason="token") from error
    return dict(token.claims)


def _kakao_identity(token: dict, nonce: str) -> Identity:
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderError(UNTRUSTED, reason="token")
    claims = verify_id_token("kakao", id_token, nonce)
    return Identity(provider="kakao", subject=str(claims["sub"]), email=_text(claims.get("email"), 254),
                    name=_text(claims.get("nickname"), 30))


def _naver_identity(token: dict) -> Identity:
    access_token = token.get("access_token")
    if not isinstance(access_token, str):
        raise ProviderError(UNTRUSTED, reason="token")
    try:
        with requests.get(_config("naver", "PROFILE_URL"), headers={"Authorization": f"Bearer {access_token}"},
                          timeout=_timeout()) as response:
            if response.status_code >= 500:
                raise ProviderError(DOWN, reason="down")
            body = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderError(DOWN, reason="down") from error
    profile = body.get("response") if isinstance(body, dict) and body.get("resultcode") == "00" else None
    if not isinstance(profile, dict) or not isinstance(profile.get("id"), str) or not profile["id"]:
        raise ProviderError(UNTRUSTED, reason="token")
    birth_year = profile.get("birthyear")
    return Identity(provider="naver", subject=profile["id"][:100], email=_text(profile.get("email"), 254),
                    name=_text(profile.get("nickname") or profile.get("name"), 30),
                    birth_year=int(birth_year) if isinstance(birth_year, str) and birth_year.isdigit() else None)


def _text(value, limit: int) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def identify(provider: str, *, code: str, redirect_uri: str, state: str, nonce: str) -> Identity:
    """Exchange the authorization code and return the verified identity (or raise ProviderError)."""
    token = _fetch_token(provider, code, redirect_uri, state)
    if provider == "kakao":
        return _kakao_identity(token, nonce)
    return _naver_identity(token)
