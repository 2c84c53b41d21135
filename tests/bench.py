"""The proposals benchmark (`make bench`, or `python -m tests.bench`).

Measures, with the Flask test client (no network), many requests of the proposal list with every
filter and sort (deep pages too), a proposal page with thousands of comments (first and "more"
pages), search, and the API, against the configured database (DATABASE_URL, or the SQLite file
under instance/) holding the data of `flask seed bench`. Prints p50/p95/max in milliseconds and
SQL statements per request for each scenario, and exits 1 if any p95 is above the budget.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/maeul_bench python -m tests.bench
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

BUDGET_MS = 100.0


@dataclass
class Scenario:
    name: str
    urls: list[str]
    headers: dict = field(default_factory=dict)
    client: str = "anonymous"  # or "resident"/"staff": a signed-in bench account


@dataclass
class Result:
    name: str
    timings: list[float]  # wall clock, ms
    cpu: list[float]  # this process's CPU time, ms: excludes waiting for a shared CPU (and PostgreSQL's own work)
    sql: list[float]  # wall-clock ms spent inside database calls
    queries: list[int]
    failures: list[str]

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.timings if values is None else values)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def build_scenarios(app, token: str) -> list[Scenario]:
    from app.comments.services import comment_page
    from app.extensions import db
    from app.proposals.choices import all_fields, all_topics
    from app.proposals.models import Proposal

    fields = [f.slug for f in all_fields()]
    topics = [t.slug for t in all_topics()]
    visible = db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.hidden.is_(False)))
    last_page = max(1, math.ceil(visible / 20))
    hot = list(db.session.scalars(select(Proposal.id).order_by(Proposal.comment_count.desc()).limit(3)))
    ordinary = db.session.scalar(select(Proposal.id).where(Proposal.comment_count.between(5, 30)).limit(1))
    cursors = []
    page = comment_page("proposal", hot[0])
    for _ in range(30):  # walk the hot thread: the 2nd and the 31st page of top-level comments
        if page.next_after is None:
            break
        cursors.append(page.next_after)
        page = comment_page("proposal", hot[0], after=page.next_after)
    more = [f"/proposals/{hot[0]}?after={c}" for c in (cursors[0], cursors[-1])] if cursors else []
    api = {"Authorization": f"Bearer {token}"}
    keywords = ["주차", "가로등을", "무단투기", "버스 정류장", "버스정류장", "독거노인 돌봄", "어린이 보호구역에",
                "CCTV 설치", "주차문제가", "쓰레기 무단투기"]
    return [
        # The home page: counts cached for STATS_CACHE_SECONDS after the first request, lists read fresh.
        Scenario("home anonymous", ["/"]),
        Scenario("home signed-in resident", ["/"], client="resident"),
        Scenario("list latest", ["/proposals/"]),
        Scenario("list sort supports/comments", ["/proposals/?sort=supports", "/proposals/?sort=comments"]),
        Scenario("list field (x3 sorts)", [f"/proposals/?field={f}&sort={s}" for f in fields[:4]
                                           for s in ("latest", "supports", "comments")]),
        Scenario("list topic (x3 sorts)", [f"/proposals/?topic={t}&sort={s}" for t in topics[:4]
                                           for s in ("latest", "supports", "comments")]),
        Scenario("list status", [f"/proposals/?status={s}&sort={o}" for s in ("forum", "adopted", "under_review",
                                                                             "withdrawn", "open")
                                 for o in ("latest", "supports")]),
        Scenario("list district", [f"/proposals/?district={d}&sort={s}" for d in ("baebang", "onyang3", "dogo")
                                   for s in ("latest", "supports", "comments")]),
        Scenario("list answered yes/no", ["/proposals/?answered=1", "/proposals/?answered=0",
                                          "/proposals/?answered=1&sort=supports"]),
        Scenario("list combined filters", [
            f"/proposals/?field={fields[1]}&status=forum&sort=supports",
            f"/proposals/?topic={topics[3]}&district=baebang&sort=comments",
            f"/proposals/?field={fields[0]}&topic={topics[0]}&answered=0&district=onyang1",
            f"/proposals/?status=adopted&answered=1&field={fields[3]}&sort=supports"]),
        Scenario("list keyword q", [f"/proposals/?q={k}" for k in keywords[:6]]
                 + [f"/proposals/?q={keywords[0]}&sort=supports", f"/proposals/?q={keywords[3]}&field=transport"]),
        Scenario("list deep pages", ["/proposals/?page=50", "/proposals/?page=500", "/proposals/?page=2500",
                                     f"/proposals/?page={last_page}", "/proposals/?sort=supports&page=1000",
                                     f"/proposals/?field={fields[1]}&page=300"]),
        Scenario("list signed-in resident", ["/proposals/", "/proposals/?sort=supports",
                                             f"/proposals/?field={fields[2]}", "/proposals/?page=500"],
                 client="resident"),
        Scenario("list signed-in staff", ["/proposals/", "/proposals/?sort=supports", f"/proposals/?field={fields[2]}",
                                          "/proposals/?status=forum&sort=supports"], client="staff"),
        Scenario("proposal 2000+ comments", [f"/proposals/{p}" for p in hot]),
        Scenario("proposal comments more", more),
        Scenario("proposal ordinary", [f"/proposals/{ordinary}"] if ordinary else []),
        Scenario("search page", [f"/search?q={k}" for k in keywords] + [f"/search?q={keywords[0]}&page=5"]),
        # a sentence with an ending no text has, a single syllable, a typo (the suggestion), most of the words
        Scenario("search fallbacks", [f"/search?q={k}" for k in ("주차장이 없어요", "물", "쓰래기", "가로등 수영장",
                                                                 "버스가 너무 늦게 와요")]),
        Scenario("api list", ["/api/v1/proposals", "/api/v1/proposals?sort=supports&per_page=100",
                              f"/api/v1/proposals?field={fields[0]}&status=forum",
                              f"/api/v1/proposals?topic={topics[1]}&sort=comments", "/api/v1/proposals?page=2000",
                              f"/api/v1/proposals?q={keywords[3]}"], headers=api),
        Scenario("api comments", [f"/api/v1/proposals/{hot[0]}/comments"]
                 + [f"/api/v1/proposals/{hot[0]}/comments?after={c}" for c in cursors[:1]], headers=api),
        Scenario("api search", [f"/api/v1/search?q={k}" for k in keywords[:5]], headers=api),
    ]


def run(scenarios: list[Scenario], clients: dict, engine, rounds: int) -> list[Result]:
    statements: list[float] = []  # each statement's duration (search counts run on a thread of their own)

    def on_start(conn, cursor, statement, parameters, context, executemany):
        context.bench_started = time.perf_counter()

    def on_finish(conn, cursor, statement, parameters, context, executemany):
        statements.append(time.perf_counter() - context.bench_started)

    event.listen(engine, "before_cursor_execute", on_start)
    event.listen(engine, "after_cursor_execute", on_finish)
    results = []
    try:
        for scenario in scenarios:
            client = clients[scenario.client]
            result = Result(scenario.name, [], [], [], [], [])
            for url in scenario.urls:  # one unmeasured request per URL: templates compile, caches fill
                client.get(url, headers=scenario.headers)
            for _ in range(rounds):
                for url in scenario.urls:
                    statements.clear()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = client.get(url, headers=scenario.headers)
                    result.timings.append((time.perf_counter() - started) * 1000)
                    result.cpu.append((time.process_time() - cpu_started) * 1000)
                    result.queries.append(len(statements))
                    result.sql.append(sum(statements) * 1000)
                    if response.status_code != 200:
                        result.failures.append(f"{url} -> {response.status_code}")
            results.append(result)
            print(_row(result), flush=True)
    finally:
        event.remove(engine, "before_cursor_execute", on_start)
        event.remove(engine, "after_cursor_execute", on_finish)
    return results


def _row(result: Result) -> str:
    if not result.timings:
        return f"{result.name:<30} (no data for this scenario)"
    flag = " SLOW" if result.percentile(95) > BUDGET_MS else ""
    flag += f" FAILED {len(result.failures)}: {result.failures[0]}" if result.failures else ""
    queries = f"{min(result.queries)}-{max(result.queries)}" if min(result.queries) != max(result.queries) \
        else str(result.queries[0])
    return (f"{result.name:<30} {len(result.timings):>5} {statistics.median(result.timings):>8.1f} "
            f"{result.percentile(95):>8.1f} {max(result.timings):>8.1f} {statistics.median(result.cpu):>8.1f} "
            f"{result.percentile(95, result.cpu):>8.1f} {statistics.median(result.sql):>8.1f} {queries:>8}{flag}")


def _load() -> str:
    """The machine's load: other processes on a shared machine inflate wall-clock times."""
    import os

    return " ".join(f"{value:.1f}" for value in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="times each URL of a scenario is requested")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    parser.add_argument("--walking", action="store_true",
                        help="run the walking benchmark (100,000 residents) in a scratch database instead")
    args = parser.parse_args(argv)
    if args.walking:
        return walking_main()

    from app import create_app
    from app.auth.models import User
    from app.auth.services import issue_api_token, revoke_token, token_record
    from app.bench import BENCH_EMAIL_DOMAIN
    from app.bench.seed import bench_data_present
    from app.extensions import db

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False  # the harness signs in through the real form without a browser
    with app.app_context():
        url, engine = db.engine.url.render_as_string(hide_password=True), db.engine
        if not bench_data_present():
            print(f"No bench data in {url}. Load it first (a few minutes):\n"
                  f"    flask --app app seed bench\nthen run this again.", file=sys.stderr)
            return 2
        resident = db.session.scalar(select(User).where(User.email == f"bench1@{BENCH_EMAIL_DOMAIN}"))
        email, token = resident.email, issue_api_token(resident)
        db.session.commit()
        scenarios = [s for s in build_scenarios(app, token) if args.only in s.name]
    # Requests run outside any application context, so that each gets its own context and database
    # session, as in production (a shared context would serve objects from one identity map).
    clients = {"anonymous": app.test_client(), "resident": app.test_client(), "staff": app.test_client()}
    for name, account in (("resident", email), ("staff", f"bench-staff@{BENCH_EMAIL_DOMAIN}")):
        signed_in = clients[name].post("/login", data={"email": account, "password": "bench-password"})
        if signed_in.status_code != 302:
            print(f"Could not sign in the bench {name}: {signed_in.status_code}", file=sys.stderr)
            return 2
    print(f"Database: {url}  (budget: p95 <= {BUDGET_MS:.0f} ms, {args.rounds} rounds per URL)")
    print(f"Load average before: {_load()}")
    print(f"{'scenario':<30} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p95':>8} "
          f"{'sql p50':>8} {'queries':>8}")
    results = run(scenarios, clients, engine, args.rounds)
    print(f"Load average after: {_load()}")
    with app.app_context():
        revoke_token(token_record(token))
        db.session.commit()
    slow = [r.name for r in results if r.timings and r.percentile(95) > BUDGET_MS]
    failed = [r.name for r in results if r.failures]
    if slow or failed:
        print(f"Over budget: {', '.join(slow) or 'none'}; failed requests: {', '.join(failed) or 'none'}")
        return 1
    print("Every scenario is within budget.")
    return 0


