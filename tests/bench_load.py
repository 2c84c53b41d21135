"""The load mode of the benchmark (`make bench LOAD=1`, or `python -m tests.bench_load`).

Starts the production server (gunicorn with gunicorn.conf.py, MAEUL_CONFIG=production, 2 workers)
on the bench data of the configured database, and puts 8 concurrent connections on each main page:
the proposal list with filters, a proposal with 2,000+ comments, search, and the API list. Beside
each, a bare Flask page of the same size served the same way (tests/bench_bare.py) is the baseline.
Then the scale-out check: 1 node of 1 worker against 2 nodes of 1 worker each on the proposal list.
Reports requests/s, p50/p95/p99 and SQL statements per request (counted once per URL in-process),
and exits 1 when a page is below its target share of the bare page's requests/s (lists and detail a
third, search a fifth) or two nodes serve less than 1.8 times one node.

On a shared machine the load generator (threads in this process) competes with the servers for the
same cores: read the figures as this machine's, at the time printed with its load average.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select

from tests.serving import BIN, PRODUCTION_ENV, ROOT, free_port, request

TARGETS = {"proposal list, filters": 1 / 3, "proposal, 2,000+ comments": 1 / 3, "search": 1 / 5, "API list": 1 / 3}
SCALE_OUT_TARGET = 1.8


@dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


class Gunicorn:
    def __init__(self, app_spec: str | None, workers: int, log_dir: Path, env: dict):
        self.port = free_port()
        environment = {**os.environ, **PRODUCTION_ENV, **env, "BIND": f"127.0.0.1:{self.port}",
                       "WEB_CONCURRENCY": str(workers)}
        self.log = open(log_dir / f"gunicorn-{self.port}.log", "wb")
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"] + ([app_spec] if app_spec else [])
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request("GET", f"{self.base}/healthz" if app_spec is None else f"{self.base}/bytes/1")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def load(bases: list[str], paths: list[str], headers: dict, *, connections: int, seconds: float) -> Load:
    """`connections` threads, each with one request in flight at a time, for `seconds` (after 1 s warm-up)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]
    record_from = [0.0]

    def worker(offset: int):
        i = offset
        while True:
            now = time.perf_counter()
            if now >= stop_at[0]:
                return
            url = bases[i % len(bases)] + paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _, _ = request("GET", url, headers=headers)
            except OSError:
                status = 0
            took = (time.perf_counter() - started) * 1000
            if started >= record_from[0]:
                with lock:
                    latencies.append(took)
                    if status != 200:
                        errors[0] += 1

    start = time.perf_counter()
    record_from[0] = start + 1.0
    stop_at[0] = record_from[0] + seconds
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(len(latencies), seconds, latencies, errors[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)

    from app import create_app
    from app.auth.models import User
    from app.auth.services import issue_api_token, revoke_token, token_record
    from app.bench import BENCH_EMAIL_DOMAIN
    from app.bench.seed import bench_data_present
    from app.extensions import db
    from app.proposals.choices import all_fields, all_topics
    from app.proposals.models import Proposal

    app = create_app()
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=True)
        if not bench_data_present():
            print(f"No bench data in {url}. Load it first: flask --app app seed bench", file=sys.stderr)
            return 2
        proposals = db.session.scalar(select(func.count()).select_from(Proposal))
        hot = db.session.execute(select(Proposal.id, Proposal.comment_count)
                                 .order_by(Proposal.comment_count.desc()).limit(1)).one()
        fields = [f.slug for f in all_fields()]
        topics = [t.slug for t in all_topics()]
        resident = db.session.scalar(select(User).where(User.email == f"bench1@{BENCH_EMAIL_DOMAIN}"))
        token = issue_api_token(resident)
        db.session.commit()
    q = urllib.parse.quote
    api = {"Authorization": f"Bearer {token}"}
    scenarios = [
        ("proposal list, filters", [f"/proposals/?field={fields[0]}&sort=supports", "/proposals/?status=forum",
                                    f"/proposals/?topic={topics[1]}&sort=comments", "/proposals/?district=baebang",
                                    "/proposals/?page=20"], {}),
        ("proposal, 2,000+ comments", [f"/proposals/{hot.id}"], {}),
        ("search", [f"/search?q={q(k)}" for k in ("주차", "가로등을", "버스 정류장", "쓰레기 무단투기")], {}),
        ("API list", ["/api/v1/proposals", "/api/v1/proposals?sort=supports",
                      f"/api/v1/proposals?field={fields[1]}&status=forum"], api),
    ]
    sizes, sql = _sizes_and_statements(app, scenarios)

    log_dir = ROOT / "instance" / "bench-load-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {"SECRET_KEY": os.environ.get("SECRET_KEY") or PRODUCTION_ENV["SECRET_KEY"],
           "RATELIMIT_STORAGE_URI": "memory://"}
    print(f"Database: {url}: {proposals:,} proposals; the busiest has {hot.comment_count:,} comments")
    print(f"{args.connections} connections, {args.seconds:.0f} s per run, gunicorn sync workers. "
          f"Load average before: {_load()}")
    print(f"{'page':<27} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'SQL/req':>7} {'bytes':>7} "
          f"{'bare r/s':>8} {'share':>6} {'target':>6}")
    below = []
    maeul = Gunicorn(None, 2, log_dir, env)
    bare = Gunicorn("tests.bench_bare:app", 2, log_dir, env)
    try:
        for name, paths, headers in scenarios:
            measured = load([maeul.base], paths, headers, connections=args.connections, seconds=args.seconds)
            size = int(statistics.median(sizes[name]))
            baseline = load([bare.base], [f"/bytes/{size}"], {}, connections=args.connections, seconds=args.seconds)
            share = measured.rps / baseline.rps if baseline.rps else 0.0
            ok = share >= TARGETS[name] and not measured.errors
            below += [] if ok else [name]
            print(f"{name:<27} {measured.rps:>7.1f} {measured.percentile(50):>7.0f} {measured.percentile(95):>7.0f} "
                  f"{measured.percentile(99):>7.0f} {statistics.median(sql[name]):>7.0f} {size:>7} "
                  f"{baseline.rps:>8.1f} {share:>6.0%} {TARGETS[name]:>6.0%}"
                  + ("" if not measured.errors else f"  {measured.errors} errors"), flush=True)
    finally:
        maeul.stop()
        bare.stop()

    list_paths, list_headers = scenarios[0][1], scenarios[0][2]
    one = Gunicorn(None, 1, log_dir, env)
    try:
        single = load([one.base], list_paths, list_headers, connections=args.connections, seconds=args.seconds)
    finally:
        one.stop()
    nodes = [Gunicorn(None, 1, log_dir, env) for _ in range(2)]
    try:
        double = load([n.base for n in nodes], list_paths, list_headers, connections=args.connections,
                      seconds=args.seconds)
    finally:
        for node in nodes:
            node.stop()
    factor = double.rps / single.rps if single.rps else 0.0
    print(f"scale-out, proposal list: 1 node x 1 worker {single.rps:.1f} req/s (p95 {single.percentile(95):.0f} ms); "
          f"2 nodes x 1 worker {double.rps:.1f} req/s (p95 {double.percentile(95):.0f} ms): {factor:.2f}x "
          f"(target {SCALE_OUT_TARGET}x)")
    print(f"Load average after: {_load()}")
    with app.app_context():
        revoke_token(token_record(token))
        db.session.commit()
    if below or factor < SCALE_OUT_TARGET:
        print(f"Below target: {', '.join(below) or 'none'}"
              + (f"; scale-out {factor:.2f}x" if factor < SCALE_OUT_TARGET else ""))
        return 1
    print("Every page meets its target.")
    return 0


def _sizes_and_statements(app, scenarios) -> tuple[dict, dict]:
    """Each page's size in bytes and SQL statements, requested once in-process (deterministic per URL)."""
    from app.extensions import db

    sizes: dict[str, list[int]] = {}
    statements: dict[str, list[int]] = {}
    count = [0]

    def on_execute(*_):
        count[0] += 1

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for name, paths, headers in scenarios:
            for path in paths:
                client.get(path, headers=headers)  # warm caches, as the servers' are after warm-up
                count[0] = 0
                response = client.get(path, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                sizes.setdefault(name, []).append(len(response.get_data()))
                statements.setdefault(name, []).append(count[0])
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return sizes, statements


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
