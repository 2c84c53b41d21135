"""`flask notifications digest daily|weekly` and `flask notifications retry` (run both from cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

notifications_cli = AppGroup("notifications", help="Notifications sent by mail and text message.")


@notifications_cli.command("digest")
@click.argument("period", type=click.Choice(["daily", "weekly"]))
def digest_command(period: str):
    """Send the digest of the last finished day or week (Asia/Seoul), once per resident (safe to run again)."""
    from app.channels.digests import send_digests

    counts = send_digests(period)
    db.session.commit()
    click.echo(f"{counts['written']} digest(s) queued, {counts['already_sent']} already sent, "
               f"{counts['nothing_new']} with nothing new")


@notifications_cli.command("retry")
def retry_command():
    """Without a job queue: send again the messages whose back-off has passed (run every minute)."""
    from app.channels.delivery import retry_due

    counts = retry_due()
    db.session.commit()
    click.echo(", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "nothing due")
