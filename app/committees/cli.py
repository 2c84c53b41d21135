"""`flask committees end-terms`: mark members whose term ran out as ended, in every committee."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.committees.models import Committee
from app.committees.services import membership
from app.extensions import db


committees_cli = AppGroup("committees", help="The policy advisory committees.")


@committees_cli.command("end-terms")
def end_terms_command():
    """Mark appointed members whose two-year term is over as ended (their office, if any, falls vacant)."""
    ended = 0
    for committee in db.session.scalars(select(Committee).order_by(Committee.id)):
        members = membership.end_expired_terms(committee)
        ended += len(members)
        for member in members:
            click.echo(f"{committee.name}: {member.name} (term ended {member.term_ends_on.isoformat()})")
    db.session.commit()
    click.echo(f"{ended} member(s) marked as ended")
