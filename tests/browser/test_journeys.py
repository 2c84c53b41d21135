"""A resident's, a facilitator's and a staff member's main journeys in real Chromium, at 360 px and 1280 px.

Every page visited: axe-core (from npm) with no serious or critical violation, no sideways scrolling, no word
broken inside a table cell, every id once, heading levels in order (one h1, never a level skipped going
deeper), and a screenshot in artifacts/screenshots/<width>/ (MAEUL_SCREENSHOTS moves it; git-ignored; CI keeps
the folder as an artifact). After a failed submit the error summary has the focus and the title says so.
"""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from app.core import utcnow
from app.extensions import db
from tests.browser.conftest import HEIGHT, WIDTH
from tests.browser.test_design import BROKEN_WORDS, assert_no_serious_axe_violation, sign_in
from tests.browser.test_resident_journey import click_and_wait, fill, open_page, sign_up, submit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("MAEUL_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
PASSWORD = "river-walk-Onyang-71"
SEOUL = ZoneInfo("Asia/Seoul")

PAGE_STRUCTURE = """
const ids = {};
for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
const duplicated = Object.keys(ids).filter(id => ids[id] > 1);
const headings = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
  .filter(h => !h.closest('#error-summary') && h.getClientRects().length > 0);
const skipped = [];
let previous = 0;
for (const h of headings) {
  const level = Number(h.tagName[1]);
  if (level > previous + 1) skipped.push(h.tagName + ' ' + h.textContent.trim().slice(0, 40) + ' after h' + previous);
  previous = level;
}
const h1 = document.querySelectorAll('main h1').length;
return {duplicated, skipped, h1, width: document.documentElement.scrollWidth, inner: window.innerWidth};
"""


@pytest.fixture(params=[WIDTH, 1280], ids=["phone", "desktop"])
def sized(request, browser):
    """The session's Chromium at a phone's or a desktop's width (the phone is the session's default)."""
    width = request.param
    if width != WIDTH:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield browser, width
    finally:
        if width != WIDTH:
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True})


def check_page(browser, width: int, name: str) -> None:
    """Every check the issue asks of every page, then a full-page-width screenshot."""
    page = browser.execute_script(PAGE_STRUCTURE)
    where = f"{name} ({browser.current_url}, {width}px)"
    assert page["inner"] == width, where
    assert page["width"] <= width, f"{where} scrolls sideways: {page['width']}px"
    assert page["duplicated"] == [], f"{where}: ids used more than once"
    assert page["skipped"] == [], f"{where}: heading levels skipped"
    assert page["h1"] == 1, f"{where}: {page['h1']} h1"
    assert browser.execute_script(BROKEN_WORDS) == [], f"{where}: words broken inside table cells"
    assert_no_serious_axe_violation(browser)
    folder = SCREENSHOTS / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / f"{name}.png"))


def visit(browser, live_server, width, path, name):
    open_page(browser, live_server, path)
    check_page(browser, width, name)


def accept_confirmations(browser) -> None:
    """Buttons with data-confirm ask window.confirm(); answer yes, as a person would."""
    browser.execute_script("window.confirm = () => true;")


def click_button(browser, css: str) -> None:
    accept_confirmations(browser)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, css))


def assert_error_summary(browser, width, name, *anchors):
    """After a failed submit: the summary has the focus, links to each field, the title says 오류."""
    summary = browser.find_element(By.ID, "error-summary")
    assert browser.switch_to.active_element == summary
    assert browser.title.startswith("오류: ")
    links = [a.get_attribute("href").rsplit("#", 1)[1] for a in summary.find_elements(By.TAG_NAME, "a")]
    for anchor in anchors:
        assert anchor in links
        control = browser.find_element(By.ID, anchor)
        assert control.get_attribute("aria-invalid") == "true"
        described = (control.get_attribute("aria-describedby") or "").split()
        assert f"{anchor}-error" in described and browser.find_element(By.ID, f"{anchor}-error").is_displayed()
    check_page(browser, width, name)
    summary.find_element(By.CSS_SELECTOR, f'a[href="#{anchors[0]}"]').click()
    assert browser.switch_to.active_element.get_attribute("id") == anchors[0]  # the link takes you there


# ---------------------------------------------------------------------------------------------------------
# Data the journeys start from, made through the services (the same database as the live server).

def _lab(app, facilitator, members=(), applicants=(), title="골목 주차 리빙랩"):
    from app.labs.models import Lab, LabMembership, LabMode, MemberGroup, MembershipStatus

    today = date.today()
    lab = Lab(title=title, summary="골목길 주차 문제를 주민이 함께 풉니다.", mode=LabMode.RESIDENT_LED,
              district="onyang1", capacity=20, recruitment_deadline=today + timedelta(days=10), starts_on=today,
              ends_on=today + timedelta(days=90), created_by_id=facilitator.id)
    lab.facilitators.append(facilitator)
    db.session.add(lab)
    db.session.flush()
    for person, status in [(m, MembershipStatus.ACCEPTED) for m in members] + \
                          [(a, MembershipStatus.APPLIED) for a in applicants]:
        db.session.add(LabMembership(lab_id=lab.id, user_id=person.id, group=MemberGroup.CITIZEN,
                                     motivation="동네 주차 문제를 같이 풀고 싶습니다.", status=status))
    db.session.commit()
    return lab


