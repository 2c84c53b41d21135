"""`flask users create` and `flask users prune-access-log`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True,
              type=click.Choice(["resident", "facilitator", "staff", "admin", "redeemer"]),
              help="Repeat for several roles; every account is a resident.")
@click.option("--city-employee", is_flag=True, default=False, help="A city employee (paid no allowance).")
@click.option("--district", default="onyang1", show_default=True)
@click.option("--birth-year", default=1980, type=click.IntRange(1900, 2100), show_default=True)
def create_user_command(email, password, display_name, roles, city_employee, district, birth_year):
    """Create an account with the given roles."""
    from email_validator import EmailNotValidError, validate_email

    from app.auth.models import Role
    from app.auth.services import create_user
    from app.core import DomainError
    from app.districts import DISTRICT_CODES

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from error
    if not 8 <= len(password) <= 128:
        raise click.BadParameter("8 to 128 characters", param_hint="--password")
    if not 2 <= len(display_name.strip()) <= 30:
        raise click.BadParameter("2 to 30 characters", param_hint="--name")
    if district not in DISTRICT_CODES:
        raise click.BadParameter(f"one of {', '.join(DISTRICT_CODES)}", param_hint="--district")
    try:
        user = create_user(email=email, password=password, display_name=display_name,
                           roles=[Role(r) for r in roles], is_city_employee=city_employee,
                           district=district, birth_year=birth_year)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    employee = " city-employee" if user.is_city_employee else ""
    click.echo(f"Created user {user.id} <{user.email}> roles={sorted(r.value for r in user.roles)}{employee}")


@users_cli.command("prune-access-log")
def prune_access_log_command():
    """Delete access-log rows older than ACCESS_LOG_RETENTION_DAYS (never less than a year)."""
    from flask import current_app

    from app.auth.services import prune_access_log

    deleted = prune_access_log(current_app.config["ACCESS_LOG_RETENTION_DAYS"])
    db.session.commit()
    click.echo(f"Deleted {deleted} access-log rows.")
