import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import ConsentItem
from app.auth.services import set_consent
from app.core import DomainError
from app.extensions import db
from app.notifications.models import Notification
from app.proposals import services
from app.proposals.choices import seed_fields_and_topics, update_settings
from app.proposals.models import AnswerStatus, Field, Follow, Proposal, ProposalStatus, Support, Topic


def notifications(user, kind):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == kind)).all()


def test_seeding_fields_is_idempotent(choices):
    assert seed_fields_and_topics() == 0
    slugs = set(db.session.scalars(select(Field.slug)))
    assert {"safety", "transport", "administration", "environment", "facilities", "welfare", "education",
            "culture", "economy"} == slugs
    assert db.session.scalar(select(Field).where(Field.slug == "welfare")).name_ko == "보건·복지"
    assert db.session.scalar(select(func.count()).select_from(Topic)) > 5


def test_submitting_makes_the_author_a_follower(make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author, topics=["parking", "walking"])
    assert proposal.status is ProposalStatus.OPEN
    assert [t.slug for t in proposal.topics] == ["parking", "walking"]
    assert db.session.get(Follow, (proposal.id, author.id)) is not None


@pytest.mark.parametrize("content, field, message", [
    ({"field_slug": "weather"}, "field", "Unknown field"),
    ({"topic_slugs": ["parking", "spaceships"]}, "topics", "spaceships"),
    ({"topic_slugs": ["parking", "bus", "walking", "waste", "cctv", "elderly"]}, "topics", "at most 5"),
    ({"district": "gangnam"}, "district", "district"),
    ({"latitude": 36.8}, "latitude", "both"),
    ({"latitude": 37.5665, "longitude": 126.978}, "latitude", "outside the city"),
    ({"latitude": 36.79, "longitude": 127.0}, "latitude", "consent"),
])
def test_rejected_content_saves_nothing(choices, make_user, content, field, message):
    values = {"title": "버스정류장 그늘막 설치", "body": "여름에 버스를 기다리는 어르신들이 더위에 힘들어하십니다.",
              "field_slug": "transport", "topic_slugs": ["bus"], **content}
    with pytest.raises(DomainError) as error:
        services.submit_proposal(make_user(), **values)
    db.session.rollback()
    assert error.value.field == field and message in str(error.value.message)
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_map_point_needs_the_location_consent(choices, make_user):
    user = make_user()
    set_consent(user, ConsentItem.LOCATION, True)
    proposal = services.submit_proposal(user, title="신창면 가로등 설치", body="밤길이 너무 어두워 사고가 날까 걱정됩니다.",
                                        field_slug="safety", latitude=36.79, longitude=127.0)
    assert (proposal.latitude, proposal.longitude) == (36.79, 127.0)


def test_editing_stops_at_the_first_support(make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author)
    services.edit_proposal(author, proposal, title="새 제목입니다", body=proposal.body, field_slug="safety",
                           topic_slugs=[], district="baebang", latitude=None, longitude=None)
    db.session.commit()
    assert proposal.title == "새 제목입니다" and proposal.field.slug == "safety" and proposal.edited_at
    services.support_proposal(make_user(), proposal)
    db.session.commit()
    with pytest.raises(DomainError, match="already has supports or comments"):
        services.edit_proposal(author, proposal, title="또 바꾼 제목", body=proposal.body, field_slug="safety",
                               topic_slugs=[], district=None, latitude=None, longitude=None)


def test_editing_stops_at_the_first_comment(make_proposal, make_user, make_comment):
    author = make_user()
    proposal = make_proposal(author)
    make_comment(make_user(), proposal)
    assert not proposal.editable
    with pytest.raises(DomainError, match="already has supports or comments"):
        services.edit_proposal(author, proposal, title="또 바꾼 제목", body=proposal.body, field_slug="safety",
                               topic_slugs=[], district=None, latitude=None, longitude=None)


