from flask import abort, current_app, render_template, send_from_directory

from app.opendata import bp
from app.opendata.export import export_dir, exported_at, read_manifest
from app.opendata.registry import dataset, datasets

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@bp.route("/")
def index():
    manifest = read_manifest()
    return render_template("opendata/index.html", datasets=datasets(), manifest=manifest,
                           exported_at=exported_at(manifest), licence=current_app.config["OPENDATA_LICENCE"],
                           licence_url=current_app.config["OPENDATA_LICENCE_URL"])


@bp.route("/<name>.<extension>")
def download(name: str, extension: str):
    manifest = read_manifest()
    if extension not in FORMATS or dataset(name) is None or not manifest or name not in manifest["datasets"]:
        abort(404)
    return send_from_directory(export_dir(), f"{name}.{extension}", mimetype=FORMATS[extension], as_attachment=True,
                               download_name=f"maeul-{name}.{extension}", max_age=300)
