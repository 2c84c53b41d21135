"""Survey rules: answers checked against their questions, one response per person, changes until the close,
audiences, consent for respondent questions, results, cross-tabs with small groups hidden, CSV without names."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import DomainError, ValidationFailed, utcnow
from app.extensions import db
from app.surveys import results, services
from app.surveys.models import Audience, Demographic, QuestionKind, SurveyAnswer, SurveyResponse
from tests.surveys.conftest import opt, q

pytestmark = pytest.mark.usefixtures("english")


def test_publishing_needs_questions_and_a_consent_notice(staff):
    now = utcnow()
    survey = services.create_survey(staff, services.SurveyData(
        title="빈 설문", opens_at=now, closes_at=now + timedelta(days=1)))
    with pytest.raises(DomainError, match="at least one question"):
        services.publish_survey(survey, staff)
    services.add_demographic(survey, staff, Demographic.DISTRICT)
    with pytest.raises(DomainError, match="consent notice"):
        services.publish_survey(survey, staff)
    with pytest.raises(DomainError, match="already"):
        services.add_demographic(survey, staff, Demographic.DISTRICT)
    with pytest.raises(DomainError, match="two options"):
        services.add_question(survey, staff, kind=QuestionKind.SINGLE, text="하나뿐", options=["예"])


def test_questions_are_frozen_once_published(make_survey, staff):
    survey = make_survey()
    with pytest.raises(DomainError, match="draft"):
        services.add_question(survey, staff, kind=QuestionKind.SHORT_TEXT, text="추가")


def test_one_response_per_account_changeable_until_close(make_survey, make_user):
    survey = make_survey()
    user = make_user()
    services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)]}, user=user)
    services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 2)], q(survey, 2).id: ["4"]}, user=user)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert survey.response_count == 1
    assert services.answers_of(services.response_of(survey, user)) == {
        q(survey, 0).id: [opt(survey, 0, 2)], q(survey, 2).id: ["4"]}
    with pytest.raises(DomainError, match="closed"):
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 1)]}, user=user,
                                 now=survey.closes_at)


def _bad(survey, case):
    first, several, scale, short = (survey.questions[i] for i in range(4))
    ok = {first.id: [opt(survey, 0, 0)]}
    return {
        "required missing": ({several.id: [opt(survey, 1, 0)]}, first),
        "unknown option": ({first.id: ["999999"]}, first),
        "two for one choice": ({first.id: [opt(survey, 0, 0), opt(survey, 0, 1)]}, first),
        "same option twice": ({**ok, several.id: [opt(survey, 1, 0), opt(survey, 1, 0)]}, several),
        "option of another question": ({**ok, several.id: [opt(survey, 0, 1)]}, several),
        "scale above 5": ({**ok, scale.id: ["6"]}, scale),
        "scale not a number": ({**ok, scale.id: ["x"]}, scale),
        "text too long": ({**ok, short.id: ["가" * 201]}, short),
    }[case]


@pytest.mark.parametrize("case", ["required missing", "unknown option", "two for one choice", "same option twice",
                                  "option of another question", "scale above 5", "scale not a number",
                                  "text too long"])
def test_bad_answers_are_refused_with_the_question_named(make_survey, make_user, case):
    survey = make_survey()
    raw, question = _bad(survey, case)
    with pytest.raises(ValidationFailed) as refused:
        services.submit_response(survey, raw, user=make_user())
    assert f"q{question.id}" in refused.value.errors
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


def test_an_unknown_question_is_refused(make_survey, make_user):
    survey = make_survey()
    with pytest.raises(ValidationFailed) as refused:
        services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 0)], 999999: ["1"]}, user=make_user())
    assert "q999999" in refused.value.errors


def test_respondent_questions_need_consent(make_survey, make_user):
    survey = make_survey()
    sex = next(question for question in survey.questions if question.demographic is Demographic.SEX)
    raw = {q(survey, 0).id: [opt(survey, 0, 0)], sex.id: [str(sex.options[0].id)]}
    with pytest.raises(ValidationFailed) as refused:
        services.submit_response(survey, raw, user=make_user())
    assert "consent" in refused.value.errors
    response = services.submit_response(survey, raw, user=make_user(), consent=True)
    assert response.consented_at is not None


def test_audiences(make_survey, make_user):
    everyone = make_survey(audience=Audience.EVERYONE)
    raw = {q(everyone, 0).id: [opt(everyone, 0, 0)]}
    with pytest.raises(DomainError, match="Confirm your email"):
        services.submit_response(everyone, raw, guest_email="g@example.kr")
    residents = make_survey(audience=Audience.RESIDENTS)
    with pytest.raises(DomainError, match="Log in"):
        services.submit_response(residents, {q(residents, 0).id: [opt(residents, 0, 0)]})


def test_lab_members_only(make_survey, make_user, staff):
    from app.labs.models import Lab, LabMembership, LabMode, MemberGroup, MembershipStatus
    from datetime import date

    lab = Lab(title="골목 리빙랩", summary="s", mode=LabMode.RESIDENT_LED, district="onyang1", capacity=10,
              recruitment_deadline=date(2030, 1, 1), starts_on=date(2030, 1, 2), ends_on=date(2030, 6, 1),
              created_by_id=staff.id)
    db.session.add(lab)
    db.session.commit()
    survey = make_survey(audience=Audience.LAB, lab_id=lab.id)
    member, outsider = make_user(), make_user()
    db.session.add(LabMembership(lab_id=lab.id, user_id=member.id, group=list(MemberGroup)[0], motivation="m",
                                 status=MembershipStatus.ACCEPTED))
    db.session.commit()
    raw = {q(survey, 0).id: [opt(survey, 0, 0)]}
    with pytest.raises(DomainError, match="members of the living lab"):
        services.submit_response(survey, raw, user=outsider, lab_member=services.is_lab_member(survey, outsider))
    services.submit_response(survey, raw, user=member, lab_member=services.is_lab_member(survey, member))


def _answer_many(survey, make_user, plan):
    """plan: list of (option index of q0, sex option index or None, age option index)."""
    sex = next(x for x in survey.questions if x.demographic is Demographic.SEX)
    age = next(x for x in survey.questions if x.demographic is Demographic.AGE)
    for choice, sex_index, age_index in plan:
        raw = {q(survey, 0).id: [opt(survey, 0, choice)], age.id: [str(age.options[age_index].id)],
               q(survey, 2).id: [str(choice + 1)]}
        if sex_index is not None:
            raw[sex.id] = [str(sex.options[sex_index].id)]
        services.submit_response(survey, raw, user=make_user(), consent=True)
    db.session.commit()
    return sex, age


def test_results_count_and_percent(make_survey, make_user):
    survey = make_survey()
    _answer_many(survey, make_user, [(0, 0, 1), (0, 1, 1), (1, 1, 1), (3, 0, 1)])
    first = results.question_results(survey)[0]
    assert first.respondents == 4
    assert [(row.label, row.count, row.percent) for row in first.rows] == [
        ("매우 좋음", 2, 50.0), ("좋은 편", 1, 25.0), ("보통", 0, 0.0), ("나쁜 편", 1, 25.0)]
    assert first.rows[0].width > first.rows[1].width > 0 == first.rows[2].width
    scale = results.question_results(survey)[2]
    assert scale.mean == round((1 + 1 + 2 + 4) / 4, 2)


def test_crosstab_hides_groups_under_five(make_survey, make_user):
    survey = make_survey()
    plan = [(0, 0, 2)] * 5 + [(1, 0, 2)] + [(2, 1, 2)] * 4
    sex, _ = _answer_many(survey, make_user, plan)
    table = results.crosstab(survey, q(survey, 0), sex)
    men, women = table.groups
    assert men[0] == "남자" and men[1] == 6 and men[2][0] == (5, 83.3) and men[2][1] == (1, 16.7)
    assert women == ("여자", 4, None) and table.suppressed == 1


def test_csv_has_answers_but_no_names_or_emails(make_survey, make_user):
    survey = make_survey()
    user = make_user(email="private.person@example.kr", display_name="비밀주민")
    services.submit_response(survey, {q(survey, 0).id: [opt(survey, 0, 1)], q(survey, 1).id: [
        opt(survey, 1, 0), opt(survey, 1, 2)], q(survey, 4).id: ["버스를 늘려 주세요"]}, user=user)
    db.session.commit()
    text = "".join(results.csv_rows(survey))
    assert "비밀주민" not in text and "private.person" not in text
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("response,answered_at_korea,아산시 거주환경 만족도")
    assert lines[1].startswith("1,") and "좋은 편" in lines[1] and "의료/복지; 교통" in lines[1]
    assert "버스를 늘려 주세요" in lines[1]


def test_quick_poll_on_a_proposal(staff, make_user):
    from app.proposals.models import Field, Proposal

    field = Field(slug="transport", name_ko="교통", name_en="Transport")
    db.session.add(field)
    db.session.flush()
    proposal = Proposal(title="버스정류장 온열의자", body="춥습니다", author_id=make_user().id, field_id=field.id)
    db.session.add(proposal)
    db.session.commit()
    poll = services.create_poll(staff, target_type="proposal", target_id=proposal.id, question="어디에 먼저?",
                                options=["온양온천역", "배방역"], closes_at=utcnow() + timedelta(days=3))
    db.session.commit()
    assert services.polls_for("proposal", proposal.id) == [poll]
    services.submit_response(poll, {poll.questions[0].id: [str(poll.questions[0].options[1].id)]}, user=make_user())
    with pytest.raises(DomainError):
        services.create_poll(staff, target_type="proposal", target_id=999999, question="?", options=["a", "b"],
                             closes_at=utcnow() + timedelta(days=1))
