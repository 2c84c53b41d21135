"""Consultation rules: the deadline to the second, guests' codes, themes and results, hearing seats, reminders."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.consultations import guests, queries, services
from app.consultations.models import Channel, ConsultationStatus, GuestCode, Opinion, RegistrationStatus
from app.core import DomainError, utcnow
from app.extensions import db
from app.notifications.models import Notification
from tests.consultations.conftest import code_from_outbox, data, opinion

pytestmark = pytest.mark.usefixtures("english")


def test_the_deadline_is_entered_in_korea_time_to_the_minute(staff):
    consultation = services.create_consultation(staff, data(deadline_date=date(2024, 1, 29),
                                                             deadline_time=time(18, 0, 59)))
    assert consultation.deadline_at == datetime(2024, 1, 29, 9, 0)  # 18:00 KST is 09:00 UTC; seconds dropped
    assert consultation.status is ConsultationStatus.DRAFT


def test_an_opinion_at_the_deadline_is_accepted_and_one_second_later_refused(make_consultation, make_user):
    deadline = datetime(2024, 1, 29, 9, 0)
    consultation = make_consultation(deadline_at=deadline)
    user = make_user()
    services.submit_opinion(consultation, opinion(), user=user, now=deadline)
    with pytest.raises(DomainError) as refused:
        services.submit_opinion(consultation, opinion(), user=user, now=deadline + timedelta(seconds=1))
    assert refused.value.status == 409
    assert "Jan 29, 2024, 6:00 PM (Korea time)" in str(refused.value.message)  # the test context is English


def test_a_draft_takes_no_opinions(make_consultation, make_user):
    consultation = make_consultation(status=ConsultationStatus.DRAFT)
    with pytest.raises(DomainError, match="not open yet"):
        services.submit_opinion(consultation, opinion(), user=make_user())


def test_opening_needs_a_future_deadline(make_consultation, staff):
    consultation = make_consultation(status=ConsultationStatus.DRAFT, deadline_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="future"):
        services.open_consultation(consultation, staff)
    consultation.deadline_at = utcnow() + timedelta(days=1)
    services.open_consultation(consultation, staff)
    assert consultation.status is ConsultationStatus.OPEN and consultation.opened_at is not None
    with pytest.raises(DomainError):
        services.open_consultation(consultation, staff)


def _code_from_outbox(app) -> str:
    return code_from_outbox(app)


def test_a_guest_needs_a_confirmed_code(app, make_consultation):
    consultation = make_consultation()
    purpose = services.purpose_key(consultation)
    with pytest.raises(DomainError, match="Confirm your email"):
        services.submit_opinion(consultation, opinion(), guest_email="guest@example.kr")
    guests.request_code("Guest@Example.kr ", purpose, consultation.title)
    code = _code_from_outbox(app)
    wrong = "000000" if code != "000000" else "111111"
    assert guests.check_code("guest@example.kr", purpose, wrong) is False
    assert guests.check_code("guest@example.kr", purpose, code) is True
    saved = services.submit_opinion(consultation, opinion(), guest_email="guest@example.kr")
    assert saved.guest_email == "guest@example.kr" and saved.user_id is None and saved.channel is Channel.ONLINE
    record = db.session.scalar(select(GuestCode))
    assert record.attempts == 2 and record.code_hash != code  # only a hash is kept


def test_a_code_is_locked_after_five_wrong_attempts_and_expires(app, make_consultation):
    consultation = make_consultation()
    purpose = services.purpose_key(consultation)
    guests.request_code("a@example.kr", purpose, consultation.title)
    code = _code_from_outbox(app)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert guests.check_code("a@example.kr", purpose, wrong) is False
    assert guests.check_code("a@example.kr", purpose, code) is False  # locked even with the right code
    guests.request_code("b@example.kr", purpose, consultation.title)
    code = _code_from_outbox(app)
    later = utcnow() + timedelta(seconds=app.config["GUEST_CODE_MAX_AGE"] + 1)
    assert guests.check_code("b@example.kr", purpose, code, now=later) is False


def test_codes_per_address_are_limited(make_consultation):
    consultation = make_consultation()
    for _ in range(3):
        guests.request_code("c@example.kr", services.purpose_key(consultation), consultation.title)
    with pytest.raises(DomainError) as refused:
        guests.request_code("C@example.kr", services.purpose_key(consultation), consultation.title)
    assert refused.value.status == 429


def test_a_code_for_one_consultation_does_not_open_another(app, make_consultation):
    first, second = make_consultation(), make_consultation(title="다른 의견수렴")
    guests.request_code("d@example.kr", services.purpose_key(first), first.title)
    assert guests.check_code("d@example.kr", services.purpose_key(first), _code_from_outbox(app))
    with pytest.raises(DomainError):
        services.submit_opinion(second, opinion(), guest_email="d@example.kr")


def test_staff_enter_paper_opinions_dated_by_the_deadline(make_consultation, staff):
    consultation = make_consultation(deadline_at=datetime(2024, 1, 29, 9, 0))
    now = datetime(2024, 1, 30, 1, 0)
    paper = services.enter_opinion(consultation, staff, opinion(phone=""), channel=Channel.PAPER,
                                   written_on=date(2024, 1, 29), now=now)
    assert paper.entered_by_id == staff.id and paper.channel is Channel.PAPER
    with pytest.raises(DomainError, match="after the deadline"):
        services.enter_opinion(consultation, staff, opinion(), channel=Channel.PHONE, written_on=date(2024, 1, 30),
                               now=now)
    with pytest.raises(DomainError):
        services.enter_opinion(consultation, staff, opinion(), channel=Channel.ONLINE, written_on=date(2024, 1, 29),
                               now=now)


def _closed_with_opinions(make_consultation, make_user, staff):
    deadline = utcnow() - timedelta(hours=1)
    consultation = make_consultation(deadline_at=deadline)
    residents = [make_user(), make_user()]
    before = deadline - timedelta(minutes=5)
    for resident in residents:
        services.submit_opinion(consultation, opinion(), user=resident, now=before)
    services.submit_opinion(consultation, opinion(body="두 번째 의견"), user=residents[0], now=before)
    services.enter_opinion(consultation, staff, opinion(), channel=Channel.PHONE,
                           written_on=(deadline - timedelta(days=1)).date(), now=before)
    db.session.commit()
    return consultation, residents


def test_themes_wait_for_the_deadline(make_consultation, staff):
    consultation = make_consultation()
    with pytest.raises(DomainError, match="after the deadline"):
        services.add_theme(consultation, staff, "데이터허브")


def test_results_need_every_opinion_themed_and_every_theme_answered(make_consultation, make_user, staff):
    consultation, residents = _closed_with_opinions(make_consultation, make_user, staff)
    with pytest.raises(DomainError, match="4 left"):
        services.publish_results(consultation, staff, "요약")
    theme = services.add_theme(consultation, staff, "데이터허브 확대")
    ids = list(db.session.scalars(select(Opinion.id).where(Opinion.consultation_id == consultation.id)))
    assert services.assign_opinions(consultation, staff, ids, theme.id) == 4
    with pytest.raises(DomainError, match="response"):
        services.publish_results(consultation, staff, "요약")
    services.edit_theme(theme, staff, "데이터허브 확대", "2025년부터 읍면 지역으로 넓힙니다.")
    told = services.publish_results(consultation, staff, "네 건의 의견을 받았습니다.")
    db.session.commit()
    assert told == 2 and consultation.status is ConsultationStatus.RESULTS
    notified = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "consultation_results")))
    assert notified == {r.id for r in residents}
    with pytest.raises(DomainError):
        services.edit_theme(theme, staff, "바꾸기", "바꾸기")


def test_numbers_count_opinions_by_channel_and_people(make_consultation, make_user, staff):
    consultation, _ = _closed_with_opinions(make_consultation, make_user, staff)
    numbers = queries.numbers(consultation)
    assert numbers.opinions == 4
    assert numbers.by_channel[Channel.ONLINE] == 3 and numbers.by_channel[Channel.PHONE] == 1
    assert numbers.by_channel[Channel.PAPER] == 0
    assert numbers.participants == 3  # two accounts (one wrote twice) and one caller


def test_assigning_refuses_other_consultations_opinions(make_consultation, make_user, staff):
    consultation, _ = _closed_with_opinions(make_consultation, make_user, staff)
    other, _ = _closed_with_opinions(make_consultation, make_user, staff)
    theme = services.add_theme(consultation, staff, "주제")
    foreign = db.session.scalar(select(Opinion.id).where(Opinion.consultation_id == other.id))
    with pytest.raises(DomainError):
        services.assign_opinions(consultation, staff, [foreign], theme.id)


def test_hearing_seats_then_waitlist_then_promotion(make_consultation, make_user):
    consultation = make_consultation(hearing_at=utcnow() + timedelta(days=2), capacity=2)
    a, b, c = make_user(), make_user(), make_user()
    assert services.register_for_hearing(consultation, a).status is RegistrationStatus.REGISTERED
    assert services.register_for_hearing(consultation, b).status is RegistrationStatus.REGISTERED
    waiting = services.register_for_hearing(consultation, c)
    assert waiting.status is RegistrationStatus.WAITLISTED
    assert services.register_for_hearing(consultation, c).id == waiting.id  # twice changes nothing
    promoted = services.cancel_registration(consultation, a)
    db.session.commit()
    assert promoted.user_id == c.id and promoted.status is RegistrationStatus.REGISTERED
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "hearing_seat", Notification.user_id == c.id)) == 1
    assert services.registered_count(consultation) == 2
    with pytest.raises(DomainError):
        services.cancel_registration(consultation, a)


def test_registration_closes_when_the_hearing_starts(make_consultation, make_user):
    starts = utcnow() + timedelta(days=2)
    consultation = make_consultation(hearing_at=starts)
    with pytest.raises(DomainError, match="closed"):
        services.register_for_hearing(consultation, make_user(), now=starts.replace(second=0, microsecond=0))


def test_reminders_go_once_to_seats_of_tomorrows_hearings(make_consultation, make_user):
    now = datetime(2024, 1, 24, 1, 0)  # 10:00 on 24 January in Korea
    tomorrow = make_consultation(hearing_at=datetime(2024, 1, 25, 5, 0), deadline_at=datetime(2024, 1, 29, 9, 0))
    later = make_consultation(hearing_at=datetime(2024, 1, 26, 5, 0), deadline_at=datetime(2024, 1, 29, 9, 0))
    seated, waiting, other = make_user(), make_user(), make_user()
    tomorrow.hearing_capacity = 1
    early = datetime(2024, 1, 20)
    services.register_for_hearing(tomorrow, seated, now=early)
    services.register_for_hearing(tomorrow, waiting, now=early)
    services.register_for_hearing(later, other, now=early)
    db.session.commit()
    assert services.send_hearing_reminders(now) == 1
    db.session.commit()
    assert services.send_hearing_reminders(now) == 0
    reminders = list(db.session.scalars(select(Notification).where(Notification.kind == "hearing_reminder")))
    assert [n.user_id for n in reminders] == [seated.id]
    assert reminders[0].params["time"] == "14:00"


def test_search_finds_open_consultations_but_not_drafts(client, make_consultation, staff):
    from app.search import query_index

    draft = make_consultation(title="초안 스마트쉼터 의견수렴", status=ConsultationStatus.DRAFT)
    services.index_consultation(draft)
    db.session.commit()
    assert query_index("스마트쉼터")[1] == 0
    draft.deadline_at = utcnow() + timedelta(days=2)
    services.open_consultation(draft, staff)
    db.session.commit()
    hits, total = query_index("스마트쉼터")
    assert total == 1 and hits[0].url == f"/consultations/{draft.id}" and hits[0].type == "consultation"
    assert "스마트쉼터" in client.get("/search?q=스마트쉼터").get_data(as_text=True)
