"""Command-line interface: `flask users …`, `flask seed …`, `flask translate …`, `flask search …`."""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent

users_cli = AppGroup("users", help="Manage accounts.")
seed_cli = AppGroup("seed", help="Load demo or benchmark data.")
translate_cli = AppGroup("translate", help="Extract, update and compile the message catalogues.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(["resident", "facilitator", "staff", "admin", "redeemer"]),
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


@seed_cli.command("demo")
def seed_demo_command():
    """Create demo users and Korean demo content (safe to run twice)."""
    from app.seed import run_demo_seeders

    for name in run_demo_seeders():
        click.echo(f"seeded {name}")


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT)


@contextmanager
def _catalogue_lock():
    """Serialise catalogue writes so that two people (or processes) editing at once lose nothing."""
    import fcntl

    with open(ROOT / "translations" / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@translate_cli.command("update")
def translate_update():
    """Extract messages and merge them into translations/ko and translations/en."""
    with _catalogue_lock():
        _extract_and_merge()


def _extract_and_merge() -> None:
    pot = ROOT / "translations" / "messages.pot"
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", str(pot), ".")
    for locale in ("ko", "en"):
        po = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "--no-fuzzy-matching", "--ignore-obsolete", "-i", str(pot), "-d", "translations", "-l", locale)
        else:
            _pybabel("init", "-i", str(pot), "-d", "translations", "-l", locale)
    pot.unlink()
    # English is the source language: an English message reads as written unless the catalogue says otherwise.
    _edit_catalogue("en", _english_source)


def _english_source(message):
    if isinstance(message.id, tuple):  # plural forms: (singular, plural)
        return None if all(message.string) else message.id
    return None if message.string else message.id


def _korean_from(entries: dict):
    """Korean has one plural form, so a plural message takes the translation given for its singular."""

    def new_string(message):
        if isinstance(message.id, tuple):
            translation = entries.get(message.id[0])
            return (translation,) if translation else None
        return entries.get(message.id)

    return new_string


@translate_cli.command("set")
@click.argument("json_file", type=click.File("r", encoding="utf-8"))
def translate_set(json_file):
    """Set Korean translations from a JSON object {"English msgid": "한국어", ...}.

    For a plural message, give its singular msgid."""
    import json

    entries = json.load(json_file)
    with _catalogue_lock():
        _extract_and_merge()
        changed = _edit_catalogue("ko", _korean_from(entries))
    click.echo(f"ko: {changed} set")


def _edit_catalogue(locale: str, new_string) -> int:
    """Rewrite one catalogue, giving each message ``new_string(message)`` when that is not empty."""
    from babel.messages.pofile import read_po, write_po

    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        string = new_string(message)
        if string and string != message.string:
            message.string = string
            message.flags.discard("fuzzy")
            changed += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    return changed


@translate_cli.command("compile")
def translate_compile():
    """Compile the catalogues to .mo files."""
    _pybabel("compile", "-d", "translations")


@translate_cli.command("missing")
def translate_missing():
    """List messages that lack a translation in either language (exit 1 if any)."""
    from app.i18n_check import untranslated

    missing = untranslated()
    for locale, ids in missing.items():
        for msgid in ids:
            click.echo(f"{locale}: {msgid}")
    if any(missing.values()):
        sys.exit(1)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(translate_cli)
    from app.search import search_cli
    from app.bench.commands import seed_bench_command

    app.cli.add_command(search_cli)
    seed_cli.add_command(seed_bench_command)
