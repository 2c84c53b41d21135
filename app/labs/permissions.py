"""Who may do what in a lab: pure predicates over role, membership and stage.

Workspace features are opened per stage by ``WORKSPACE_RULES`` (like adhocracy4 phases): a feature is
usable only in its stages and only by the kinds of actor listed for it. Nothing here queries the
database except through ``lab.facilitators`` (loaded with the lab); pass the viewer's membership in.
"""
from __future__ import annotations

from app.auth.permissions import signed_in
from app.labs.models import Lab, LabMembership, LabStage, MembershipStatus

# Kinds of actor, relative to one lab.
PUBLIC = "public"            # anyone, logged in or not
USER = "user"                # any logged-in, active account
MEMBER = "member"            # an accepted member of this lab
FACILITATOR = "facilitator"  # a facilitator of this lab
STAFF = "staff"              # staff or admin

S = LabStage
# feature: (stages in which it is open, actors who may use it)
WORKSPACE_RULES: dict[str, tuple[frozenset[LabStage], frozenset[str]]] = {
    "write_problem": (frozenset({S.PROBLEM}), frozenset({MEMBER})),
    "empathize": (frozenset({S.PROBLEM}), frozenset({MEMBER})),
    "add_resource": (frozenset({S.PROBLEM}), frozenset({MEMBER, FACILITATOR})),
    "edit_plan": (frozenset({S.PLANNING}), frozenset({MEMBER, FACILITATOR})),
    "assign_roles": (frozenset({S.PLANNING}), frozenset({FACILITATOR})),
    "add_prototype": (frozenset({S.PROTOTYPING}), frozenset({MEMBER, FACILITATOR})),
    "give_feedback": (frozenset({S.PROTOTYPING}), frozenset({PUBLIC})),
    "upload_dataset": (frozenset({S.REVIEW}), frozenset({MEMBER, FACILITATOR})),
    "record_kpi": (frozenset({S.REVIEW}), frozenset({MEMBER, FACILITATOR})),
    "write_findings": (frozenset({S.REVIEW}), frozenset({FACILITATOR})),
    "write_retrospective": (frozenset({S.SHARING}), frozenset({FACILITATOR})),
    "give_praise": (frozenset({S.SHARING}), frozenset({MEMBER, FACILITATOR})),
    "write_results_summary": (frozenset({S.SHARING}), frozenset({FACILITATOR})),
}

OPEN_STAGES = frozenset(s for s in LabStage if s is not LabStage.CLOSED)


def _accepted(membership: LabMembership | None) -> bool:
    return membership is not None and membership.status is MembershipStatus.ACCEPTED


def actor_kinds(user, lab: Lab, membership: LabMembership | None) -> frozenset[str]:
    kinds = {PUBLIC}
    if signed_in(user):
        kinds.add(USER)
        if lab.is_facilitator(user):
            kinds.add(FACILITATOR)
        if user.is_staff:
            kinds.add(STAFF)
        if _accepted(membership) and membership.user_id == user.id:
            kinds.add(MEMBER)
    return frozenset(kinds)


def can_use(feature: str, user, lab: Lab, membership: LabMembership | None = None) -> bool:
    stages, actors = WORKSPACE_RULES[feature]
    return lab.stage in stages and bool(actors & actor_kinds(user, lab, membership))


def open_features(lab: Lab) -> list[str]:
    """Features of the lab's current stage, in table order (what its workspace shows)."""
    return [feature for feature, (stages, _) in WORKSPACE_RULES.items() if lab.stage in stages]


def can_create_lab(user) -> bool:
    return signed_in(user) and (user.is_facilitator or user.is_staff)


def can_edit_lab(user, lab: Lab) -> bool:
    return signed_in(user) and lab.stage in OPEN_STAGES and (lab.is_facilitator(user) or user.is_staff)


def can_add_facilitator(user, lab: Lab) -> bool:
    return signed_in(user) and user.is_staff and lab.stage in OPEN_STAGES


def can_view_overview(user) -> bool:
    return signed_in(user) and (user.is_staff or user.is_facilitator)


def can_apply(user, lab: Lab, membership: LabMembership | None) -> bool:
    """Deadline and capacity are business rules checked by the service, with their own messages."""
    return (signed_in(user) and lab.stage in OPEN_STAGES and not lab.is_facilitator(user)
            and membership is None)


def can_leave(user, lab: Lab, membership: LabMembership | None) -> bool:
    return (signed_in(user) and lab.stage in OPEN_STAGES and membership is not None
            and membership.user_id == user.id
            and membership.status in (MembershipStatus.APPLIED, MembershipStatus.ACCEPTED,
                                      MembershipStatus.WAITLISTED))


def can_manage_members(user, lab: Lab) -> bool:
    """Accept and decline applications, see motivations."""
    return signed_in(user) and lab.stage in OPEN_STAGES and lab.is_facilitator(user)


def can_view_applications(user, lab: Lab) -> bool:
    """See every application (not only accepted members) and each applicant's motivation, on the members
    page and in the API alike: the facilitators who decide them. Staff and members see accepted members."""
    return can_manage_members(user, lab)


def can_view_members(user, lab: Lab, membership: LabMembership | None) -> bool:
    return signed_in(user) and (lab.is_facilitator(user) or user.is_staff or _accepted(membership))


def can_change_stage(user, lab: Lab) -> bool:
    return signed_in(user) and lab.stage in OPEN_STAGES and lab.is_facilitator(user)


def can_manage_sessions(user, lab: Lab) -> bool:
    """Schedule sessions, see their check-in codes and record attendance."""
    return signed_in(user) and lab.stage in OPEN_STAGES and lab.is_facilitator(user)


def can_attend(user, lab: Lab, membership: LabMembership | None) -> bool:
    """Answer whether one will come, and check in with the session's code."""
    return signed_in(user) and lab.stage in OPEN_STAGES and _accepted(membership) \
        and membership.user_id == user.id


def can_view_workspace(user, lab: Lab, membership: LabMembership | None) -> bool:
    """The working material of the stages (cards, plan, data); the public page shows the results."""
    return can_view_members(user, lab, membership)
