"""URLs: where to go after log-in, and links that leave the site (mails, QR codes)."""
from urllib.parse import urlsplit

from flask import current_app, url_for


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def public_url(path_or_endpoint: str, **values) -> str:
    """An absolute link for use outside the site, built on ``PUBLIC_BASE_URL`` only.

    An external ``url_for`` would take the scheme and host from the request, which the
    client chooses (``Host: attacker.example``): a password-reset mail would then carry the reset
    token to the attacker's server. Pass an endpoint with its values, or a path starting with "/"."""
    path = path_or_endpoint if path_or_endpoint.startswith("/") else url_for(path_or_endpoint, **values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
