"""Schema-based fuzzing of the whole API (schemathesis): every documented operation gets valid and
invalid input generated from the OpenAPI document, sent through the WSGI app with a staff/admin
token, on the demo data. No answer may be a 5xx, every documented answer must match the document,
and no answer of 400 or more may leave rows behind.

Each operation is fuzzed three ways: valid input, invalid input (both with generated ids, mostly
404s), and valid input with the ids of real demo rows in the path (so the answers for existing
objects, e.g. a deleted comment without its author, are checked against the document too).

Bounded in time: MAEUL_FUZZ_EXAMPLES examples per operation and way (default 4, derandomized, so
the suite sees the same cases every run), and MAEUL_FUZZ_SECONDS of CPU time in all (operations left when the time is spent are not fuzzed on that
run; at least half must be). Run more locally with
MAEUL_FUZZ_EXAMPLES=200 MAEUL_FUZZ_RANDOM=1 MAEUL_FUZZ_SECONDS=3600."""
from __future__ import annotations

import os
import time
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import func, literal, select, union_all, update

from app.comments.models import Comment

from app.extensions import db, limiter
from app.seed import run_demo_seeders

EXAMPLES = int(os.environ.get("MAEUL_FUZZ_EXAMPLES", "4"))
SECONDS = float(os.environ.get("MAEUL_FUZZ_SECONDS", "150"))
RANDOM = os.environ.get("MAEUL_FUZZ_RANDOM") == "1"
ONLY = os.environ.get("MAEUL_FUZZ_ONLY", "")  # fuzz only the paths containing this text
# These end the token the fuzzer uses; their own tests cover them.
SKIP = {("DELETE", "/api/v1/me"), ("DELETE", "/api/v1/tokens/current")}
# Written on purpose by refused requests: failed sign-ins are logged for the account's owner.
MAY_GROW = {"access_logs"}
# Path parameters whose table is not simply the plural of their name.
TABLE_OF = {"batch_id": "payout_batches", "problem_id": "lab_problem_cards", "application_id": "lab_memberships"}


def _real_ids() -> dict[str, int]:
    """For each id path parameter, the newest row of its table."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    ids = {}
    for name in ("allowance_id", "application_id", "batch_id", "budget_id", "certificate_id", "comment_id",
                 "dataset_id", "lab_id", "membership_id", "policy_id", "problem_id", "proposal_id", "prototype_id",
                 "session_id", "step_id", "update_id", "user_id"):
        stem = name.removesuffix("_id")
        candidates = [TABLE_OF.get(name), f"{stem}s", f"{stem[:-1]}ies", f"lab_{stem}s", f"policy_{stem}s"]
        table = next((tables[c] for c in candidates if c in tables), None)
        if table is not None:
            newest = db.session.scalar(select(func.max(table.c.id)))
            if newest is not None:
                ids[name] = newest
    return ids


def _row_counts() -> dict[str, int]:
    tables = [t for t in db.metadata.sorted_tables if t.name not in MAY_GROW]
    query = union_all(*(select(literal(t.name).label("name"), func.count().label("n")).select_from(t) for t in tables))
    return dict(db.session.execute(query).all())


def test_the_api_answers_every_generated_request_without_5xx_and_as_documented(app, client, caplog):
    run_demo_seeders()
    # Deleted comments keep their place without author or text: answers must still match the document.
    db.session.execute(update(Comment).where(Comment.id % 2 == 0).values(deleted_at=func.now()))
    db.session.commit()
    real_ids = _real_ids()
    # The most commented proposal, so its thread (with deleted comments) is among the answers checked.
    real_ids["proposal_id"] = db.session.execute(
        select(Comment.target_id).where(Comment.target_type == "proposal").group_by(Comment.target_id)
        .order_by(func.count().desc(), Comment.target_id).limit(1)).scalar_one()
    token = client.post("/api/v1/tokens", json={"email": "admin@maeul.kr", "password": "maeul-demo-1234"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    limiter.enabled = False
    failures: list[str] = []
    deadline = time.process_time() + SECONDS  # CPU seconds: a busy machine slows the run, not cut it short
    operations = total = 0
    try:
        chosen = [op for op in (result.ok() for result in schema.get_all_operations())
                  if (op.method.upper(), op.path) not in SKIP and ONLY in op.path]
        # Start at a different operation each day, so a run cut short by the time budget skips others.
        start = date.today().toordinal() % len(chosen)
        for operation in chosen[start:] + chosen[:start]:
            total += 1
            if time.process_time() > deadline:
                continue  # bounded in time: on a busy machine the last operations wait for the next run
            operations += 1
            names = [p.name for p in operation.path_parameters]
            ways = [("valid", GenerationMode.POSITIVE, None), ("invalid", GenerationMode.NEGATIVE, None)]
            if names and all(name in real_ids for name in names):
                ways.append(("real ids", GenerationMode.POSITIVE, {name: real_ids[name] for name in names}))
            for way, mode, path in ways:
                found = _fuzz(operation, mode, headers, path)
                if found:
                    failures.append(f"{operation.method.upper()} {operation.path} ({way}): {found}")
    finally:
        limiter.enabled = True
    unchecked = [r.getMessage()[:300] for r in caplog.records if "reached the database unchecked" in r.getMessage()]
    assert not failures, "\n".join(failures)
    print(f"fuzzed {operations} of {total} operations")
    # Less than half within the budget means the fuzzing itself got slow, not the machine.
    assert operations > 0 and (ONLY or (total > 100 and operations >= total // 2)), (operations, total)
    assert not unchecked, "\n".join(unchecked)  # answered 422 only by the last-resort handler


def _fuzz(operation, mode, headers, path_parameters=None) -> str | None:
    problems: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(mode, path_parameters=path_parameters))
    def run(case):
        if problems:
            return
        writes = case.method.upper() != "GET"
        before = _row_counts() if writes else None
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except Exception as error:  # noqa: BLE001 - collect every kind of failed check
            problems.append(f"{response.status_code} {str(error)[:400]} | body sent: {str(case.body)[:200]} "
                            f"path {case.path_parameters} query {case.query}")
            db.session.rollback()
            return
        db.session.rollback()
        if writes and response.status_code >= 400:
            after = _row_counts()
            grown = {name: (before[name], after[name]) for name in after if after[name] != before[name]}
            if grown:
                problems.append(f"{response.status_code} left rows behind: {grown} | body {str(case.body)[:200]}")

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid value exists for a free-text path parameter
        pass
    except Exception as error:  # noqa: BLE001 - an exception out of the app is a 500 in production
        problems.append(f"exception: {type(error).__name__}: {str(error)[:400]}")
    return problems[0] if problems else None
