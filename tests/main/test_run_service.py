"""web.run_service: one way for a page to call a service, commit, and report a refused rule."""
from datetime import date, timedelta

from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from app.auth.models import User
from app.core import DomainError, NotAllowed, ValidationFailed
from app.extensions import db
from app.web import run_service


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    city = StringField("City")


def test_success_commits_flashes_and_returns_the_result(app, make_user):
    user = make_user()
    with app.test_request_context():
        def rename():
            user.display_name = "새이름"
            return user

        outcome = run_service(rename, lambda result: f"saved {result.display_name}")
        assert outcome and outcome.value is user
        assert get_flashed_messages(with_categories=True) == [("success", "saved 새이름")]
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "새이름"


def test_a_refused_rule_rolls_back_and_goes_beside_its_field(app, make_user):
    user = make_user(display_name="원래이름")
    with app.test_request_context(method="POST", data={"name": "x", "city": "y"}):
        form = NameForm()
        form.validate()

        def refuse():
            user.display_name = "바뀐이름"
            raise DomainError("That name is taken.", field="name", status=422)

        outcome = run_service(refuse, "never shown", form=form)
        assert not outcome and outcome.value is None
        assert form.name.errors == ["That name is taken."] and form.city.errors == []
        assert get_flashed_messages() == []
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "원래이름"


def test_every_field_of_a_validation_failure_and_reasons_without_a_field(app):
    with app.test_request_context(method="POST", data={}):
        form = NameForm()
        errors = {"name": ["Too short."], "city": ["Unknown city.", "Too long."], "colour": ["Unknown field."]}
        assert not run_service(lambda: (_ for _ in ()).throw(ValidationFailed(errors)), "x", form=form)
        assert form.name.errors == ["Too short."] and form.city.errors == ["Unknown city.", "Too long."]
        assert get_flashed_messages(with_categories=True) == [("error", "Unknown field.")]
    with app.test_request_context(method="POST", data={}):
        form = NameForm()
        assert not run_service(lambda: (_ for _ in ()).throw(NotAllowed("Not yours.")), "x", form=form)
        assert get_flashed_messages(with_categories=True) == [("error", "Not yours.")]


def test_without_a_form_every_reason_is_flashed(app):
    with app.test_request_context():
        assert not run_service(lambda: (_ for _ in ()).throw(DomainError("Refused.", field="name")), "x")
        assert get_flashed_messages(with_categories=True) == [("error", "Refused.")]


def test_a_lab_form_shows_the_rule_beside_the_date_and_keeps_the_input(client, make_user, login):
    login(make_user(roles=["facilitator"]))
    today = date.today()
    response = client.post("/labs/new", data={
        "title": "골목 쓰레기 줄이기", "summary": "골목에 쌓이는 쓰레기를 함께 줄이는 방법을 찾습니다.",
        "mode": "resident_led", "district": "onyang1", "capacity": 8,
        "recruitment_deadline": today.isoformat(), "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=10)).isoformat()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="ends_on-error"' in page and "골목 쓰레기 줄이기" in page
