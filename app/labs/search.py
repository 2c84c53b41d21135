"""Labs in the site search: indexed on create and edit, and rebuilt by `flask search reindex`."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.labs.models import Lab
from app.search import SearchDocument, add_to_index

DOC_TYPE = "lab"


def lab_document(lab: Lab) -> SearchDocument:
    body = "\n".join(part for part in (lab.summary, lab.results_summary) if part)
    return SearchDocument(type=DOC_TYPE, id=lab.id, title=lab.title, body=body, url=f"/labs/{lab.id}")


def index_lab(lab: Lab) -> None:
    add_to_index(lab_document(lab))


def count_labs() -> int:
    return db.session.scalar(select(func.count()).select_from(Lab))


def all_documents():
    for lab in db.session.scalars(select(Lab).order_by(Lab.id).execution_options(yield_per=500)):
        yield lab_document(lab)
