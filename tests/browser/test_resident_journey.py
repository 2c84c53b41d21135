"""A resident on a 360 px phone: sign up, switch language, log out and in; layout and accessibility."""
from __future__ import annotations

import os

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import WIDTH

LABELLED_INPUTS = """
const unlabelled = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden') continue;
  const byFor = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
  const wrapped = el.closest('label');
  const aria = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!byFor && !wrapped && !aria) unlabelled.push(el.name || el.outerHTML.slice(0, 60));
}
return unlabelled;
"""


def open_page(browser, live_server, path):
    browser.get(live_server + path)
    return browser


def assert_fits_phone(browser):
    assert browser.execute_script("return window.innerWidth") <= WIDTH
    scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, f"{browser.current_url} scrolls sideways: {scroll_width}px"


def assert_accessible_basics(browser):
    assert browser.execute_script(LABELLED_INPUTS) == [], browser.current_url
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    first = browser.switch_to.active_element
    assert "skip-link" in (first.get_attribute("class") or ""), browser.current_url
    assert first.get_attribute("href").endswith("#main")
    assert first.is_displayed()  # the skip link becomes visible when focused


def page_replaced(old_page):
    """Wait condition: the old page's root element is gone. Chromium sometimes reports an element of a
    replaced document as "not belonging to the document" rather than stale; both mean the page changed."""

    def replaced(_driver) -> bool:
        try:
            old_page.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one of these
            return True
        return False

    return replaced


def click_and_wait(browser, element):
    """Click something that loads a new page and wait until it has."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 15).until(page_replaced(old_page))


def open_menu(browser):
    toggle = browser.find_element(By.CSS_SELECTOR, ".menu-toggle")
    if toggle.is_displayed() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def submit(browser):
    old_page = browser.find_element(By.TAG_NAME, "html")
    # On a loaded machine Chromium may still be settling the page it just filled in and refuse the
    # click ("node does not belong to the document"); nothing was sent, so find the button again.
    for attempt in range(3):
        try:
            browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
            break
        except (StaleElementReferenceException, WebDriverException):
            if attempt == 2:
                raise
    WebDriverWait(browser, 15).until(page_replaced(old_page))


def fill(browser, name, value):
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def sign_up(browser, live_server, email):
    open_page(browser, live_server, "/signup")
    fill(browser, "email", email)
    fill(browser, "password", "river-walk-Onyang-71")
    fill(browser, "display_name", "폰주민")
    Select(browser.find_element(By.NAME, "district")).select_by_value("baebang")
    fill(browser, "birth_year", "1958")
    browser.find_element(By.ID, "consent_privacy").click()
    browser.find_element(By.ID, "consent_notifications").click()
    submit(browser)


def test_resident_signs_up_switches_language_logs_out_and_in(browser, live_server, screenshot_dir):
    open_page(browser, live_server, "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
    sign_up(browser, live_server, "phone@example.kr")
    # The same answer whether or not the email had an account: log in next.
    assert browser.current_url == live_server + "/login"
    assert "이메일로 안내를 보냈습니다" in browser.find_element(By.CSS_SELECTOR, ".flashes").text
    fill(browser, "email", "phone@example.kr")
    fill(browser, "password", "river-walk-Onyang-71")
    submit(browser)
    assert browser.current_url == live_server + "/"
    browser.save_screenshot(os.path.join(screenshot_dir, "home-ko.png"))

    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".lang-switch button"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    open_menu(browser)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "My account"))
    assert "Display name" in browser.page_source
    browser.save_screenshot(os.path.join(screenshot_dir, "account-en.png"))

    open_menu(browser)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".main-nav form button"))  # log out
    open_menu(browser)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Log in"))
    fill(browser, "email", "phone@example.kr")
    fill(browser, "password", "wrong-password")
    submit(browser)
    assert "wrong" in browser.find_element(By.CSS_SELECTOR, ".flash-error").text
    fill(browser, "password", "river-walk-Onyang-71")
    submit(browser)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"  # remembered on the account
    open_menu(browser)
    assert browser.find_element(By.LINK_TEXT, "My account").is_displayed()


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(browser, live_server):
    open_page(browser, live_server, "/")
    toggle = browser.find_element(By.CSS_SELECTOR, ".menu-toggle")
    nav = browser.find_element(By.ID, "main-nav")
    assert toggle.is_displayed() and not nav.is_displayed()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert nav.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
    assert_fits_phone(browser)


def test_signup_errors_are_shown_in_text_next_to_the_field(browser, live_server, screenshot_dir):
    open_page(browser, live_server, "/signup")
    fill(browser, "email", "young@example.kr")
    fill(browser, "password", "river-walk-Onyang-71")
    fill(browser, "display_name", "어린이")
    fill(browser, "birth_year", "2018")
    browser.find_element(By.ID, "consent_privacy").click()
    submit(browser)
    error = browser.find_element(By.ID, "guardian_name-error")
    assert "법정대리인" in error.text and "오류" in error.text
    assert browser.find_element(By.ID, "guardian_name").get_attribute("aria-describedby") == "guardian_name-error"
    assert_fits_phone(browser)
    browser.save_screenshot(os.path.join(screenshot_dir, "signup-error-ko.png"))


@pytest.mark.parametrize("path", ["/", "/signup", "/login", "/password/forgot", "/no-such-page"])
def test_public_pages_fit_a_phone_and_are_accessible(browser, live_server, path):
    open_page(browser, live_server, path)
    assert_fits_phone(browser)
    assert_accessible_basics(browser)


def test_signed_in_pages_fit_a_phone_and_are_accessible(browser, live_server, screenshot_dir, make_user):
    make_user(["admin", "staff"], email="admin-phone@example.kr", password="admin-password-1",
              display_name="아주긴이름을가진관리자입니다")
    open_page(browser, live_server, "/login")
    fill(browser, "email", "admin-phone@example.kr")
    fill(browser, "password", "admin-password-1")
    submit(browser)
    for path in ("/account", "/account/access-log", "/notifications/", "/admin/users", "/admin/audit"):
        open_page(browser, live_server, path)
        assert_fits_phone(browser)
        assert_accessible_basics(browser)
        browser.save_screenshot(os.path.join(screenshot_dir, path.strip("/").replace("/", "-") + ".png"))