def scratch_database(base_url: str):
    """A database URL for the walking bench and a function that removes it. Made here, before anything
    imports the app: config.py reads DATABASE_URL once, when it is imported."""
    import os
    import tempfile

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not base_url or base_url.startswith("sqlite"):
        folder = tempfile.mkdtemp(prefix="maeul-walkbench-")

        def remove_folder():
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)

        return f"sqlite:///{os.path.join(folder, 'walk.db')}", remove_folder
    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_walkbench"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def walking_main() -> int:
    """Step imports and crediting at city scale, in a scratch database (app/bench/walking.py)."""
    import os

    url, remove = scratch_database(os.environ.get("DATABASE_URL", ""))
    os.environ["DATABASE_URL"] = url  # before the app (and config.py) is imported
    try:
        from app import create_app
        from app.bench import walking
        from app.extensions import db

        app = create_app()
        print(f"Walking bench in a scratch database: {make_safe(url)}")
        print(f"Load average before: {_load()}")
        figures = walking.measure(app)
        print(f"Load average after: {_load()}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        remove()
    slow = [name for name, seconds in figures.items() if seconds > walking.BUDGET_SECONDS]
    if slow:
        print(f"Over {walking.BUDGET_SECONDS:.0f} s: {', '.join(slow)}")
        return 1
    print(f"Every walking figure is under {walking.BUDGET_SECONDS:.0f} s.")
    return 0


def make_safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
