"""Production refuses to start without its own secrets and public address; links that leave the
site never follow the request's Host header."""
import pathlib
import re

import pytest
from cryptography.fernet import Fernet

from app import create_app
from config import ProductionConfig
from tests.auth.test_login_and_passwords import outbox_messages

GOOD = {"SECRET_KEY": "a-long-random-production-secret", "PUBLIC_BASE_URL": "https://maeul.asan.go.kr",
        "DATA_ENCRYPTION_KEY": Fernet.generate_key().decode()}


@pytest.fixture
def production(monkeypatch):
    def configure(**overrides):
        for name, value in {**GOOD, **overrides}.items():
            monkeypatch.setattr(ProductionConfig, name, value)
        return create_app("production")

    return configure


def test_production_starts_with_every_setting_given(production):
    app = production()
    assert app.config["PUBLIC_BASE_URL"] == "https://maeul.asan.go.kr"


@pytest.mark.parametrize("setting, value, message", [
    ("PUBLIC_BASE_URL", "", "PUBLIC_BASE_URL"),
    ("PUBLIC_BASE_URL", "maeul.asan.go.kr", "PUBLIC_BASE_URL"),
    ("DATA_ENCRYPTION_KEY", "", "DATA_ENCRYPTION_KEY"),
    ("DATA_ENCRYPTION_KEY", "not-a-key", "DATA_ENCRYPTION_KEY"),
    ("DATA_ENCRYPTION_KEY", "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=,short", "key 2"),
])
def test_production_refuses_to_start_without_a_real_setting(production, setting, value, message):
    with pytest.raises(RuntimeError, match=message):
        production(**{setting: value})


def test_production_config_does_not_fall_back_to_a_development_address(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    fresh = importlib.reload(config)
    try:
        assert fresh.ProductionConfig.PUBLIC_BASE_URL == ""
        assert fresh.DevelopmentConfig.PUBLIC_BASE_URL == "http://127.0.0.1:5000"
    finally:
        importlib.reload(config)


@pytest.mark.parametrize("via", ["page", "api"])
def test_reset_links_use_the_public_address_not_the_host_header(client, app, make_user, via):
    user = make_user()
    headers = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    if via == "page":
        client.post("/password/forgot", data={"email": user.email}, headers=headers)
    else:
        client.post("/api/v1/password-resets", json={"email": user.email}, headers=headers)
    body = outbox_messages(app)[0].get_body(preferencelist=("plain",)).get_content()
    assert "attacker.example" not in body
    assert re.search(r"http://maeul\.test/password/reset/\S+", body)


def test_no_code_builds_an_outside_link_from_the_request():
    """Every link that leaves the site goes through app.urls.public_url."""
    root = pathlib.Path(__file__).resolve().parents[2] / "app"
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if re.search(r"_external\s*=\s*True|request\.(host_url|url_root|host)\b", path.read_text())]
    offenders += [str(path.relative_to(root)) for path in (root / "templates").rglob("*.html")
                  if re.search(r"_external\s*=\s*True|request\.(host_url|url_root|host)\b", path.read_text())]
    assert offenders == []
