"""`flask privacy purge`: erase what is past its retention period (safe to run daily)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

privacy_cli = AppGroup("privacy", help="Residents' privacy: retention and erasure.")


@privacy_cli.command("purge")
def purge_command():
    """Erase accounts whose deletion is due and every kind of data past its retention period."""
    from app.privacy.retention import purge

    counts = purge()
    db.session.commit()
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
