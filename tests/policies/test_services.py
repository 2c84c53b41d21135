"""Policy use cases: creating, editing, steps, status timeline, updates and notifications."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core import DomainError
from app.extensions import db
from app.notifications.models import Notification
from app.policies import services
from app.policies.models import Horizon, PolicyStatus, PolicyStatusChange, StepState
from app.proposals.models import ProposalStatus, Support
from app.search import query_index


@pytest.fixture(autouse=True)
def english_request(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def data(**overrides):
    values = {"title": "스마트 주차", "summary": "주차 정보를 알려 드립니다.", "department": "교통행정과",
              "horizon": Horizon.MID}
    values.update(overrides)
    return services.PolicyData(**values)


def notified(kind="policy_update"):
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def test_create_policy_numbers_steps_from_zero_links_proposals_and_records_creation(
        staff, make_proposal, make_field):
    adopted = make_proposal()
    partly = make_proposal(status=ProposalStatus.PARTLY_ADOPTED)
    make_field("transport")
    policy = services.create_policy(staff, data(), field_slug="transport", proposal_ids=[partly.id, adopted.id],
                                    steps=[("구축", 3), ("시범 운영", 1)])
    db.session.commit()
    assert [(s.position, s.title, s.weight, s.state) for s in policy.steps] == [
        (0, "구축", 3, StepState.PLANNED), (1, "시범 운영", 1, StepState.PLANNED)]
    assert [p.id for p in policy.proposals] == [adopted.id, partly.id]
    assert policy.field.slug == "transport"
    assert policy.status is PolicyStatus.PLANNED and policy.progress == 0
    assert [(c.from_status, c.to_status, c.actor_id) for c in policy.status_changes] == [
        (None, PolicyStatus.PLANNED, staff.id)]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == policy.id)) == "policy.create"
    assert [hit.id for hit in query_index("주차")[0]] == [policy.id]


@pytest.mark.parametrize("status", [ProposalStatus.OPEN, ProposalStatus.UNDER_REVIEW, ProposalStatus.NOT_ADOPTED])
def test_only_adopted_proposals_can_be_linked(staff, make_proposal, status):
    proposal = make_proposal(status=status)
    with pytest.raises(DomainError) as error:
        services.create_policy(staff, data(), proposal_ids=[proposal.id])
    assert error.value.field == "proposal_ids"


@pytest.mark.parametrize("overrides, field", [
    ({"horizon": None}, "horizon"),
    ({"horizon": None, "starts_on": date(2026, 3, 1)}, "ends_on"),
    ({"starts_on": date(2026, 3, 1), "ends_on": date(2026, 2, 1)}, "ends_on"),
    ({"budget_won": -1}, "budget_won"),
])
def test_policy_data_is_checked(staff, overrides, field):
    with pytest.raises(DomainError) as error:
        services.create_policy(staff, data(**overrides))
    assert error.value.field == field


def test_unknown_field_and_bad_steps_are_rejected(staff):
    with pytest.raises(DomainError) as error:
        services.create_policy(staff, data(), field_slug="nonsense")
    assert error.value.field == "field"
    with pytest.raises(DomainError):
        services.create_policy(staff, data(), steps=[("", 1)])
    with pytest.raises(DomainError):
        services.create_policy(staff, data(), steps=[("구축", 0)])


def test_a_date_range_alone_sets_the_horizon_from_its_start_year(staff):
    policy = services.create_policy(staff, data(horizon=None, starts_on=date(2028, 1, 1),
                                                ends_on=date(2029, 12, 31)))
    assert policy.horizon is Horizon.FAR


def test_the_responsible_official_must_be_staff(staff, make_user):
    resident = make_user()
    with pytest.raises(DomainError) as error:
        services.create_policy(staff, data(official_id=resident.id))
    assert error.value.field == "official_id"
    policy = services.create_policy(staff, data(official_id=staff.id, official_name="ignored"))
    assert policy.official_display == staff.display_name and policy.official_name is None


def test_status_changes_build_the_timeline(make_policy, staff):
    policy = make_policy()
    services.change_status(policy, staff, PolicyStatus.IN_PROGRESS)
    services.change_status(policy, staff, PolicyStatus.ON_HOLD, "예산 재검토")
    services.change_status(policy, staff, PolicyStatus.STOPPED, "  사업 취소  ")
    db.session.commit()
    changes = db.session.scalars(select(PolicyStatusChange).order_by(PolicyStatusChange.id)).all()
    assert [(c.from_status, c.to_status, c.reason) for c in changes] == [
        (None, PolicyStatus.PLANNED, None),
        (PolicyStatus.PLANNED, PolicyStatus.IN_PROGRESS, None),
        (PolicyStatus.IN_PROGRESS, PolicyStatus.ON_HOLD, "예산 재검토"),
        (PolicyStatus.ON_HOLD, PolicyStatus.STOPPED, "사업 취소"),
    ]
    with pytest.raises(DomainError):
        services.change_status(policy, staff, PolicyStatus.IN_PROGRESS)
    with pytest.raises(DomainError):
        services.add_step(policy, staff, "추가", 1)


def test_steps_are_edited_and_moved(make_policy, staff):
    policy = make_policy(steps=[("구축", 1), ("운영", 1), ("평가", 1)])
    first, second, third = policy.steps
    services.edit_step(second, staff, title="시범 운영", weight=2, state=StepState.IN_PROGRESS, percent=50)
    services.move_step(third, staff, -1)
    db.session.commit()
    db.session.refresh(policy)
    assert [(s.title, s.position) for s in policy.steps] == [("구축", 0), ("평가", 1), ("시범 운영", 2)]
    assert policy.progress == 25  # weight 2 at 50 % out of a total weight of 4
    added = services.add_step(policy, staff, "확산", 4)
    assert added.position == 3


def test_an_update_changes_its_step_and_notifies_followers_authors_and_supporters(
        make_policy, make_proposal, make_user, staff):
    author, supporter, follower, both, bystander = (make_user() for _ in range(5))
    proposal = make_proposal(author)
    db.session.add_all([Support(proposal_id=proposal.id, user_id=supporter.id),
                        Support(proposal_id=proposal.id, user_id=both.id),
                        Support(proposal_id=proposal.id, user_id=staff.id)])
    policy = make_policy(proposal_ids=[proposal.id])
    services.follow(policy, follower)
    services.follow(policy, both)
    step = policy.steps[0]
    update = services.post_update(policy, staff, body="1차 설치를 마쳤습니다.", step_id=step.id,
                                  step_state=StepState.IN_PROGRESS, step_percent=60)
    db.session.commit()
    assert (step.state, step.percent) == (StepState.IN_PROGRESS, 60)
    assert (update.step_state, update.step_percent) == (StepState.IN_PROGRESS, 60)
    assert policy.progress == 40  # weight 2 at 60 % out of 3
    # the staff author is not told about their own update; every other person once
    assert notified() == {author.id, supporter.id, follower.id, both.id}
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 4
    url = db.session.scalar(select(Notification.url).limit(1))
    assert url == f"/policies/{policy.id}#update-{update.id}"
    assert bystander.id not in notified()


@pytest.mark.parametrize("kwargs, field", [
    ({"body": "  "}, "body"),
    ({"body": "x", "step_state": StepState.DONE}, "step_id"),
    ({"body": "x", "step_id": -1, "step_state": StepState.DONE}, "step_id"),
    ({"body": "x", "step_id": "first", "step_state": None}, "step_state"),
    ({"body": "x", "step_id": "first", "step_state": StepState.DONE, "step_percent": 30}, "step_percent"),
])
def test_bad_updates_are_rejected(make_policy, staff, kwargs, field):
    policy = make_policy()
    if kwargs.get("step_id") == "first":
        kwargs["step_id"] = policy.steps[0].id
    with pytest.raises(DomainError) as error:
        services.post_update(policy, staff, **kwargs)
    assert error.value.field == field


def test_a_step_of_another_policy_is_refused(make_policy, staff):
    policy, other = make_policy(), make_policy(title="다른 정책")
    with pytest.raises(DomainError):
        services.post_update(policy, staff, body="x", step_id=other.steps[0].id, step_state=StepState.DONE)


def test_follow_and_unfollow_are_idempotent(make_policy, make_user):
    policy, user = make_policy(), make_user()
    assert services.follow(policy, user) is True
    assert services.follow(policy, user) is False
    assert services.is_following(policy, user)
    assert services.unfollow(policy, user) is True
    assert services.unfollow(policy, user) is False
