"""`flask walking …`: crediting a day, retrying conversions, expiring coupons, purging old step records."""
from datetime import date

import click
from flask.cli import AppGroup

from app.extensions import db

walking_cli = AppGroup("walking", help="The walking programme: crediting, conversions, retention.")


@walking_cli.command("credit")
@click.option("--day", "day_text", default=None, help="YYYY-MM-DD (default: yesterday, Seoul time)")
def credit_command(day_text):
    """Recompute one day for every resident and credit it within the budget."""
    from datetime import timedelta

    from app.walking.services import today
    from app.walking.services.crediting import credit_day

    try:
        day = date.fromisoformat(day_text) if day_text else today() - timedelta(days=1)
    except ValueError as error:
        raise click.BadParameter("YYYY-MM-DD", param_hint="--day") from error
    from app.walking.services.steps import window

    first, last = window()
    if not first <= day <= last:
        # older days' step records may be purged already: recomputing them would take mileage back
        raise click.ClickException(f"{day} is outside the submission window ({first} to {last}).")
    result = credit_day(day)
    db.session.commit()
    click.echo(f"{day}: credited {result['credited_days']} day(s), {result['credited_won']} won; "
               f"{result['pending_days']} waiting for budget")


@walking_cli.command("resume")
def resume_command():
    """Credit every day that waited for budget (after staff added money)."""
    from app.walking.services.crediting import credit_pending

    result = credit_pending()
    db.session.commit()
    click.echo(f"credited {result['credited_days']} day(s), {result['credited_won']} won; "
               f"{result['pending_days']} still waiting for budget")


@walking_cli.command("retry-conversions")
def retry_conversions_command():
    """Ask the account provider again about reserved transfers; release old refused ones; expire coupons."""
    from app.walking.models import ConversionStatus
    from app.walking.services.conversions import expire_coupons, reserved_transfer_ids, retry_transfer

    counts = {"paid": 0, "released": 0, "still_reserved": 0, "expired_coupons": expire_coupons()}
    db.session.commit()
    for conversion_id in reserved_transfer_ids():  # one transaction each: an outside call sits between
        status = retry_transfer(conversion_id)
        db.session.commit()
        key = {ConversionStatus.PAID: "paid", ConversionStatus.RELEASED: "released"}.get(status, "still_reserved")
        counts[key] += 1
    click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))


@walking_cli.command("purge")
def purge_command():
    """Delete step records older than WALKING_RETENTION_DAYS (the mileage ledger stays)."""
    from app.walking.services.participation import purge_step_records

    deleted = purge_step_records()
    db.session.commit()
    click.echo(f"Deleted {deleted} step record(s).")
