"""Hashed static file names, so a proxy can cache them for a year and a release still reaches every browser.

`flask static build` (run by `make static`) copies each file under static/ to a name carrying the first
12 hex digits of its SHA-256 (css/maeul.css -> css/maeul.3f2a1b9c0d4e.css) and writes
static/manifest.json. Templates call `static_url('css/maeul.css')`: the hashed name when the manifest
lists it, the plain name otherwise (development needs no build step).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup

MANIFEST = "manifest.json"
# A built copy: name.<12 hex>.ext. Built copies are never hashed again.
_HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def hashed_name(relative: str, content: bytes) -> str:
    stem, extension = os.path.splitext(relative)
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}{extension}"


def build_manifest(static_dir: str | Path) -> dict[str, str]:
    """Write hashed copies and the manifest; remove copies of older versions. Returns the manifest."""
    root = Path(static_dir)
    manifest: dict[str, str] = {}
    keep: set[Path] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name == MANIFEST or _HASHED.search(path.name):
            continue
        relative = path.relative_to(root).as_posix()
        content = path.read_bytes()
        target = root / hashed_name(relative, content)
        if not target.exists():
            target.write_bytes(content)
        keep.add(target)
        manifest[relative] = target.relative_to(root).as_posix()
    for path in root.rglob("*"):
        if path.is_file() and _HASHED.search(path.name) and path not in keep:
            path.unlink()
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def load_manifest(app: Flask) -> dict[str, str]:
    path = Path(app.static_folder or "") / MANIFEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def static_url(filename: str) -> str:
    manifest = current_app.extensions.get("maeul_static_manifest", {})
    return url_for("static", filename=manifest.get(filename, filename))


static_cli = AppGroup("static", help="Static files for the production proxy.")


@static_cli.command("build")
def build_command():
    """Copy static files to content-hashed names and write static/manifest.json."""
    manifest = build_manifest(current_app.static_folder)
    for source, target in sorted(manifest.items()):
        click.echo(f"{source} -> {target}")


def register_static(app: Flask) -> None:
    app.extensions["maeul_static_manifest"] = load_manifest(app)
    app.jinja_env.globals["static_url"] = static_url
    app.cli.add_command(static_cli)
