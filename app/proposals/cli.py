"""`flask proposals seed-fields`."""
import click
from flask.cli import AppGroup

proposals_cli = AppGroup("proposals", help="Proposal fields and topics.")


@proposals_cli.command("seed-fields")
def seed_fields_command():
    """Add the standard fields (분야) and topics (주제) that are missing. Safe to run again."""
    from app.extensions import db
    from app.proposals.choices import seed_fields_and_topics

    added = seed_fields_and_topics()
    db.session.commit()
    click.echo(f"Added {added} fields and topics.")
