"""Missions: staff set them; a resident completes each at most once and is paid its bonus once.

A steps mission completes when the resident's counted steps within the period reach the target
(checked when steps arrive and when the resident opens the mission); a place mission by checking
in within its radius (location consent; the position is used for the check and never stored); a
programme mission when the resident's attendance at the linked session is recorded."""
from __future__ import annotations

import math
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app import audit
from app.auth.models import ConsentItem
from app.auth.services import has_consent
from app.core import DomainError, utcnow
from app.extensions import db
from app.ledger.services.funds import try_commit_funds
from app.sql import insert_unless_exists
from app.walking.models import (
    MileageEntry,
    MileageKind,
    Mission,
    MissionCompletion,
    MissionKind,
    WalkingDay,
    WalkingParticipant,
)
from app.walking.services import today
from app.walking.services.crediting import walking_budget

EARTH_RADIUS_M = 6_371_000


def create_mission(*, title: str, kind: MissionKind, starts_on: date, ends_on: date, bonus_won: int,
                   description: str = "", target_steps: int | None = None, latitude: float | None = None,
                   longitude: float | None = None, radius_m: int | None = None, session_id: int | None = None,
                   actor) -> Mission:
    if ends_on < starts_on:
        raise DomainError(_l("The mission must end on or after its first day."), field="ends_on", status=422)
    if bonus_won < 0:
        raise DomainError(_l("The amount cannot be negative."), field="bonus_won", status=422)
    if kind is MissionKind.STEPS and not (target_steps and target_steps > 0):
        raise DomainError(_l("A steps mission needs a target number of steps."), field="target_steps", status=422)
    if kind is MissionKind.PLACE:
        if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise DomainError(_l("A place mission needs the place's latitude and longitude."), field="latitude",
                              status=422)
        if not (radius_m and 10 <= radius_m <= 5000):
            raise DomainError(_l("The radius must be 10 to 5,000 metres."), field="radius_m", status=422)
    if kind is MissionKind.PROGRAMME:
        from app.labs.models import LabSession

        if session_id is None or db.session.get(LabSession, session_id) is None:
            raise DomainError(_l("Choose the programme session to attend."), field="session_id", status=422)
    mission = Mission(title=title.strip(), description=(description or "").strip(), kind=kind, starts_on=starts_on,
                      ends_on=ends_on, bonus_won=bonus_won,
                      target_steps=target_steps if kind is MissionKind.STEPS else None,
                      latitude=latitude if kind is MissionKind.PLACE else None,
                      longitude=longitude if kind is MissionKind.PLACE else None,
                      radius_m=radius_m if kind is MissionKind.PLACE else None,
                      session_id=session_id if kind is MissionKind.PROGRAMME else None, created_by_id=actor.id)
    db.session.add(mission)
    db.session.flush()
    audit.record(actor, "walking_mission.created", "walking_mission", mission.id, kind=kind.value)
    return mission


def missions_query():
    return select(Mission).order_by(Mission.ends_on.desc(), Mission.id.desc())


def completed_ids(user_id: int) -> set[int]:
    return set(db.session.scalars(select(MissionCompletion.mission_id).where(MissionCompletion.user_id == user_id)))


def steps_in_period(user_id: int, mission: Mission) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(WalkingDay.steps), 0)).where(
        WalkingDay.user_id == user_id, WalkingDay.day.between(mission.starts_on, mission.ends_on))))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _complete(user, mission: Mission) -> bool:
    """Record the completion and pay the bonus, once: the unique constraint decides."""
    if not insert_unless_exists(MissionCompletion, mission_id=mission.id, user_id=user.id, completed_at=utcnow()):
        return False
    if mission.bonus_won:
        budget = walking_budget(today().year)
        if budget is None or not try_commit_funds(budget, mission.bonus_won, actor=None,
                                                  reason=f"walking mission {mission.id} bonus"):
            # undo our own insert (no savepoint: SQLite's driver cannot nest them safely)
            db.session.execute(delete(MissionCompletion).where(MissionCompletion.mission_id == mission.id,
                                                               MissionCompletion.user_id == user.id))
            raise DomainError(_l("The walking budget has run out: the bonus cannot be paid now. Try again later."))
        db.session.execute(update(WalkingParticipant).where(WalkingParticipant.user_id == user.id)
                           .values(balance_won=WalkingParticipant.balance_won + mission.bonus_won)
                           .execution_options(synchronize_session=False))
        db.session.add(MileageEntry(user_id=user.id, kind=MileageKind.BONUS, amount_won=mission.bonus_won,
                                    mission_id=mission.id, idempotency_key=f"mission:{mission.id}:{user.id}"))
    db.session.flush()
    audit.record(user, "walking_mission.completed", "walking_mission", mission.id, bonus_won=mission.bonus_won)
    return True


