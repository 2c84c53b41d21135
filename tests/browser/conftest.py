"""A real HTTP server in a thread and headless Chromium at phone width (360 x 800)."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WIDTH, HEIGHT = 360, 800


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
                item.add_marker(pytest.mark.skip(reason="Debian's chromium and chromium-driver are not installed "
                                                        "(apt-get install chromium chromium-driver; .ci/run does)"))


@pytest.fixture(scope="session")
def live_server():
    """The app, with CSRF protection on as in production, served over HTTP on a free port."""
    served = create_app("testing")
    served.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with served.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def screenshot_dir():
    return tempfile.mkdtemp(prefix="maeul-screens-")


@pytest.fixture(scope="session")
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="maeul-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}", "--lang=ko-KR"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ko-KR,ko"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    # Headless windows are at least 500 px wide; emulate the phone's viewport instead.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(chromium, live_server):
    """One Chromium for the session; every test starts signed out, with no cookies."""
    chromium.get(live_server + "/healthz")
    chromium.delete_all_cookies()
    return chromium