def test_support_once_and_withdraw(make_proposal, make_user):
    proposal, user = make_proposal(), make_user()
    assert services.support_proposal(user, proposal) is True
    assert services.support_proposal(user, proposal) is False
    db.session.commit()
    assert proposal.support_count == 1
    assert db.session.get(Follow, (proposal.id, user.id)) is not None
    assert services.withdraw_support(user, proposal) is True
    assert services.withdraw_support(user, proposal) is False
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.support_count == 0
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0


def test_a_withdrawn_proposal_stays_but_cannot_be_supported(make_proposal, make_user):
    author, follower = make_user(), make_user()
    proposal = make_proposal(author)
    services.follow_proposal(follower, proposal)
    services.withdraw_proposal(author, proposal)
    db.session.commit()
    assert proposal.status is ProposalStatus.WITHDRAWN
    assert notifications(follower, "proposal_withdrawn")
    with pytest.raises(DomainError, match="withdrawn proposal cannot be supported"):
        services.support_proposal(make_user(), proposal)
    with pytest.raises(DomainError):
        services.withdraw_proposal(author, proposal)


def test_thresholds_open_a_forum_and_set_the_answer_due_date(make_proposal, make_user):
    admin = make_user(["admin"])
    staff = make_user(["staff"])
    update_settings(admin, forum_threshold=2, answer_threshold=3, answer_days=10)
    author = make_user()
    proposal = make_proposal(author)
    services.support_proposal(make_user(), proposal)
    assert proposal.status is ProposalStatus.OPEN
    services.support_proposal(make_user(), proposal)
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.status is ProposalStatus.FORUM and proposal.forum_at
    assert notifications(staff, "proposal_forum") and notifications(author, "proposal_forum")
    assert proposal.answer_due_at is None
    services.support_proposal(make_user(), proposal)
    db.session.commit()
    db.session.refresh(proposal)
    assert (proposal.answer_due_at - proposal.created_at).days in (9, 10)
    assert len(notifications(staff, "proposal_answer_due")) == 1
    services.support_proposal(make_user(), proposal)
    db.session.commit()
    assert len(notifications(staff, "proposal_forum")) == 1, "crossing a threshold notifies once"


def test_settings_reject_a_forum_threshold_above_the_answer_threshold(make_user):
    with pytest.raises(DomainError, match="lower than the answer threshold"):
        update_settings(make_user(["admin"]), forum_threshold=500, answer_threshold=100, answer_days=30)


def test_an_official_answer_sets_the_status_and_notifies_followers(make_proposal, make_user):
    author, staff = make_user(), make_user(["staff"])
    proposal = make_proposal(author)
    with pytest.raises(DomainError, match="reason"):
        services.answer_proposal(staff, proposal, body="검토 결과 예산이 부족합니다.", status=AnswerStatus.NOT_ADOPTED)
    db.session.rollback()
    services.answer_proposal(staff, proposal, body="검토 결과 예산이 부족합니다.", status=AnswerStatus.NOT_ADOPTED,
                             department="교통행정과", reason="올해 예산이 모두 배정되었습니다.")
    db.session.commit()
    assert proposal.status is ProposalStatus.NOT_ADOPTED and proposal.answered
    assert notifications(author, "proposal_answered")
    services.answer_proposal(staff, proposal, body="내년 예산으로 추진합니다.", status=AnswerStatus.ADOPTED)
    db.session.commit()
    answer = services.official_answer(proposal)
    assert answer.status is AnswerStatus.ADOPTED and answer.reason is None
    assert proposal.status is ProposalStatus.ADOPTED
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "proposal.answer")) == 2


def test_the_seed_fields_command_is_idempotent(runner):
    first = runner.invoke(args=["proposals", "seed-fields"])
    again = runner.invoke(args=["proposals", "seed-fields"])
    assert first.exit_code == 0 and "Added 21" in first.output
    assert "Added 0" in again.output
