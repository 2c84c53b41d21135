"""The load mode of the benchmark (`make bench LOAD=1`, or `python -m tests.bench_load`).

Starts the production server (gunicorn with gunicorn.conf.py, MAEUL_CONFIG=production, 2 workers)
on the bench data of the configured database, with its page cache (app/ops/cache.py) as production
has it, or without (--no-page-cache: what rendering costs), and puts 8 concurrent connections on each main page:
the proposal list with filters, a proposal with 2,000+ comments, search, and the API list. Beside
each, a bare Flask page of the same size served the same way (tests/bench_bare.py) is the baseline.
Then the scale-out check: 1 node of 1 worker against 2 nodes of 1 worker each on the proposal list,
as served and rendered (the target is judged on rendering: see main()).
Reports requests/s, p50/p95/p99 and SQL statements per request (counted once per URL in-process),
and exits 1 when a page is below its target share of the bare page's requests/s (lists and detail a
third, search a fifth) or two nodes serve less than 1.8 times one node.

The load generator is wrk (C, one event-loop thread; `apt-get install wrk`): Python threads in this
process took most of a core from the servers they measured. Its CPU time is printed ("wrk CPU", share
of one core), and so is the servers' own CPU time per request ("CPU ms", from /proc, master and
workers), which unlike requests/s does not depend on what else the machine is doing. On a shared
machine read requests/s as this machine's, at the time printed with its load average.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, select

from tests.serving import BIN, PRODUCTION_ENV, ROOT, free_port, request

WRK = shutil.which("wrk") or "/usr/bin/wrk"

TARGETS = {"proposal list, filters": 1 / 3, "proposal, 2,000+ comments": 1 / 3, "search": 1 / 5, "API list": 1 / 3}
SCALE_OUT_TARGET = 1.8


@dataclass
class Load:
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    generator_cpu: float  # seconds of CPU the load generator (wrk) used
    server_cpu: float  # seconds of CPU the measured servers' processes used

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def server_ms_per_request(self) -> float:
        return self.server_cpu * 1000 / self.requests if self.requests else float("nan")


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

    def cpu_seconds(self) -> float:
        """CPU used so far by the master, its live workers and the workers it has reaped (recycled)."""
        total = _process_cpu(self.process.pid, with_children=True)
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            total += _process_cpu(int(pid))
        return total

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid: int, with_children: bool = False) -> float:
    """utime + stime (and the reaped children's) of a process from /proc, in seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    # After the ")" field 3 (state) is index 0: utime, stime, cutime, cstime are fields 14-17.
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_children else 0)
    return ticks / _TICKS


_WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load(servers: list[Gunicorn], paths: list[str], headers: dict, *, connections: int, seconds: float,
         log_dir: Path) -> Load:
    """wrk (one thread, `connections` connections, one request in flight on each) against each server at
    once, the connections split evenly between them as a load balancer would; 1 s of warm-up first.

    wrk is C with an event loop: it takes a few per cent of one core where Python threads took most of
    one, and its own CPU time is measured (generator_cpu) so a report can show what it took."""
    script = log_dir / f"wrk-{os.getpid()}.lua"
    script.write_text(_WRK_SCRIPT % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "headers": ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()),
    })
    share = max(1, connections // len(servers))

    def run(duration: float) -> tuple[list[str], float]:
        processes = [subprocess.Popen([WRK, "-t1", f"-c{share}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
                                       "-s", str(script), server.base], stdout=subprocess.PIPE, text=True)
                     for server in servers]
        outputs, cpu = [], 0.0
        for process in processes:
            assert process.stdout is not None
            outputs.append(process.stdout.read())
            process.stdout.close()
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            cpu += usage.ru_utime + usage.ru_stime
            if process.returncode:
                raise RuntimeError(f"wrk failed: {outputs[-1]}")
        return outputs, cpu

    try:
        run(1)
        before = sum(server.cpu_seconds() for server in servers)
        outputs, generator_cpu = run(seconds)
        server_cpu = sum(server.cpu_seconds() for server in servers) - before
    finally:
        script.unlink()
    results = []
    for output in outputs:
        line = next(line for line in output.splitlines() if line.startswith("WRK "))
        results.append([int(v) for v in line.split()[1:]])
    total = sum(r[0] for r in results)
    duration = max(r[1] for r in results) / 1e6
    # Percentiles of several generators cannot be merged exactly: the worst node's is reported.
    p50, p95, p99 = (max(r[i] for r in results) / 1000 for i in (3, 4, 5))
    return Load(total, duration, p50, p95, p99, sum(r[2] for r in results), generator_cpu, server_cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--no-page-cache", action="store_true",
                        help="serve every page uncached (PAGE_CACHE_SECONDS=0): what rendering costs")
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
    if not Path(WRK).exists():
        print("The load mode needs wrk (Debian/Ubuntu: apt-get install wrk).", file=sys.stderr)
        return 2
    env = {"SECRET_KEY": os.environ.get("SECRET_KEY") or PRODUCTION_ENV["SECRET_KEY"],
           "RATELIMIT_STORAGE_URI": "memory://",
           # Its own content version in a shared Redis (when REDIS_URL is set), apart from any other run.
           "RATELIMIT_KEY_PREFIX": f"bench-load-{os.getpid()}"}
    if args.no_page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    cache = _cache_mode(app, env)
    print(f"Database: {url}: {proposals:,} proposals; the busiest has {hot.comment_count:,} comments")
    print(f"{args.connections} connections (wrk, 1 thread), {args.seconds:.0f} s per run, gunicorn sync workers, "
          f"page cache {cache}. Load average before: {_load()}")
    print(f"{'page':<27} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'SQL':>4} {'bytes':>7} {'CPU ms':>7} "
          f"{'bare r/s':>8} {'bare ms':>7} {'share':>6} {'target':>6} {'wrk CPU':>7}")
    below = []
    maeul = Gunicorn(None, 2, log_dir, env)
    bare = Gunicorn("tests.bench_bare:app", 2, log_dir, env)
    try:
        for name, paths, headers in scenarios:
            measured = load([maeul], paths, headers, connections=args.connections, seconds=args.seconds,
                            log_dir=log_dir)
            size = int(statistics.median(sizes[name]))
            baseline = load([bare], [f"/bytes/{size}"], {}, connections=args.connections, seconds=args.seconds,
                            log_dir=log_dir)
            share = measured.rps / baseline.rps if baseline.rps else 0.0
            ok = share >= TARGETS[name] and not measured.errors
            below += [] if ok else [name]
            wrk_share = (measured.generator_cpu + baseline.generator_cpu) / (measured.seconds + baseline.seconds)
            print(f"{name:<27} {measured.rps:>7.1f} {measured.p50:>6.1f} {measured.p95:>6.1f} {measured.p99:>6.1f} "
                  f"{statistics.median(sql[name]):>4.0f} {size:>7} {measured.server_ms_per_request:>7.2f} "
                  f"{baseline.rps:>8.1f} {baseline.server_ms_per_request:>7.2f} {share:>6.0%} {TARGETS[name]:>6.0%} "
                  f"{wrk_share:>7.1%}"
                  + ("" if not measured.errors else f"  {measured.errors} errors"), flush=True)
    finally:
        maeul.stop()
        bare.stop()

    # Scale-out on the proposal list, as served (cache on unless --no-page-cache) and rendered (cache off).
    # The target is judged on rendering: a cached hit costs a node about as little CPU as wrk spends making
    # the request, so on these 2 cores two cached nodes share them with a generator that needs a quarter
    # of one; rendering leaves the cores to the nodes and shows whether they share a bottleneck.
    list_paths, list_headers = scenarios[0][1], scenarios[0][2]
    factors = {}
    for mode, mode_env in (("as served", env), ("rendered", {**env, "PAGE_CACHE_SECONDS": "0"})):
        if mode == "as served" and args.no_page_cache:
            continue
        single, double = (_scale_out_run(nodes, list_paths, list_headers, args, log_dir, mode_env) for nodes in (1, 2))
        factors[mode] = double.rps / single.rps if single.rps else 0.0
        print(f"scale-out, proposal list {mode}: 1 node x 1 worker {single.rps:.1f} req/s (p95 {single.p95:.0f} ms, "
              f"{single.server_ms_per_request:.2f} ms CPU a request); 2 nodes x 1 worker {double.rps:.1f} req/s "
              f"(p95 {double.p95:.0f} ms, {double.server_ms_per_request:.2f} ms CPU a request): "
              f"{factors[mode]:.2f}x (target {SCALE_OUT_TARGET}x on rendering); "
              f"wrk used {double.generator_cpu / double.seconds:.1%} of a core", flush=True)
    factor = factors["rendered"]
    print(f"Load average after: {_load()}")
    with app.app_context():
        revoke_token(token_record(token))
        db.session.commit()
        if os.environ.get("REDIS_URL"):  # the servers' content version, of no use after this run
            from app.ops.redis import redis_client

            redis_client().delete(f"{env['RATELIMIT_KEY_PREFIX']}:content-version")
    if below or factor < SCALE_OUT_TARGET:
        print(f"Below target: {', '.join(below) or 'none'}"
              + (f"; scale-out {factor:.2f}x" if factor < SCALE_OUT_TARGET else ""))
        return 1
    print("Every page meets its target.")
    return 0


def _scale_out_run(nodes: int, paths: list[str], headers: dict, args, log_dir: Path, env: dict) -> Load:
    servers = [Gunicorn(None, 1, log_dir, env) for _ in range(nodes)]
    try:
        return load(servers, paths, headers, connections=args.connections, seconds=args.seconds, log_dir=log_dir)
    finally:
        for server in servers:
            server.stop()


def _sizes_and_statements(app, scenarios) -> tuple[dict, dict]:
    """Each page's size in bytes and SQL statements, requested once in-process (deterministic per URL)."""
    from app.extensions import db

    sizes: dict[str, list[int]] = {}
    statements: dict[str, list[int]] = {}
    count = [0]

    def on_execute(*_):
        count[0] += 1

    client = app.test_client()
    app.config["PAGE_CACHE_SECONDS"] = 0  # the statements of rendering the page, not of a cache hit
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


def _cache_mode(app, env: dict) -> str:
    if env.get("PAGE_CACHE_SECONDS") == "0":
        return "off (--no-page-cache)"
    if os.environ.get("REDIS_URL"):
        return "on (content version in Redis)"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return "on (content version in a file)"
    return "off (PostgreSQL without REDIS_URL: the cache needs Redis to share the content version)"


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