def _confirmed_allowance(app, make_user, facilitator, member):
    """A member attended a funded lab session and the facilitator confirmed the allowance."""
    from app.labs.models import LabSession
    from app.labs.services.sessions import record_attendance
    from app.ledger.models import Allowance, ProgrammeType
    from app.ledger.programmes import fiscal_year
    from app.ledger.services import funds
    from app.ledger.services.allowances import confirm_allowance

    lab = _lab(app, facilitator, members=[member], title="공원 산책로 리빙랩")
    admin = make_user(["admin", "staff"])
    funds.create_budget(programme_type=ProgrammeType.LAB, programme_id=lab.id, fiscal_year=fiscal_year(utcnow()),
                        allocated_won=1_000_000, actor=admin)
    funds.set_allowance_rule(programme_type=ProgrammeType.LAB, programme_id=lab.id, amount_per_session_won=20_000,
                             monthly_cap_won=100_000, actor=admin)
    starts = utcnow() - timedelta(hours=3)
    session = LabSession(lab_id=lab.id, title="첫 모임", starts_at=starts, ends_at=starts + timedelta(hours=2),
                         checkin_code="PARK42")
    db.session.add(session)
    db.session.commit()
    record_attendance(session, member.id, facilitator)
    db.session.commit()
    allowance = db.session.scalar(db.select(Allowance).where(Allowance.user_id == member.id))
    assert allowance is not None, "attendance at a funded lab creates an allowance"
    confirm_allowance(allowance, facilitator)
    db.session.commit()
    return allowance


# ---------------------------------------------------------------------------------------------------------

def test_resident_journey(sized, live_server, app, make_user):
    browser, width = sized
    email = f"resident-{width}@example.kr"
    facilitator = make_user(["facilitator"], email=f"fac-r-{width}@example.kr")
    with app.test_request_context():
        from app.proposals.choices import seed_fields_and_topics

        seed_fields_and_topics()
        lab = _lab(app, facilitator)

    visit(browser, live_server, width, "/", "home-visitor")
    visit(browser, live_server, width, "/signup", "signup")
    sign_up(browser, live_server, email)
    check_page(browser, width, "login")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser)
    check_page(browser, width, "home-resident")

    visit(browser, live_server, width, "/proposals/", "proposals")
    visit(browser, live_server, width, "/proposals/new", "proposal-new")
    submit(browser)  # empty: refused, with the error summary
    assert_error_summary(browser, width, "proposal-new-errors", "title", "body")
    fill(browser, "title", "골목길에 가로등을 더 설치해 주세요")
    fill(browser, "body", "밤에 골목길이 너무 어두워서 어르신들이 다니기 어렵습니다. 가로등을 더 설치해 주세요.")
    Select(browser.find_element(By.NAME, "field")).select_by_index(1)
    browser.find_element(By.CSS_SELECTOR, "input[name=topics]").click()
    submit(browser)
    assert "/proposals/" in browser.current_url and browser.find_element(By.TAG_NAME, "h1").text.startswith("골목길")
    check_page(browser, width, "proposal")

    # Support someone else's proposal, and comment on it.
    other = make_user(email=f"author-{width}@example.kr", display_name="이웃주민")
    with app.test_request_context():
        from app.proposals.services import submit_proposal

        proposal = submit_proposal(other, title="버스 정류장에 의자를 놓아 주세요",
                                   body="정류장에서 오래 서 있기 힘든 어르신이 많습니다. 의자가 필요합니다.",
                                   field_slug="transport", topic_slugs=[])
        db.session.commit()
    visit(browser, live_server, width, f"/proposals/{proposal.id}", "proposal-other")
    click_button(browser, f"form[action='/proposals/{proposal.id}/support'] button")
    assert browser.find_elements(By.CSS_SELECTOR, f"form[action='/proposals/{proposal.id}/unsupport']")
    fill(browser, "body", "저도 같은 생각입니다. 꼭 필요합니다.")
    click_button(browser, "#comment-form button[type=submit]")
    assert "저도 같은 생각입니다" in browser.find_element(By.CSS_SELECTOR, ".comments").text
    check_page(browser, width, "proposal-commented")

    # Apply to a living lab.
    visit(browser, live_server, width, "/labs/", "labs")
    visit(browser, live_server, width, f"/labs/{lab.id}", "lab")
    Select(browser.find_element(By.NAME, "group")).select_by_index(1)
    fill(browser, "motivation", "우리 골목 주차 문제를 함께 풀고 싶습니다.")
    click_button(browser, f"form[action='/labs/{lab.id}/apply'] button[type=submit]")
    check_page(browser, width, "lab-applied")

    visit(browser, live_server, width, "/account", "account")
    visit(browser, live_server, width, "/notifications/", "notifications")


