"""Every date and time on the site: Korean "2026년 11월 27일 오후 7:04", English "Nov 27, 2026, 7:04 PM",
no seconds, four-digit years, relative times for recent events with the absolute time kept in <time>."""
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale

from app import timefmt
from app.comments.services import add_comment
from app.core import utcnow
from app.extensions import db
from tests.factories import choices, make_proposal  # noqa: F401

MOMENT = datetime(2026, 11, 27, 10, 4, 19)  # UTC: 19:04:19 in Seoul
OLD = datetime(2025, 10, 27, 10, 4, 19)  # long enough ago to be shown as a date and time
TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("locale, expected", [
    ("ko", ("2026년 11월 27일 오후 7:04", "2026년 11월 27일", "오후 7:04", "2026년 11월")),
    ("en", ("Nov 27, 2026, 7:04 PM", "Nov 27, 2026", "7:04 PM", "November 2026")),
])
def test_absolute_forms(in_request, locale, expected):
    with force_locale(locale):
        assert (timefmt.format_when(MOMENT), timefmt.format_day(MOMENT), timefmt.format_clock(MOMENT),
                timefmt.format_month(MOMENT)) == expected
        # A plain date is not moved between time zones; a datetime is (23:30 UTC is the next day in Seoul).
        assert timefmt.format_day(date(2026, 1, 5)) == ("Jan 5, 2026" if locale == "en" else "2026년 1월 5일")
        assert timefmt.format_day(datetime(2026, 1, 4, 23, 30)) == timefmt.format_day(date(2026, 1, 5))
        assert timefmt.format_when(None) == "" and timefmt.format_when(date(2026, 1, 5)) == timefmt.format_day(
            date(2026, 1, 5))


def test_morning_midnight_and_noon_in_korean_and_english(in_request):
    midnight, noon, morning = datetime(2026, 3, 1, 15, 0), datetime(2026, 3, 2, 3, 0), datetime(2026, 3, 2, 0, 5)
    with force_locale("ko"):
        assert [timefmt.format_clock(m) for m in (midnight, noon, morning)] == ["오전 12:00", "오후 12:00", "오전 9:05"]
    with force_locale("en"):
        assert [timefmt.format_clock(m) for m in (midnight, noon, morning)] == ["12:00 AM", "12:00 PM", "9:05 AM"]
        assert timefmt.format_day(date(2026, 3, 2), "long") == "March 2, 2026"


@pytest.mark.parametrize("ago, korean, english", [
    (timedelta(seconds=20), "방금 전", "just now"),
    (timedelta(minutes=59, seconds=50), "59분 전", "59 minutes ago"),
    (timedelta(minutes=90), "1시간 전", "1 hour ago"),
    (timedelta(hours=3), "3시간 전", "3 hours ago"),
    (timedelta(days=6, hours=23), "6일 전", "6 days ago"),
    (timedelta(days=7), None, None),
    (-timedelta(hours=5), "5시간 후", "in 5 hours"),
])
def test_relative_times_round_down_and_stop_after_a_week(in_request, ago, korean, english):
    with force_locale("ko"):
        assert timefmt.relative_when(MOMENT - ago, now=MOMENT) == korean
    with force_locale("en"):
        assert timefmt.relative_when(MOMENT - ago, now=MOMENT) == english


def test_the_time_element_keeps_the_absolute_time(in_request):
    with force_locale("ko"):
        recent = timefmt.time_element(MOMENT - timedelta(hours=3), now=MOMENT)
        assert recent == ('<time datetime="2026-11-27T07:04:19Z" title="2026년 11월 27일 오후 4:04">3시간 전</time>')
        old = timefmt.time_element(MOMENT - timedelta(days=30), now=MOMENT)
        assert old == '<time datetime="2026-10-28T10:04:19Z">2026년 10월 28일 오후 7:04</time>'


def test_the_babel_filter_names_use_these_forms(app):
    filters = app.jinja_env.filters
    assert filters["datetimeformat"] is timefmt.format_when and filters["dateformat"] is timefmt.format_day
    assert filters["timeformat"] is timefmt.format_clock and filters["ago"] is timefmt.time_element


def test_no_template_formats_a_time_by_hand():
    """strftime only builds URL parameters; every displayed date goes through the filters above."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for call in re.findall(r"\w+\.strftime\([^)]*\)", line):
                if f"month={call}" not in line.replace("'", '"').replace(call.replace("'", '"'), call):
                    offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {call}")
    assert offenders == []


def test_pages_show_korean_and_english_forms(client, make_proposal, make_user):
    proposal = make_proposal(title="오래된 골목길 가로등 교체 요청")
    proposal.created_at = OLD
    db.session.commit()
    add_comment(make_user(display_name="김댓글"), "proposal", proposal, "저도 같은 생각입니다. 꼭 바뀌었으면 합니다.")
    db.session.commit()
    from app.comments.models import Comment

    comment = db.session.scalar(db.select(Comment))
    comment.created_at = utcnow() - timedelta(hours=3, minutes=5)
    db.session.commit()
    korean = client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<time datetime="2025-10-27T10:04:19Z">2025년 10월 27일 오후 7:04</time>' in korean
    assert re.search(r'<time datetime="[0-9T:-]+Z" title="\d{4}년 \d+월 \d+일 오[전후] \d+:\d\d">3시간 전</time>', korean)
    shown = " ".join(re.findall(r">([^<]*)<", korean.split("<main", 1)[1]))  # the text, not the attributes
    assert not re.search(r"\d+:\d\d:\d\d", shown)  # no seconds
    assert not re.search(r"\b\d\d\. \d+\. \d+\.", shown) and "PM" not in shown  # no "26. 11. 27.", "PM 6:04"
    english = client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">Oct 27, 2025, 7:04 PM</time>" in english and ">3 hours ago</time>" in english
    listing = client.get("/proposals/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert ">2025년 10월 27일 오후 7:04</time>" in listing
