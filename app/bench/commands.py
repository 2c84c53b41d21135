"""`flask seed bench`: load the benchmark data, then build its search index."""
from __future__ import annotations

import os
import time

import click

from app.extensions import db


@click.command("bench")
@click.option("--proposals", default=100_000, show_default=True, type=click.IntRange(1))
@click.option("--supports", default=2_000_000, show_default=True, type=click.IntRange(0))
@click.option("--comments", default=1_000_000, show_default=True, type=click.IntRange(0))
@click.option("--hot", default=20, show_default=True, type=click.IntRange(0),
              help="Proposals that get 2,000 to 3,000 comments each.")
@click.option("--users", default=50_000, show_default=True, type=click.IntRange(1),
              help="Bench accounts; supports are unique per account and proposal.")
@click.option("--index-comments", default=None, type=click.IntRange(0),
              help="Index only this many of the newest comments (default: all of them).")
@click.option("--index-procs", default=os.cpu_count() or 1, show_default=True, type=click.IntRange(1),
              help="Whoosh writer processes.")
def seed_bench_command(proposals, supports, comments, hot, users, index_comments, index_procs):
    """Load city-scale benchmark data (proposals, supports, comments) and index it for search."""
    from app.bench.index import build_bench_index
    from app.bench.seed import BenchSize, bench_data_present, seed_bench

    if hot > proposals:
        raise click.BadParameter("cannot exceed --proposals", param_hint="--hot")
    if supports > users * proposals:
        raise click.BadParameter("supports are unique per user and proposal: raise --users", param_hint="--supports")
    _create_schema()
    if bench_data_present():
        raise click.ClickException("Bench data is already loaded in this database. Use a fresh database "
                                   "(DATABASE_URL) to load it again.")
    started = time.perf_counter()
    click.echo(f"Loading bench data into {db.engine.url.render_as_string(hide_password=True)} …")
    try:
        counts = seed_bench(BenchSize(proposals, supports, comments, hot, users), echo=click.echo)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    commit_started = time.perf_counter()
    db.session.commit()
    click.echo(f"  commit: {time.perf_counter() - commit_started:.1f} s")
    if db.engine.dialect.name == "postgresql":
        vacuum_started = time.perf_counter()
        # Index-only scans (counts, deep pages) need the visibility map that VACUUM sets; autovacuum
        # would get there eventually, a benchmark should not depend on when.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        click.echo(f"  VACUUM ANALYZE: {time.perf_counter() - vacuum_started:.1f} s")
    click.echo("Loaded " + ", ".join(f"{n:,} {name}" for name, n in counts.items())
               + f" in {time.perf_counter() - started:.1f} s.")
    click.echo("Building the search index …")
    build_bench_index(index_comments, echo=click.echo, procs=index_procs)
    click.echo(f"Done in {time.perf_counter() - started:.1f} s. Measure with: python -m tests.bench")


def _create_schema() -> None:
    """Migrate a fresh database, then create any table that no migration covers yet (a no-op otherwise)."""
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    if not inspect(db.engine).has_table("users"):
        upgrade()
    db.create_all()
