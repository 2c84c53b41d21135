"""`flask certificates font`: build the PDF font ahead of the first download (it takes ~15 seconds)."""
import click
from flask.cli import AppGroup

from app.certificates.font import certificate_font_path

certificates_cli = AppGroup("certificates", help="Certificate PDFs.")


@certificates_cli.command("font")
def prepare_font():
    """Build the static Korean font used in certificate PDFs, if it is not built yet."""
    click.echo(f"certificate font ready: {certificate_font_path()}")
