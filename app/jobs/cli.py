"""`flask jobs worker`: the process that runs queued jobs (`make worker`)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs on Redis.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run what is queued now, then stop.")
def worker_command(burst: bool):
    """Run queued jobs (and due retries) until stopped."""
    from rq import SimpleWorker

    from app.jobs import get_queue
    from app.ops.redis import redis_client

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("Set REDIS_URL: without Redis, jobs run inside the request and need no worker.")
    # SimpleWorker runs each job in this process, which already holds the app and its connection pool;
    # forking a work horse per job would copy both for nothing. The scheduler moves due retries back.
    SimpleWorker([get_queue()], connection=redis_client()).work(burst=burst, with_scheduler=True,
                                                              logging_level="INFO")
