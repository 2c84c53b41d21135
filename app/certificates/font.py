"""The Korean font embedded in certificate PDFs.

It comes from the ``justmytype-intl-cjk`` package (Noto Sans KR, SIL Open Font License), never from
the machine. The package ships a variable font whose default instance is Thin; fixing its weight
takes fontTools ~15 seconds, so the static Regular instance is built once, published through the
storage interface (app/storage.py) so that other nodes fetch it instead of building it again, and kept
in each node's instance folder, where fpdf2 reads it.
"""
from __future__ import annotations

import fcntl
import os
from importlib.resources import files
from pathlib import Path

from flask import current_app

from app.jobs import enqueue, job, queue_configured

FONT_PACKAGE = "justmytype_intl_cjk"
FONT_RESOURCE = "fonts/ofl/notosanskr/NotoSansKR[wght].ttf"
WEIGHT = 400
STORAGE_KEY = f"fonts/NotoSansKR-{WEIGHT}.ttf"


def variable_font_path() -> Path:
    return Path(str(files(FONT_PACKAGE) / FONT_RESOURCE))


def certificate_font_path() -> Path:
    """The static Regular instance of Noto Sans KR: this node's copy, else the stored one, else built now."""
    cache_dir = Path(current_app.instance_path) / "fonts"
    target = cache_dir / f"NotoSansKR-{WEIGHT}.ttf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Several workers may ask at once: one builds, the others wait and reuse its file.
    with open(cache_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            from app.storage import storage

            stored = storage().read(STORAGE_KEY)
            if stored is not None:
                _write_atomically(target, stored)
            else:
                _build_static_instance(target)
                storage().publish(STORAGE_KEY, target.read_bytes(), "font/ttf")
    return target


def _write_atomically(target: Path, content: bytes) -> None:
    partial = target.with_suffix(".partial")
    partial.write_bytes(content)
    os.replace(partial, target)


def _build_static_instance(target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    variable = TTFont(str(variable_font_path()))
    static = instancer.instantiateVariableFont(variable, {"wght": WEIGHT}, updateFontNames=False)
    partial = target.with_suffix(".partial")
    static.save(str(partial))
    os.replace(partial, target)


@job
def build_certificate_font() -> None:
    """The job: build (or fetch) the font on the worker, which publishes it for every node."""
    certificate_font_path()


def build_font_in_background() -> None:
    """With a job queue, have the worker prepare the font once certificates exist, so that the first PDF
    download does not wait ~15 s for it. Without a queue the first download builds it, as before."""
    from app.extensions import db
    from app.storage import storage

    if not queue_configured() or db.session.info.get("certificate_font_queued"):
        return
    db.session.info["certificate_font_queued"] = True
    if not storage().exists(STORAGE_KEY):
        enqueue("app.certificates.font:build_certificate_font", after_commit=True)
