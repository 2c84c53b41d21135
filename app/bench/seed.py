"""`flask seed bench`: city-scale proposals, supports and threaded comments, loaded with set-based SQL.

Proposals (whose text must vary) are inserted in large executemany batches; supports and comments
are generated inside the database from a per-proposal plan table: ``generate_series`` on PostgreSQL,
a numbers table on SQLite. The denormalized counters are then set with one UPDATE, so they equal
the rows exactly.
"""
from __future__ import annotations

import calendar
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text

from app.auth.models import Role, User, UserRole
from app.auth.services import hash_password
from app.bench import BENCH_EMAIL_DOMAIN
from app.bench.text import TOPIC_WORDS, comment_text, person_name, proposal_text
from app.comments.models import Comment
from app.core import utcnow
from app.districts import DISTRICT_CODES
from app.extensions import db
from app.proposals.choices import seed_fields_and_topics
from app.proposals.models import Field, Proposal, ProposalStatus, Topic, proposal_topic_links

HISTORY_DAYS = 548  # eighteen months of proposals
COMMENT_TEXTS = 20_000  # distinct comment bodies; each comment picks one
HOT_COMMENTS = (2_000, 3_000)  # comments on each of the --hot proposals
FORUM_THRESHOLD, ANSWER_THRESHOLD = 100, 1000
# Final answers only: a proposal "under review" has no answered_at (app/proposals/models.py:apply_answer).
ANSWER_STATUSES = ["adopted", "partly_adopted", "not_adopted", "done"]
DEPARTMENTS = ["교통정책과", "자원순환과", "안전총괄과", "노인복지과"]


@dataclass
class BenchSize:
    proposals: int = 100_000
    supports: int = 2_000_000
    comments: int = 1_000_000
    hot: int = 20
    users: int = 50_000


@dataclass
class ProposalPlan:
    proposal_id: int
    created: datetime
    supports: int
    support_offset: int  # supporters are consecutive bench users (mod --users) from this offset: unique
    comments: int
    comment_offset: int  # this proposal's comments take ids comment_base + offset + 0..comments-1


def bench_data_present() -> bool:
    return db.session.scalar(select(User.id).where(User.email.like(f"%@{BENCH_EMAIL_DOMAIN}")).limit(1)) is not None


