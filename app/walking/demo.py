"""Demo walking programme: this year's budget, a bank clerk who cashes coupons, three residents who
joined with a month of steps, a steps mission and a place mission, and a coupon. Safe to run twice."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.demo import DEMO_PASSWORD
from app.auth.models import ConsentItem, Role
from app.core import utcnow
from app.extensions import db
from app.ledger.models import ProgrammeType
from app.ledger.services import funds
from app.walking.models import Mission, MissionKind, ReviewStatus, StepRecord
from app.walking.services import participation, today
from app.walking.services.conversions import convert_mileage
from app.walking.services.crediting import credit_pending, dialect_insert, recompute, walking_budget
from app.walking.services.missions import create_mission

WALKING_BUDGET_WON = 30_000_000
WALKERS = ["resident@maeul.kr", "resident2@maeul.kr", "senior@maeul.kr"]
CLERK = ("bank@maeul.kr", "농협 창구")


def seed_demo() -> None:
    admin, staff = auth_services.find_user_by_email("admin@maeul.kr"), auth_services.find_user_by_email("staff@maeul.kr")
    if admin is None or staff is None:
        return
    if auth_services.find_user_by_email(CLERK[0]) is None:
        auth_services.create_user(email=CLERK[0], password=DEMO_PASSWORD, display_name=CLERK[1],
                                  roles=[Role.REDEEMER], is_city_employee=False, district="onyang1",
                                  birth_year=1985)
    year = today().year
    if walking_budget(year) is None:
        funds.create_budget(programme_type=ProgrammeType.WALKING, programme_id=1, fiscal_year=year,
                            allocated_won=WALKING_BUDGET_WON, actor=admin)
    walkers = [u for u in (auth_services.find_user_by_email(e) for e in WALKERS) if u is not None]
    new = [u for u in walkers if participation.participant_of(u) is None]
    for user in new:
        auth_services.set_consent(user, ConsentItem.HEALTH, True)
        participation.join(user)
    if new:
        _month_of_steps(new)
    if db.session.scalar(select(Mission.id).limit(1)) is None:
        first = today().replace(day=1)
        create_mission(title="11월 30만 보 걷기", kind=MissionKind.STEPS, starts_on=first,
                       ends_on=first + timedelta(days=29), bonus_won=1000, target_steps=300_000,
                       description="한 달 동안 30만 보를 걸으면 1,000원을 더 드립니다.", actor=staff)
        create_mission(title="신정호 둘레길 걷기", kind=MissionKind.PLACE, starts_on=first,
                       ends_on=first + timedelta(days=60), bonus_won=500, latitude=36.7717, longitude=126.9885,
                       radius_m=300, description="신정호 공원에서 체크인하세요. 위치는 확인에만 쓰고 저장하지 않습니다.",
                       actor=staff)
    resident = walkers[0] if walkers else None
    if resident is not None and new and resident in new:
        convert_mileage(resident, amount_won=1000, idempotency_key="demo-first-coupon")


def _month_of_steps(users) -> None:
    """30 days of counts from the 걷쥬 app (one flagged day to review), credited like any other steps."""
    generator = random.Random(11)
    now, last = utcnow(), today()
    days = [last - timedelta(days=n) for n in range(30)]
    rows = []
    for user in users:
        for day in days:
            steps = generator.randint(2500, 13000)
            rows.append({"user_id": user.id, "day": day, "source": "gotju", "steps": steps,
                         "review": ReviewStatus.OK.value, "received_at": now})
    rows[0].update(steps=88_000, review=ReviewStatus.FLAGGED.value)
    db.session.execute(dialect_insert()(StepRecord).values(rows).on_conflict_do_nothing())
    ids = [u.id for u in users]
    recompute(days, ids)
    credit_pending(days, ids)
