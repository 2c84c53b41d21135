"""`flask phones prune`: delete codes older than a day (with the client addresses kept beside them)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

phones_cli = AppGroup("phones", help="Phone number verification codes.")


@phones_cli.command("prune")
def prune_command():
    """Delete phone codes older than a day (run daily)."""
    from app.phones.services import prune_codes

    count = prune_codes()
    db.session.commit()
    click.echo(f"{count} old code(s) deleted")
