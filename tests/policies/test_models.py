"""Progress computation and the status machine, on plain model objects."""
import itertools

import pytest

from app.core import DomainError
from app.policies.models import ALLOWED_TRANSITIONS, Policy, PolicyStatus, PolicyStep, StepState, compute_progress


@pytest.fixture(autouse=True)
def english_request(app):
    # Domain errors render their message when raised, which needs a request (for the locale).
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def step(weight=1, state=StepState.PLANNED, percent=None):
    return PolicyStep(title="단계", weight=weight, state=state, percent=percent)


@pytest.mark.parametrize("steps, expected", [
    ([], 0),
    ([step(state=StepState.DONE)], 100),
    ([step(), step()], 0),
    ([step(state=StepState.DONE), step()], 50),
    # weights: a done step of weight 3 against a planned step of weight 1
    ([step(3, StepState.DONE), step(1)], 75),
    ([step(1, StepState.DONE), step(3)], 25),
    # partial percentages count by weight
    ([step(2, StepState.IN_PROGRESS, 50), step(2)], 25),
    ([step(1, StepState.IN_PROGRESS, None), step(1, StepState.DONE)], 50),
    # cancelled steps count for nothing either way
    ([step(1, StepState.DONE), step(5, StepState.CANCELLED)], 100),
    ([step(1), step(5, StepState.CANCELLED)], 0),
    ([step(2, StepState.CANCELLED), step(2, StepState.CANCELLED)], 0),
    # rounded down: 100 only when everything is done
    ([step(state=StepState.DONE), step(state=StepState.DONE), step()], 66),
    ([step(999, StepState.DONE), step(1, StepState.IN_PROGRESS, 99)], 99),
    ([step(1, StepState.DONE), step(2, StepState.IN_PROGRESS, 1)], 34),
])
def test_progress_is_the_weighted_share_of_completed_work(steps, expected):
    assert compute_progress(steps, PolicyStatus.IN_PROGRESS) == expected


def test_without_countable_steps_a_done_policy_reads_100():
    assert compute_progress([], PolicyStatus.DONE) == 100
    assert compute_progress([step(state=StepState.CANCELLED)], PolicyStatus.DONE) == 100
    assert compute_progress([], PolicyStatus.STOPPED) == 0


LEGAL = {(old, new) for old, targets in ALLOWED_TRANSITIONS.items() for new in targets}


def test_the_legal_transitions_are_exactly_the_lifecycle():
    S = PolicyStatus
    assert LEGAL == {
        (S.PLANNED, S.IN_PROGRESS), (S.IN_PROGRESS, S.DONE),
        (S.PLANNED, S.ON_HOLD), (S.IN_PROGRESS, S.ON_HOLD),
        (S.ON_HOLD, S.PLANNED), (S.ON_HOLD, S.IN_PROGRESS),
        (S.PLANNED, S.STOPPED), (S.IN_PROGRESS, S.STOPPED), (S.ON_HOLD, S.STOPPED),
    }


@pytest.mark.parametrize("old, new", sorted(
    (pair for pair in itertools.product(PolicyStatus, PolicyStatus) if pair not in LEGAL),
    key=lambda pair: (pair[0].value, pair[1].value)))
def test_every_illegal_transition_is_rejected(app, old, new):
    policy = Policy(status=old, steps=[])
    with pytest.raises(DomainError) as error:
        policy.move_to(new, reason="이유")
    assert policy.status is old
    assert str(error.value.message).startswith(("A policy", "The policy"))


@pytest.mark.parametrize("old, new", sorted(LEGAL, key=lambda pair: (pair[0].value, pair[1].value)))
def test_every_legal_transition_is_accepted(old, new):
    policy = Policy(status=old, steps=[])
    policy.move_to(new, reason="예산 삭감")
    assert policy.status is new


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_stopping_needs_a_reason(reason):
    policy = Policy(status=PolicyStatus.IN_PROGRESS, steps=[])
    with pytest.raises(DomainError) as error:
        policy.move_to(PolicyStatus.STOPPED, reason=reason)
    assert error.value.field == "reason"
    assert policy.status is PolicyStatus.IN_PROGRESS


def test_completing_needs_every_step_done_or_cancelled():
    policy = Policy(status=PolicyStatus.IN_PROGRESS,
                    steps=[step(state=StepState.DONE), step(state=StepState.IN_PROGRESS, percent=90)])
    with pytest.raises(DomainError):
        policy.move_to(PolicyStatus.DONE)
    policy.steps[1].set_state(StepState.CANCELLED)
    policy.move_to(PolicyStatus.DONE)
    assert policy.status is PolicyStatus.DONE


def test_a_partial_percentage_belongs_to_a_step_in_progress_only():
    s = step()
    with pytest.raises(DomainError):
        s.set_state(StepState.DONE, 40)
    with pytest.raises(DomainError):
        s.set_state(StepState.IN_PROGRESS, 101)
    s.set_state(StepState.IN_PROGRESS, 40)
    assert s.completion == 40
    s.set_state(StepState.DONE)
    assert (s.percent, s.completion) == (None, 100)