def seed_bench(size: BenchSize, echo: Callable[[str], None] = print, seed: int = 2026) -> dict[str, int]:
    """Load the bench data in the session's transaction (the caller commits). Returns row counts."""
    if size.supports > size.users * size.proposals:
        raise ValueError("more supports than users × proposals: supports are unique per user and proposal")
    rng = random.Random(seed)
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        for pragma in ("synchronous=OFF", "cache_size=-400000", "temp_store=MEMORY"):
            connection.exec_driver_sql(f"PRAGMA {pragma}")
    step = _stepper(echo)

    seed_fields_and_topics()
    fields = dict(db.session.execute(select(Field.slug, Field.id)).all())
    topics = dict(db.session.execute(select(Topic.slug, Topic.id)).all())
    now = utcnow().replace(microsecond=0)

    user_base = _next_id(User.id)
    staff_id = user_base + size.users
    _insert_users(connection, rng, size.users, user_base, staff_id, now)
    step("users", size.users + 1)

    plans = _plan(rng, size, _next_id(Proposal.id), now)
    _insert_proposals(connection, rng, plans, user_base, size.users, fields, topics, now)
    step("proposals (and their topic links)", len(plans))

    _create_plan_table(connection, plans, now)
    comment_base = _next_id(Comment.id)
    numbers = _number_source(connection, max([p.supports for p in plans] + [p.comments for p in plans] + [1]))
    params = {"user_base": user_base, "users": size.users, "comment_base": comment_base, "texts": COMMENT_TEXTS,
              "false": False}
    _create_comment_texts(connection, rng)

    connection.execute(text(f"""
        INSERT INTO proposal_supports (proposal_id, user_id, created_at)
        SELECT p.proposal_id, :user_base + (p.support_offset + s.k) % :users,
               {_timestamp(dialect, "p.created_epoch + (s.k + 1) * p.support_step")}
        FROM bench_plan p {numbers.format(count="p.supports")}"""), params)
    step("supports", size.supports)

    comment_id = "(:comment_base + p.comment_offset + s.k)"
    # Within a proposal, comment k is: k % 5 == 0 or 3 top level; 1 and 4 reply to the one before
    # (depth 1); 2 replies to 1 (depth 2). Threads three levels deep, as the comments package allows.
    connection.execute(text(f"""
        INSERT INTO comments (id, target_type, target_id, parent_id, root_id, depth, author_id, body, stance,
                              created_at, hidden, review_pending)
        SELECT {comment_id}, 'proposal', p.proposal_id,
               CASE WHEN s.k % 5 IN (1, 2, 4) THEN {comment_id} - 1 END,
               CASE s.k % 5 WHEN 1 THEN {comment_id} - 1 WHEN 2 THEN {comment_id} - 2
                            WHEN 4 THEN {comment_id} - 1 END,
               CASE s.k % 5 WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 4 THEN 1 ELSE 0 END,
               :user_base + ({comment_id} * 7) % :users,
               t.body,
               CASE WHEN s.k % 5 IN (0, 3) THEN
                    CASE {comment_id} % 4 WHEN 0 THEN 'for' WHEN 1 THEN 'against' WHEN 2 THEN 'neutral' END END,
               {_timestamp(dialect, "p.created_epoch + (s.k + 1) * p.comment_step")},
               :false, :false
        FROM bench_plan p {numbers.format(count="p.comments")}
        JOIN bench_comment_texts t ON t.n = (CAST({comment_id} AS BIGINT) * 7919) % :texts"""), params)
    step("comments", size.comments)

    proposal_base = plans[0].proposal_id if plans else 0
    connection.execute(text("""
        INSERT INTO proposal_follows (proposal_id, user_id, created_at)
        SELECT id, author_id, created_at FROM proposals WHERE id >= :base"""), {"base": proposal_base})
    departments = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(DEPARTMENTS))
    answers = connection.execute(text(f"""
        INSERT INTO proposal_answers (proposal_id, author_id, department, status, body, created_at, updated_at)
        SELECT id, :staff, CASE id % {len(DEPARTMENTS)} {departments} END, status,
               '제안해 주셔서 감사합니다. 관련 부서에서 검토한 결과를 알려 드립니다.', answered_at, answered_at
        FROM proposals WHERE id >= :base AND answered_at IS NOT NULL"""), {"staff": staff_id, "base": proposal_base})
    step("follows and official answers", len(plans) + answers.rowcount)

    connection.execute(text("""
        UPDATE proposals SET
          support_count = (SELECT count(*) FROM proposal_supports s WHERE s.proposal_id = proposals.id),
          comment_count = (SELECT count(*) FROM comments c WHERE c.target_type = 'proposal'
                           AND c.target_id = proposals.id AND c.deleted_at IS NULL)
        WHERE id >= :base"""), {"base": proposal_base})
    step("counters", len(plans))

    for table in ("bench_plan", "bench_comment_texts", "bench_numbers"):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    if dialect == "postgresql":
        for table in ("users", "proposals", "comments", "proposal_answers"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    else:
        connection.exec_driver_sql("ANALYZE")  # PostgreSQL: VACUUM ANALYZE after the commit (bench command)
    step("sequences and planner statistics", 0)
    return {"users": size.users + 1, "proposals": len(plans), "supports": size.supports, "comments": size.comments,
            "answers": answers.rowcount}


def _stepper(echo: Callable[[str], None]) -> Callable[[str, int], None]:
    started = last = time.perf_counter()

    def step(label: str, rows: int) -> None:
        nonlocal last
        now = time.perf_counter()
        echo(f"  {label}: {rows:,} rows in {now - last:.1f} s (total {now - started:.1f} s)")
        last = now

    return step


def _next_id(column) -> int:
    return (db.session.scalar(select(func.max(column))) or 0) + 1


def _epoch(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple())


def _timestamp(dialect: str, epoch_expression: str) -> str:
    """SQL for a naive UTC timestamp from epoch seconds, in the format the ORM writes."""
    if dialect == "postgresql":
        return f"(to_timestamp({epoch_expression}) AT TIME ZONE 'UTC')"
    return f"strftime('%Y-%m-%d %H:%M:%S.000000', {epoch_expression}, 'unixepoch')"


def _insert_users(connection, rng: random.Random, count: int, base: int, staff_id: int, now: datetime) -> None:
    password_hash = hash_password("bench-password")  # hashed once: argon2 is slow on purpose
    rows = [{"id": base + i, "email": f"bench{i}@{BENCH_EMAIL_DOMAIN}", "password_hash": password_hash,
             "display_name": person_name(rng), "district": rng.choice(DISTRICT_CODES),
             "birth_year": rng.randint(1940, 2005), "is_city_employee": False, "active": True,
             "created_at": now - timedelta(days=HISTORY_DAYS + 30)} for i in range(count)]
    rows.append({**rows[0], "id": staff_id, "email": f"bench-staff@{BENCH_EMAIL_DOMAIN}", "display_name": "담당자",
                 "is_city_employee": True})
    connection.execute(insert(User.__table__), rows)
    roles = [{"user_id": row["id"], "role": Role.RESIDENT} for row in rows[:-1]]
    roles.append({"user_id": staff_id, "role": Role.STAFF})
    connection.execute(insert(UserRole.__table__), roles)


def _spread(rng: random.Random, total: int, weights: list[float], cap: int) -> list[int]:
    """Integers proportional to ``weights``, each at most ``cap``, summing to exactly ``total``."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        counts = [0] * len(weights)
    else:
        counts = [min(cap, int(w * total / weight_sum)) for w in weights]
    eligible = [i for i, w in enumerate(weights) if w > 0]
    missing = total - sum(counts)
    if missing > sum(cap - counts[i] for i in eligible):
        raise ValueError(f"cannot spread {total:,} rows over {len(eligible):,} proposals at most {cap:,} each")
    while missing > 0:
        i = rng.choice(eligible)
        if counts[i] < cap:
            counts[i] += 1
            missing -= 1
    return counts


def _plan(rng: random.Random, size: BenchSize, proposal_base: int, now: datetime) -> list[ProposalPlan]:
    """When each proposal was made and how many supports and comments it gets (ids follow time)."""
    seconds = HISTORY_DAYS * 86400
    created = sorted(now - timedelta(seconds=rng.randrange(3600, seconds)) for _ in range(size.proposals))
    supports = _spread(rng, size.supports, [rng.paretovariate(1.1) for _ in created], size.users)
    hot = set(rng.sample(range(size.proposals), size.hot))
    hot_each = min(rng.randint(*HOT_COMMENTS), size.comments // max(1, 2 * size.hot)) if size.hot else 0
    weights = [0.0 if i in hot or rng.random() < 0.4 else rng.paretovariate(1.3) for i in range(size.proposals)]
    if not any(weights):
        weights = [0.0 if i in hot else 1.0 for i in range(size.proposals)]
    comments = _spread(rng, size.comments - hot_each * size.hot, weights,
                       max(1, min(HOT_COMMENTS[0] - 1, size.comments)))
    for i in hot:
        comments[i] = hot_each
    plans, offset = [], 0
    for i, moment in enumerate(created):
        plans.append(ProposalPlan(proposal_base + i, moment, supports[i], rng.randrange(size.users), comments[i],
                                  offset))
        offset += comments[i]
    return plans


def _status(rng: random.Random, plan: ProposalPlan, now: datetime) -> dict:
    """Lifecycle fields consistent with the support count, like the thresholds would have made them."""
    age = now - plan.created
    values = {"status": ProposalStatus.OPEN, "forum_at": None, "answer_due_at": None, "answered_at": None,
              "withdrawn_at": None}
    if plan.supports >= FORUM_THRESHOLD:
        values["forum_at"] = plan.created + age * 0.2
        values["status"] = ProposalStatus.FORUM
    if plan.supports >= ANSWER_THRESHOLD:
        values["answer_due_at"] = plan.created + age * 0.3 + timedelta(days=30)
    roll = rng.random()
    if roll < 0.02 and plan.supports < ANSWER_THRESHOLD:
        values.update(status=ProposalStatus.WITHDRAWN, withdrawn_at=plan.created + age * 0.5)
    elif (plan.supports >= ANSWER_THRESHOLD and roll < 0.8) or roll > 0.92:
        values.update(status=ProposalStatus(rng.choice(ANSWER_STATUSES)),
                      answered_at=plan.created + age * rng.uniform(0.4, 0.95))
    for key in ("forum_at", "answer_due_at", "answered_at", "withdrawn_at"):
        if values[key] is not None:
            values[key] = min(values[key], now).replace(microsecond=0)
    return values


def _insert_proposals(connection, rng: random.Random, plans: list[ProposalPlan], user_base: int, users: int,
                      fields: dict[str, int], topics: dict[str, int], now: datetime, batch: int = 10_000) -> None:
    topic_slugs = list(TOPIC_WORDS)
    for start in range(0, len(plans), batch):
        rows, links = [], []
        for plan in plans[start:start + batch]:
            chosen = rng.sample(topic_slugs, rng.choice((1, 1, 2, 3)))
            title, body = proposal_text(rng, chosen[0])
            field = TOPIC_WORDS[chosen[0]][0] if rng.random() < 0.8 else rng.choice(list(fields))
            hidden = rng.random() < 0.003
            rows.append({
                "id": plan.proposal_id, "title": title, "body": body, "field_id": fields[field],
                "author_id": user_base + rng.randrange(users),
                "district": rng.choice(DISTRICT_CODES) if rng.random() < 0.9 else None,
                "support_count": 0, "comment_count": 0, "created_at": plan.created,
                "hidden": hidden, "review_pending": False, "hidden_reason": "욕설이 포함되어 숨김" if hidden else None,
                **_status(rng, plan, now),
            })
            links.extend({"proposal_id": plan.proposal_id, "topic_id": topics[slug]} for slug in chosen)
        connection.execute(insert(Proposal.__table__), rows)
        connection.execute(insert(proposal_topic_links), links)


def _create_plan_table(connection, plans: list[ProposalPlan], now: datetime) -> None:
    connection.exec_driver_sql("""
        CREATE TEMPORARY TABLE bench_plan (
          proposal_id INTEGER PRIMARY KEY, created_epoch BIGINT, supports INTEGER, support_offset INTEGER,
          support_step INTEGER, comments INTEGER, comment_offset INTEGER, comment_step INTEGER)""")
    now_epoch = _epoch(now)
    rows = []
    for plan in plans:
        created = _epoch(plan.created)
        rows.append({"proposal_id": plan.proposal_id, "created_epoch": created, "supports": plan.supports,
                     "support_offset": plan.support_offset,
                     "support_step": max(1, (now_epoch - created) // (plan.supports + 1)),
                     "comments": plan.comments, "comment_offset": plan.comment_offset,
                     "comment_step": max(1, (now_epoch - created) // (plan.comments + 1))})
    if rows:
        connection.execute(text("""
            INSERT INTO bench_plan VALUES (:proposal_id, :created_epoch, :supports, :support_offset, :support_step,
                                           :comments, :comment_offset, :comment_step)"""), rows)


def _create_comment_texts(connection, rng: random.Random) -> None:
    connection.exec_driver_sql("CREATE TEMPORARY TABLE bench_comment_texts (n INTEGER PRIMARY KEY, body TEXT)")
    connection.execute(text("INSERT INTO bench_comment_texts VALUES (:n, :body)"),
                       [{"n": n, "body": comment_text(rng)} for n in range(COMMENT_TEXTS)])


def _number_source(connection, largest: int) -> str:
    """A FROM-clause fragment joining each plan row to the numbers 0 .. {count} - 1."""
    if connection.dialect.name == "postgresql":
        return "CROSS JOIN LATERAL generate_series(0, {count} - 1) AS s(k)"
    connection.exec_driver_sql("CREATE TEMPORARY TABLE bench_numbers (k INTEGER PRIMARY KEY)")
    connection.execute(text("""
        WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < :largest)
        INSERT INTO bench_numbers SELECT k FROM seq"""), {"largest": largest})
    return "CROSS JOIN bench_numbers s ON s.k < {count}"
