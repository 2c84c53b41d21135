"""The walking benchmark (`python -m tests.bench --walking`, part of `make bench`).

In a scratch database of its own (tests/bench.py makes it: a temporary SQLite file, or
``<database>_walkbench`` on PostgreSQL, dropped afterwards), with 100,000 residents who joined the programme,
it measures:

1. a city's daily batch of 100,000 step records through the API in 1,000-record requests
   (``POST /api/v1/walking/imports``, one CSV of 1,000 rows each, as an operator's system sends them);
2. the same volume as one CSV of 100,000 rows (the staff batch import, for the next day);
3. crediting one day for 100,000 residents (``flask walking credit``: recompute and credit);
4. a resident's own ``POST /api/v1/steps`` with 1,000 records.
"""
from __future__ import annotations

import io
import random
import time
from datetime import timedelta

from sqlalchemy import insert, text

RESIDENTS = 100_000
BUDGET_SECONDS = 10.0


def seed_residents(count: int) -> list[str]:
    """``count`` residents with the health consent who joined, inserted set-based; answers their emails."""
    from app.auth.models import Consent, ConsentItem, Role, User, UserRole
    from app.auth.services import hash_password
    from app.bench import BENCH_EMAIL_DOMAIN
    from app.core import utcnow
    from app.extensions import db
    from app.walking.models import ParticipationStatus, WalkingParticipant

    now = utcnow()
    password = hash_password("bench-password")
    emails = [f"walker{i}@{BENCH_EMAIL_DOMAIN}" for i in range(count)]
    connection = db.session.connection()
    for start in range(0, count, 10_000):
        chunk = range(start, min(count, start + 10_000))
        connection.execute(insert(User.__table__), [
            {"id": i + 1, "email": emails[i], "password_hash": password, "display_name": f"주민{i}",
             "district": "onyang1", "birth_year": 1970, "is_city_employee": False, "active": True,
             "created_at": now} for i in chunk])
        connection.execute(insert(UserRole.__table__), [{"user_id": i + 1, "role": Role.RESIDENT} for i in chunk])
        connection.execute(insert(Consent.__table__), [
            {"user_id": i + 1, "item": ConsentItem.HEALTH, "granted": True, "policy_version": "bench",
             "created_at": now} for i in chunk])
        connection.execute(insert(WalkingParticipant.__table__), [
            {"user_id": i + 1, "status": ParticipationStatus.ACTIVE, "joined_at": now, "balance_won": 0,
             "converted_today_won": 0} for i in chunk])
    if db.session.get_bind().dialect.name == "postgresql":
        connection.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), :n)"), {"n": count})
    db.session.commit()
    # A city's database has planner statistics (autovacuum keeps them); rows loaded a second ago have none
    # until autovacuum passes, and without them PostgreSQL guesses a scan of every participant.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return emails


def csv_body(rows) -> bytes:
    return ("email,date,steps,source\n" + "".join(f"{e},{d},{s},pedometer\n" for e, d, s in rows)).encode()


def prepare(echo=print):
    """Residents, a staff account with a token and a budget that covers every day measured."""
    from app.auth.models import Role
    from app.auth.services import create_user, issue_api_token
    from app.extensions import db
    from app.ledger.models import ProgrammeType
    from app.ledger.services.funds import create_budget
    from app.walking.services import today

    started = time.perf_counter()
    emails = seed_residents(RESIDENTS)
    staff = create_user(email="walk-staff@bench.maeul.invalid", password="bench-password", display_name="담당자",
                        roles=[Role.STAFF, Role.ADMIN], is_city_employee=True, district="onyang1", birth_year=1980)
    create_budget(programme_type=ProgrammeType.WALKING, programme_id=1, fiscal_year=today().year,
                  allocated_won=RESIDENTS * 100 * 10, actor=staff)
    token = issue_api_token(staff)
    db.session.commit()
    echo(f"seeded {RESIDENTS:,} residents in {time.perf_counter() - started:.1f} s")
    days = [(today() - timedelta(days=n)).isoformat() for n in range(1, 4)]
    return emails, token, days


