"""App-wide commands: `flask seed …` and `flask translate …`. Each domain adds its own in its `register(app)`."""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup


ROOT = Path(__file__).resolve().parent.parent

seed_cli = AppGroup("seed", help="Load demo or benchmark data.")
translate_cli = AppGroup("translate", help="Extract, update and compile the message catalogues.")


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
            _pybabel("update", "--no-fuzzy-matching", "--ignore-obsolete", "-i", str(pot), "-d", "translations",
                     "-l", locale)
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
    from app.bench.commands import seed_bench_command

    app.cli.add_command(seed_cli)
    app.cli.add_command(translate_cli)
    seed_cli.add_command(seed_bench_command)
