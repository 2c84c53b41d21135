"""Open data in the API: the catalogue and each data set as JSON. Public, rate limited per address."""
from __future__ import annotations

from flask import abort, current_app, jsonify, send_from_directory, url_for

from app.api import bp
from app.api.spec import documented
from app.opendata.export import export_dir, read_manifest
from app.opendata.registry import dataset, datasets

CATALOGUE = {"type": "object", "properties": {
    "licence": {"type": "string"}, "licence_url": {"type": "string"},
    "exported_at": {"type": "string", "nullable": True},
    "datasets": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "rows": {"type": "integer", "nullable": True}, "csv_url": {"type": "string", "nullable": True},
        "json_url": {"type": "string", "nullable": True},
        "columns": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "type": {"type": "string"}, "description": {"type": "string"}}}}}}}}}


@bp.route("/opendata", methods=["GET"])
@documented("The open data catalogue: each data set's schema, rows, download links, licence and last export",
            tag="opendata", auth=False, responses={200: ("The catalogue", CATALOGUE)})
def opendata_catalogue():
    manifest = read_manifest() or {"exported_at": None, "datasets": {}}
    items = []
    for ds in datasets():
        info = manifest["datasets"].get(ds.name)
        items.append({
            "name": ds.name, "title": str(ds.title), "description": str(ds.description),
            "rows": info["rows"] if info else None,
            "csv_url": url_for("opendata.download", name=ds.name, extension="csv") if info else None,
            "json_url": url_for("api.opendata_dataset", name=ds.name) if info else None,
            "columns": [{"name": c.name, "type": c.type, "description": str(c.description)} for c in ds.columns],
        })
    return jsonify({"licence": current_app.config["OPENDATA_LICENCE"],
                    "licence_url": current_app.config["OPENDATA_LICENCE_URL"],
                    "exported_at": manifest["exported_at"], "datasets": items})


@bp.route("/opendata/<name>", methods=["GET"])
@documented("One open data set as JSON ({dataset, licence, columns, items}), as of the last export", tag="opendata",
            auth=False, responses={200: ("The data set", None), 404: ("No such data set, or not exported yet", None)})
def opendata_dataset(name: str):
    manifest = read_manifest()
    if dataset(name) is None or not manifest or name not in manifest["datasets"]:
        abort(404)
    return send_from_directory(export_dir(), f"{name}.json", mimetype="application/json", max_age=300)
