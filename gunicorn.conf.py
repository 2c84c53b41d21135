"""gunicorn settings for `make serve` (read from this file by `gunicorn -c gunicorn.conf.py`).

Every value can be overridden by the environment: PORT, BIND, WEB_CONCURRENCY, GUNICORN_THREADS,
GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS."""
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
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The proxy terminates TLS and sets X-Forwarded-*; only trust it from here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# One JSON line per request (request id, method, path, status, duration in ms) on stdout; errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "app.ops.logs.GunicornJsonLogger"

wsgi_app = "app:create_app()"
