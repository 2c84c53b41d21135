"""gunicorn settings for `make serve` (read from this file by `gunicorn -c gunicorn.conf.py`).

Every value can be overridden by the environment: PORT, BIND, WEB_CONCURRENCY, GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_PRELOAD."""
import gc
import multiprocessing
import os

# Behind the proxy on the same machine; BIND=0.0.0.0:8000 to take traffic from a load balancer elsewhere.
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers: requests are short and CPU-bound (templates, search ranking). gunicorn's rule of thumb.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request taking longer than this is killed and logged; slow work belongs in the job queue (make worker).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. Not often: a new worker starts
# with an empty page cache and new database connections, and cached pages are served at thousands a
# second (every 2,000 requests put the p95 of the load bench at 200-600 ms while pages were re-rendered).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# The proxy terminates TLS and sets X-Forwarded-*; only trust it from here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# One JSON line per request (request id, method, path, status, duration in ms) on stdout; errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "app.ops.logs.GunicornJsonLogger"

wsgi_app = "app:create_app()"

# The application is loaded once in the master and each worker is a fork of it: a new or recycled worker
# starts in milliseconds instead of importing everything and loading the Korean analyzer (Kiwi: 2-3 s of
# CPU, 5-30 s on a busy machine, which its first search used to wait for), and the workers share those
# pages of memory. GUNICORN_PRELOAD=0 loads the application in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"


def when_ready(server):
    """In the master, before the first fork: load what every worker would load on its first requests."""
    if preload_app:
        application = server.app.wsgi()
        warm_up = getattr(application, "extensions", {}).get("maeul_warm_up")
        if warm_up is not None:
            warm_up()
    # What the master holds now lives as long as it does: keep it out of the workers' garbage
    # collections (and their copy-on-write pages untouched by them).
    gc.freeze()


def post_fork(server, worker):
    """A worker must not share the master's database or Redis connections (the master opens none on
    purpose, but a connection made while loading would otherwise be used by two processes)."""
    if preload_app:
        application = server.app.wsgi()
        after_fork = getattr(application, "extensions", {}).get("maeul_after_fork")
        if after_fork is not None:
            after_fork()
