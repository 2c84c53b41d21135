"""KRDS design on a 360 px phone: the text-size control, the home page, the header, readable tables, axe."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from app.extensions import db
from app.notifications.services import notify
from tests.browser.test_resident_journey import (assert_accessible_basics, assert_fits_phone, click_and_wait,
                                                 fill, open_page, submit)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Every word of every table cell on one line: Korean text once broke letter by letter on phones. A word is a
# run of letters and digits (with the commas and points of numbers); lines may still break at spaces and
# brackets, as the Unicode line-breaking rules allow.
BROKEN_WORDS = """
const broken = [];
for (const cell of document.querySelectorAll('main td, main th')) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const pattern = /[\\p{L}\\p{N}][\\p{L}\\p{N},.%]*/gu;
    let match;
    while ((match = pattern.exec(node.textContent))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
}
return broken;
"""


def assert_no_serious_axe_violation(browser):
    """axe-core from npm (package.json; `make assets` installs it), never from a CDN."""
    assert AXE.is_file(), "axe-core is missing: run `make assets` (npm ci) first"
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))])));")
    serious = [v for v in result if v[1] in ("serious", "critical")]
    assert serious == [], (browser.current_url, serious)


def html_class(browser) -> str:
    return browser.find_element(By.TAG_NAME, "html").get_attribute("class") or ""


def sign_in(browser, live_server, user_email, password):
    open_page(browser, live_server, "/login")
    fill(browser, "email", user_email)
    fill(browser, "password", password)
    submit(browser)


def test_text_size_control_works_without_opening_anything_and_is_remembered(browser, live_server, screenshot_dir):
    open_page(browser, live_server, "/proposals/")
    normal = browser.find_element(By.CSS_SELECTOR, "main h1").size["height"]
    large = browser.find_element(By.CSS_SELECTOR, ".text-size button[value=large]")
    assert large.is_displayed() and large.get_attribute("aria-pressed") == "false"
    click_and_wait(browser, large)
    assert browser.current_url == live_server + "/proposals/"  # back on the same page
    assert html_class(browser) == "text-large"
    chosen = browser.find_element(By.CSS_SELECTOR, ".text-size button[value=large]")
    assert chosen.get_attribute("aria-pressed") == "true"
    assert_fits_phone(browser)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".text-size button[value=xlarge]"))
    assert html_class(browser) == "text-xlarge"
    assert browser.find_element(By.CSS_SELECTOR, "main h1").size["height"] >= normal
    body_size = browser.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 23  # 17 px body text at normal size, 1.4 times at "very large"
    assert_fits_phone(browser)
    browser.save_screenshot(os.path.join(screenshot_dir, "proposals-xlarge-ko.png"))
    open_page(browser, live_server, "/")  # another page, same browser: still very large
    assert html_class(browser) == "text-xlarge"
    assert_fits_phone(browser)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".text-size button[value=normal]"))
    assert html_class(browser) == ""


def test_home_page_on_a_phone(browser, live_server, screenshot_dir, make_user):
    user = make_user(email="home-phone@example.kr", password="river-walk-Onyang-71")
    notify([user.id], "proposal_forum", url="/", title="골목길 가로등", count=100)
    db.session.commit()
    open_page(browser, live_server, "/")
    counts = browser.find_elements(By.CSS_SELECTOR, ".home-counts dd")
    assert len(counts) == 4 and all(c.is_displayed() for c in counts)
    search = browser.find_element(By.ID, "site-search-q")
    assert search.is_displayed()  # the header search box, without opening the menu
    assert not browser.find_elements(By.CSS_SELECTOR, ".header-bell")  # no notifications for visitors
    assert_fits_phone(browser)
    assert_accessible_basics(browser)
    assert_no_serious_axe_violation(browser)
    browser.save_screenshot(os.path.join(screenshot_dir, "home-visitor-ko.png"))

    sign_in(browser, live_server, "home-phone@example.kr", "river-walk-Onyang-71")
    open_page(browser, live_server, "/")
    bell = browser.find_element(By.CSS_SELECTOR, ".header-bell")
    assert bell.is_displayed() and not browser.find_element(By.ID, "main-nav").is_displayed()
    assert "1" in bell.find_element(By.CSS_SELECTOR, ".badge").text  # unread count, menu still closed
    steps = browser.find_element(By.CSS_SELECTOR, ".next-steps")
    assert "새 알림이 1개" in steps.text
    assert_fits_phone(browser)
    assert_no_serious_axe_violation(browser)
    browser.save_screenshot(os.path.join(screenshot_dir, "home-resident-ko.png"))

    search = browser.find_element(By.ID, "site-search-q")
    search.send_keys("가로등")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".header-search button"))
    assert "/search?q=" in browser.current_url


@pytest.mark.parametrize("path", ["/account", "/account/access-log", "/admin/users", "/privacy"])
def test_tables_stay_readable_on_a_phone(browser, live_server, make_user, path):
    make_user(["admin", "staff"], email="tables@example.kr", password="admin-password-1")
    sign_in(browser, live_server, "tables@example.kr", "admin-password-1")
    open_page(browser, live_server, path)
    assert browser.find_elements(By.CSS_SELECTOR, "main table td"), "the page should show a table"
    assert browser.execute_script(BROKEN_WORDS) == []
    assert_fits_phone(browser)
    assert_no_serious_axe_violation(browser)


@pytest.fixture
def desktop(browser):
    """The same Chromium at a desktop width for one test, then back to the phone."""
    from tests.browser.conftest import HEIGHT, WIDTH

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True})


@pytest.mark.parametrize("path", ["/", "/proposals/", "/labs/", "/policies/"])
def test_main_pages_at_desktop_width(desktop, live_server, screenshot_dir, path):
    open_page(desktop, live_server, path)
    nav = desktop.find_element(By.ID, "main-nav")
    assert nav.is_displayed()  # no menu button on a desktop: the menu is a row under the masthead
    assert not desktop.find_element(By.CSS_SELECTOR, ".menu-toggle").is_displayed()
    assert desktop.execute_script("return document.documentElement.scrollWidth") <= 1280
    assert_no_serious_axe_violation(desktop)
    desktop.save_screenshot(os.path.join(screenshot_dir, "desktop-" + (path.strip("/") or "home") + ".png"))
