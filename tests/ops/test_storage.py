"""The storage interface: the folder and database backends behave alike; the choice follows the database."""
from __future__ import annotations

import pytest

from app.certificates import font
from app.extensions import db
from app.storage import DatabaseStorage, FolderStorage, backend_name, storage
from tests.conftest import is_postgres


@pytest.fixture(params=["folder", "database"])
def backend(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", request.param)
    return storage()


def test_the_backend_follows_the_database_unless_configured(app, monkeypatch):
    assert backend_name() == ("database" if is_postgres() else "folder")
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    assert isinstance(storage(), DatabaseStorage)
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "folder")
    assert isinstance(storage(), FolderStorage)
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        storage()


def test_a_committed_file_is_read_listed_and_served(app, backend):
    backend.save("receipts/abc.png", b"\x89PNG...", "image/png")
    db.session.commit()
    assert backend.read("receipts/abc.png") == b"\x89PNG..."
    assert backend.exists("receipts/abc.png") and not backend.exists("receipts/other.png")
    assert backend.keys("receipts") == ["receipts/abc.png"] and backend.keys("policies") == []
    with app.test_request_context():
        response = backend.send("receipts/abc.png", mimetype="image/png", as_attachment=True,
                                download_name="영수증.png", max_age=0)
        response.direct_passthrough = False
        assert response.status_code == 200 and response.get_data() == b"\x89PNG..."
        response.close()
        assert response.mimetype == "image/png" and "attachment" in response.headers["Content-Disposition"]
    backend.delete("receipts/abc.png")
    db.session.commit()
    assert backend.read("receipts/abc.png") is None


def test_a_missing_file_is_404(app, backend):
    from werkzeug.exceptions import NotFound

    with app.test_request_context(), pytest.raises(NotFound):
        backend.send("receipts/gone.png", mimetype="image/png", as_attachment=False, download_name="x.png",
                     max_age=0)


def test_a_rolled_back_upload_leaves_nothing(backend):
    backend.save("policies/rolled-back.pdf", b"%PDF-1.4", "application/pdf")
    assert backend.exists("policies/rolled-back.pdf")
    db.session.rollback()
    assert not backend.exists("policies/rolled-back.pdf")


@pytest.mark.parametrize("key", ["../etc/passwd", "receipts/../../x", "/abs", "receipts//x", "a\\b", ""])
def test_keys_cannot_leave_the_store(backend, key):
    with pytest.raises(ValueError):
        backend.save(key, b"x", "text/plain")


def test_published_files_survive_a_rollback_and_are_kept_once(backend):
    backend.publish("fonts/test.ttf", b"first", "font/ttf")
    db.session.rollback()
    backend.publish("fonts/test.ttf", b"second", "font/ttf")  # another node finished too: the first stays
    assert backend.read("fonts/test.ttf") == b"first"


def test_a_node_takes_the_stored_certificate_font_instead_of_building_it(app, backend, monkeypatch, tmp_path):
    backend.publish(font.STORAGE_KEY, b"built-by-another-node", "font/ttf")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # a fresh node: no font of its own

    def must_not_build(target):
        raise AssertionError("the stored font should have been used")

    monkeypatch.setattr(font, "_build_static_instance", must_not_build)
    path = font.certificate_font_path()
    assert path.parent == tmp_path / "fonts" and path.read_bytes() == b"built-by-another-node"