def database_cpu(app) -> float:
    """CPU seconds used so far by this database's PostgreSQL backends (read from /proc: the server runs on
    this machine); 0 on SQLite, whose work is inside this process and counted in its own CPU time."""
    import os

    from app.extensions import db

    with app.app_context():
        if db.session.get_bind().dialect.name != "postgresql":
            return 0.0
        pids = db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
        db.session.rollback()
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu(app, cpu: float, server: float) -> str:
    used = f"this process's CPU {time.process_time() - cpu:.2f} s"
    if server:
        used += f", PostgreSQL's {database_cpu(app) - server:.2f} s"
    return used


def measure(app, echo=print) -> dict[str, float]:
    from app.core import utcnow
    from app.extensions import db
    from app.walking.models import StepRecord
    from app.walking.services import today
    from app.walking.services.crediting import credit_day, dialect_insert
    from app.walking.services.reconcile import walking_differences

    figures: dict[str, float] = {}
    rng = random.Random(11)
    with app.app_context():
        db.create_all()
        emails, token, days = prepare(echo)
    client = app.test_client()
    header = {"Authorization": f"Bearer {token}"}

    rows = [(e, days[0], rng.randint(0, 15000)) for e in emails]
    started, cpu, server = time.perf_counter(), time.process_time(), database_cpu(app)
    for start in range(0, RESIDENTS, 1000):
        response = client.post("/api/v1/walking/imports", headers=header,
                               data={"file": (io.BytesIO(csv_body(rows[start:start + 1000])), "batch.csv")})
        if response.status_code != 200:
            raise RuntimeError(f"import request failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
    figures["api_1000_record_requests"] = time.perf_counter() - started
    echo(f"100 API requests of 1,000 records: {figures['api_1000_record_requests']:.2f} s "
         f"({_cpu(app, cpu, server)})")

    rows = [(e, days[1], rng.randint(0, 15000)) for e in emails]
    body = csv_body(rows)
    started, cpu, server = time.perf_counter(), time.process_time(), database_cpu(app)
    response = client.post("/api/v1/walking/imports", headers=header, data={"file": (io.BytesIO(body), "day.csv")})
    figures["one_csv_100000_rows"] = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"CSV import failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
    echo(f"one CSV of 100,000 rows ({len(body) / 1e6:.1f} MB): {figures['one_csv_100000_rows']:.2f} s "
         f"({_cpu(app, cpu, server)})")

    with app.app_context():
        now = utcnow()
        records = [{"user_id": i + 1, "day": today() - timedelta(days=3), "source": "gotju",
                    "steps": rng.randint(0, 15000), "review": "ok", "received_at": now} for i in range(RESIDENTS)]
        for start in range(0, RESIDENTS, 5000):
            db.session.execute(dialect_insert()(StepRecord), records[start:start + 5000])
        db.session.commit()
        server = database_cpu(app)
        started, cpu = time.perf_counter(), time.process_time()
        result = credit_day(today() - timedelta(days=3))
        db.session.commit()
        figures["credit_day_100000_residents"] = time.perf_counter() - started
        echo(f"crediting a day for 100,000 residents ({result['credited_days']:,} days credited, "
             f"{result['credited_won']:,} won): {figures['credit_day_100000_residents']:.2f} s "
             f"({_cpu(app, cpu, server)})")
        problems = walking_differences()
        if problems:
            raise RuntimeError("ledger does not reconcile: " + problems[0])

    with app.app_context():
        from app.auth.models import User
        from app.auth.services import issue_api_token

        resident_token = issue_api_token(db.session.get(User, 1))
        db.session.commit()
    records = [{"date": days[2], "steps": rng.randint(0, 15000), "source": f"device{i}"} for i in range(1000)]
    started = time.perf_counter()
    response = client.post("/api/v1/steps", json={"records": records},
                           headers={"Authorization": f"Bearer {resident_token}"})
    figures["resident_post_1000_records"] = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"POST /steps failed: {response.status_code}")
    echo(f"one resident's POST /api/v1/steps with 1,000 records: {figures['resident_post_1000_records']:.2f} s")
    return figures
