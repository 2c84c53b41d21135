"""`flask consultations remind`: the day-before reminder for hearing seats (run it daily, e.g. from cron)."""
import click
from flask.cli import AppGroup

from app.consultations.services import send_hearing_reminders
from app.extensions import db

consultations_cli = AppGroup("consultations", help="Public consultations and hearings.")


@consultations_cli.command("remind")
def remind_command():
    """Notify everyone with a seat at a hearing that takes place tomorrow (Korea time); safe to run twice."""
    count = send_hearing_reminders()
    db.session.commit()
    click.echo(f"Reminded {count} registered participant(s).")
