import click
from flask.cli import AppGroup

opendata_cli = AppGroup("opendata", help="Public data sets (공공데이터).")


@opendata_cli.command("export")
def export_command():
    """Write every open data set as CSV and JSON (run daily, or after big changes)."""
    from app.opendata.export import export_all, export_dir

    manifest = export_all()
    for name, info in manifest["datasets"].items():
        click.echo(f"{name}: {info['rows']} rows")
    click.echo(f"Written to {export_dir()} at {manifest['exported_at']}")
