"""What the ledger needs to know about the programmes it pays for.

Living labs and committees have tables (a budget's programme id is the lab's or the committee's id); the
walking programme is named by a positive id until its package lands. Committee and walking allowances are
confirmed by staff (they have no facilitators)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.labs.models import Lab, LabMembership, MembershipStatus, lab_facilitators
from app.ledger.models import ProgrammeType

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_date(moment: datetime) -> date:
    """The Asia/Seoul calendar date of a naive UTC timestamp."""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(SEOUL).date()


def fiscal_year(moment: datetime) -> int:
    """Korean local governments keep calendar-year budgets (January to December, Seoul time)."""
    return seoul_date(moment).year


def programme_exists(programme_type: ProgrammeType, programme_id: int) -> bool:
    if programme_id < 1:
        return False
    if programme_type is ProgrammeType.LAB:
        return db.session.get(Lab, programme_id) is not None
    if programme_type is ProgrammeType.COMMITTEE:
        from app.committees.models import Committee

        return db.session.get(Committee, programme_id) is not None
    return True


def programme_titles(pairs) -> dict[tuple[ProgrammeType, int], str]:
    """Display names for many (type, id) pairs with one query."""
    pairs = set(pairs)
    lab_ids = [pid for ptype, pid in pairs if ptype is ProgrammeType.LAB]
    titles = {}
    if lab_ids:
        titles = {(ProgrammeType.LAB, lab_id): title
                  for lab_id, title in db.session.execute(select(Lab.id, Lab.title).where(Lab.id.in_(lab_ids)))}
    committee_ids = [pid for ptype, pid in pairs if ptype is ProgrammeType.COMMITTEE]
    if committee_ids:
        from app.committees.models import Committee

        titles.update({(ProgrammeType.COMMITTEE, committee_id): name for committee_id, name in db.session.execute(
            select(Committee.id, Committee.name).where(Committee.id.in_(committee_ids)))})
    for ptype, pid in pairs:
        titles.setdefault((ptype, pid), _("%(programme)s no. %(number)s", programme=ptype.label, number=pid))
    return titles


def programme_title(programme_type: ProgrammeType, programme_id: int) -> str:
    return programme_titles([(programme_type, programme_id)])[(programme_type, programme_id)]


def facilitates(user, programme_type: ProgrammeType, programme_id: int) -> bool:
    if user is None or programme_type is not ProgrammeType.LAB:
        return False
    return db.session.scalar(
        select(lab_facilitators.c.user_id).where(
            lab_facilitators.c.lab_id == programme_id, lab_facilitators.c.user_id == user.id
        )
    ) is not None


def facilitated_lab_ids(user) -> list[int]:
    return list(db.session.scalars(select(lab_facilitators.c.lab_id).where(lab_facilitators.c.user_id == user.id)))


def labs_of_member(user) -> list[Lab]:
    """The labs the user is an accepted member of, for the expense-claim form."""
    return list(db.session.scalars(
        select(Lab).join(LabMembership, LabMembership.lab_id == Lab.id)
        .where(LabMembership.user_id == user.id, LabMembership.status == MembershipStatus.ACCEPTED)
        .order_by(Lab.title)
    ))


def is_lab_member(user, lab_id: int) -> bool:
    return db.session.scalar(
        select(LabMembership.id).where(
            LabMembership.lab_id == lab_id, LabMembership.user_id == user.id,
            LabMembership.status == MembershipStatus.ACCEPTED,
        )
    ) is not None
