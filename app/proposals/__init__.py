"""Proposals and discussion (시민 제안·토론): propose, browse, support, follow, answer."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.web import register_nav

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

from app.proposals import admin_routes, hooks, routes  # noqa: E402,F401

hooks.register()

from app.proposals import export  # noqa: E402

export.register()


@bp.cli.command("seed-fields")
def seed_fields_command():
    """Add the standard fields (분야) and topics (주제) that are missing. Safe to run again."""
    import click

    from app.extensions import db
    from app.proposals.choices import seed_fields_and_topics

    added = seed_fields_and_topics()
    db.session.commit()
    click.echo(f"Added {added} fields and topics.")
register_nav(10, "proposals.index", _l("Proposals"))
