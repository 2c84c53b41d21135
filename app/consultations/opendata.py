"""Open data sets of consultations: every consultation that was opened, and the themes of published results
with the city's response. Opinions themselves carry names and contacts and stay out."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.consultations.models import Consultation, ConsultationStatus, Opinion, OpinionTheme
from app.core import iso
from app.extensions import db
from app.opendata.registry import Column, Dataset, register_dataset


def _consultations():
    opinions = (select(Opinion.consultation_id, func.count().label("n")).group_by(Opinion.consultation_id)
                .subquery())
    query = (select(Consultation.id, Consultation.title, Consultation.department, Consultation.status,
                    Consultation.opened_at, Consultation.deadline_at, Consultation.hearing_starts_at,
                    Consultation.results_at, func.coalesce(opinions.c.n, 0))
             .outerjoin(opinions, opinions.c.consultation_id == Consultation.id)
             .where(Consultation.status != ConsultationStatus.DRAFT).order_by(Consultation.id))
    for row in db.session.execute(query):
        yield (row.id, row.title, row.department, row.status.value, iso(row.opened_at), iso(row.deadline_at),
               iso(row.hearing_starts_at), iso(row.results_at), row[-1])


def _themes():
    opinions = (select(Opinion.theme_id, func.count().label("n")).where(Opinion.theme_id.is_not(None))
                .group_by(Opinion.theme_id).subquery())
    query = (select(OpinionTheme.consultation_id, OpinionTheme.position, OpinionTheme.title, OpinionTheme.response,
                    func.coalesce(opinions.c.n, 0))
             .join(Consultation, Consultation.id == OpinionTheme.consultation_id)
             .outerjoin(opinions, opinions.c.theme_id == OpinionTheme.id)
             .where(Consultation.status == ConsultationStatus.RESULTS)
             .order_by(OpinionTheme.consultation_id, OpinionTheme.position, OpinionTheme.id))
    for row in db.session.execute(query):
        yield tuple(row)


def register() -> None:
    consultation_id = Column("consultation_id", "integer", _l("Consultation number"))
    register_dataset(Dataset("consultations", _l("Consultations and hearings"),
                             _l("Every consultation that was opened, with its deadline and number of opinions."), (
        Column("id", "integer", _l("Consultation number")), Column("title", "string", _l("Title")),
        Column("department", "string", _l("Department")), Column("status", "string", _l("open or results")),
        Column("opened_at", "datetime", _l("When it opened (UTC)")),
        Column("deadline_at", "datetime", _l("Deadline for opinions (UTC)")),
        Column("hearing_at", "datetime", _l("When the hearing starts (UTC)")),
        Column("results_at", "datetime", _l("When the results were published (UTC)")),
        Column("opinions", "integer", _l("Number of opinions from every channel"))), _consultations))
    register_dataset(Dataset("consultation_themes", _l("Consultation results"),
                             _l("The themes of the opinions and the city's response to each, once published."), (
        consultation_id, Column("position", "integer", _l("Order")), Column("title", "string", _l("Theme")),
        Column("response", "string", _l("The city's response")),
        Column("opinions", "integer", _l("Number of opinions on this theme"))), _themes))