def test_facilitator_journey(sized, live_server, app, make_user):
    browser, width = sized
    facilitator = make_user(["facilitator"], email=f"fac-{width}@example.kr", password=PASSWORD)
    member = make_user(email=f"member-{width}@example.kr", display_name="김참여")
    applicant = make_user(email=f"applicant-{width}@example.kr", display_name="박신청")
    with app.test_request_context():
        lab = _lab(app, facilitator, members=[member], applicants=[applicant])

    sign_in(browser, live_server, facilitator.email, PASSWORD)
    visit(browser, live_server, width, f"/labs/{lab.id}", "lab-facilitator")
    visit(browser, live_server, width, f"/labs/{lab.id}/members", "lab-members")
    click_button(browser, "main form button[name=decision][value=accept]")
    check_page(browser, width, "lab-members-accepted")

    open_page(browser, live_server, f"/labs/{lab.id}")
    Select(browser.find_element(By.NAME, "action")).select_by_value("advance")
    click_button(browser, f"form[action='/labs/{lab.id}/stage'] button[type=submit]")
    check_page(browser, width, "lab-stage-changed")

    visit(browser, live_server, width, f"/labs/{lab.id}/sessions/new", "session-new")
    submit(browser)  # nothing filled in
    assert_error_summary(browser, width, "session-new-errors", "title", "starts_at")
    fill(browser, "title", "두 번째 모임")
    start = (utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(SEOUL) - timedelta(minutes=5)).replace(tzinfo=None)
    for name, value in (("starts_at", start), ("ends_at", start + timedelta(hours=2))):
        browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.NAME, name),
                               value.strftime("%Y-%m-%dT%H:%M"))
    fill(browser, "place", "온양1동 행정복지센터")
    submit(browser)
    assert "/sessions/" in browser.current_url
    code = browser.find_element(By.CSS_SELECTOR, ".checkin-code dl dd output.code")
    assert len(code.text.strip()) == 6  # the check-in code: an <output> in a labelled list, not a styled line
    check_page(browser, width, "session-manage")
    row = "//tr[td[1][normalize-space()='김참여']]"
    click_and_wait(browser, browser.find_element(By.XPATH, row + "//button"))
    assert "checked in" not in browser.find_element(By.XPATH, row).text and \
        not browser.find_elements(By.XPATH, row + "//button")  # marked present
    check_page(browser, width, "session-attendance")
    visit(browser, live_server, width, f"/labs/{lab.id}/workspace", "lab-workspace")


def test_staff_journey(sized, live_server, app, make_user):
    browser, width = sized
    staff = make_user(["staff"], email=f"staff-{width}@example.kr", password=PASSWORD, city_employee=True)
    author = make_user(display_name="최제안")
    reporter = make_user()
    facilitator = make_user(["facilitator"])
    member = make_user(display_name="정수당")
    with app.test_request_context():
        from app.comments.services import add_comment
        from app.moderation.services import report_content
        from app.proposals.choices import seed_fields_and_topics
        from app.proposals.services import submit_proposal

        seed_fields_and_topics()
        proposal = submit_proposal(author, title="하천 산책로에 조명을 설치해 주세요",
                                   body="저녁에 산책로가 어두워 넘어지는 일이 있습니다. 조명이 필요합니다.",
                                   field_slug="transport", topic_slugs=[])
        db.session.commit()
        comment = add_comment(author, "proposal", proposal, "광고: 싸게 팝니다 연락 주세요", parent_id=None, stance=None)
        db.session.commit()
        report_content(reporter, "comment", comment.id, "광고 글입니다")
        db.session.commit()
        allowance = _confirmed_allowance(app, make_user, facilitator, member)

    sign_in(browser, live_server, staff.email, PASSWORD)
    visit(browser, live_server, width, "/stats/staff", "staff-dashboard")

    visit(browser, live_server, width, f"/proposals/{proposal.id}/answer", "proposal-answer")
    submit(browser)
    # No answer text: the error summary again (status has a default).
    assert_error_summary(browser, width, "proposal-answer-errors", "body")
    fill(browser, "department", "건설과")
    fill(browser, "body", "검토한 결과 내년 예산에 산책로 조명 설치를 반영하겠습니다.")
    submit(browser)
    check_page(browser, width, "proposal-answered")

    visit(browser, live_server, width, "/moderation/", "moderation")
    fill(browser, "reason", "상업 광고라서 숨깁니다.")
    click_button(browser, "form[action*='/hide'] button[type=submit]")
    check_page(browser, width, "moderation-done")

    visit(browser, live_server, width, "/allowances/approvals", "allowance-approvals")
    click_button(browser, f"form[action='/allowances/{allowance.id}/approve'] button")
    check_page(browser, width, "allowance-approved")
    visit(browser, live_server, width, "/payouts", "payouts")
    visit(browser, live_server, width, "/budgets", "budgets")


@pytest.mark.parametrize("path,name", [("/policies", "policies"), ("/consultations/", "consultations"),
                                       ("/stats/", "statistics"), ("/privacy", "privacy"),
                                       ("/opendata/", "opendata")])
def test_other_main_pages(sized, live_server, path, name):
    browser, width = sized
    visit(browser, live_server, width, path, name)