def _check_open(user, mission: Mission) -> None:
    from app.walking.services.participation import is_participating

    if not is_participating(user):
        raise DomainError(_l("Join the walking programme first."))
    if not mission.open_on(today()):
        raise DomainError(_l("This mission is not open today."))
    if mission.id in completed_ids(user.id):
        raise DomainError(_l("You completed this mission already."))


def check_in(user, mission: Mission, *, latitude: float, longitude: float) -> None:
    """A place mission: the position is compared with the place and then forgotten (never stored)."""
    if mission.kind is not MissionKind.PLACE:
        raise DomainError(_l("This mission is not a place mission."))
    if not has_consent(user, ConsentItem.LOCATION):
        raise DomainError(_l("Checking in at a place needs your consent to the use of location data."),
                          field="consent_location")
    _check_open(user, mission)
    if mission.latitude is None or mission.longitude is None or mission.radius_m is None:  # create_mission sets them
        raise DomainError(_l("A place mission needs the place's latitude and longitude."))
    distance = distance_m(latitude, longitude, mission.latitude, mission.longitude)
    if distance > mission.radius_m:
        raise DomainError(_l("You are about %(distance)s m from the place; come within %(radius)s m to check in.",
                             distance=f"{round(distance):,}", radius=mission.radius_m))
    _complete(user, mission)


def claim(user, mission: Mission) -> None:
    """Steps and programme missions: complete when the condition is met."""
    if mission.kind is MissionKind.STEPS:
        _check_steps_open(user, mission)
    else:
        _check_open(user, mission)
    if mission.kind is MissionKind.STEPS:
        if mission.target_steps is None:  # create_mission sets it for steps missions
            raise DomainError(_l("A steps mission needs a target number of steps."))
        walked = steps_in_period(user.id, mission)
        if walked < mission.target_steps:
            raise DomainError(_l("%(walked)s of %(target)s steps so far.", walked=f"{walked:,}",
                                 target=f"{mission.target_steps:,}"))
    elif mission.kind is MissionKind.PROGRAMME:
        from app.labs.models import Attendance

        if db.session.scalar(select(Attendance.id).where(Attendance.session_id == mission.session_id,
                                                         Attendance.user_id == user.id)) is None:
            raise DomainError(_l("Your attendance at the session is not recorded yet."))
    else:
        raise DomainError(_l("Check in at the place to complete this mission."))
    _complete(user, mission)


def _check_steps_open(user, mission: Mission) -> None:
    """A steps mission can be claimed up to the submission window after it ends (late steps count)."""
    from app.walking.services.participation import is_participating

    if not is_participating(user):
        raise DomainError(_l("Join the walking programme first."))
    if today() < mission.starts_on:
        raise DomainError(_l("This mission is not open today."))
    if mission.id in completed_ids(user.id):
        raise DomainError(_l("You completed this mission already."))


def complete_reached_step_missions(user_ids, days) -> int:
    """After steps arrive: complete open steps missions whose target the residents reached."""
    if not days:
        return 0
    first, last = min(days), max(days)
    missions = list(db.session.scalars(select(Mission).where(
        Mission.kind == MissionKind.STEPS, Mission.starts_on <= last, Mission.ends_on >= first)))
    done = 0
    for mission in missions:
        totals = db.session.execute(
            select(WalkingDay.user_id, func.sum(WalkingDay.steps))
            .where(WalkingDay.user_id.in_(list(user_ids)), WalkingDay.day.between(mission.starts_on, mission.ends_on))
            .group_by(WalkingDay.user_id)
            .having(func.sum(WalkingDay.steps) >= mission.target_steps)).all()
        finished = completed_ids_for(mission.id)
        for user_id, _total in totals:
            if user_id not in finished:
                from app.auth.models import User

                try:
                    done += _complete(db.session.get(User, user_id), mission)
                except DomainError:
                    pass  # budget exhausted: the resident can claim it later from the mission page
    return done


def completed_ids_for(mission_id: int) -> set[int]:
    return set(db.session.scalars(select(MissionCompletion.user_id).where(MissionCompletion.mission_id == mission_id)))



def complete_programme_missions(attendance) -> None:
    """A recorded attendance completes the open programme missions linked to its session."""
    from app.auth.models import User
    from app.walking.services.participation import is_participating

    user = db.session.get(User, attendance.user_id)
    if user is None or not is_participating(user):
        return
    for mission in db.session.scalars(select(Mission).where(Mission.kind == MissionKind.PROGRAMME,
                                                            Mission.session_id == attendance.session_id)):
        if mission.open_on(today()):
            try:
                _complete(user, mission)
            except DomainError:
                pass  # budget exhausted: the resident claims it later from the mission page
