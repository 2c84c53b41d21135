"""The resident's data export: their seats on committees, with what staff keep about them and their record."""
from __future__ import annotations

from sqlalchemy import select

from app.committees.models import CommitteeMember, ItemVote, MeetingAttendance, RequestSignature
from app.core import iso
from app.extensions import db


def committee_seats(user) -> list[dict]:
    seats = list(db.session.scalars(select(CommitteeMember).where(CommitteeMember.user_id == user.id)
                                    .order_by(CommitteeMember.id)))
    ids = [seat.id for seat in seats]
    attended: dict[int, list[int]] = {}
    votes: dict[int, list[dict]] = {}
    signed: dict[int, list[dict]] = {}
    if ids:
        for row in db.session.scalars(select(MeetingAttendance).where(MeetingAttendance.member_id.in_(ids))):
            attended.setdefault(row.member_id, []).append(row.meeting_id)
        for row in db.session.scalars(select(ItemVote).where(ItemVote.member_id.in_(ids))):
            votes.setdefault(row.member_id, []).append({"agenda_item_id": row.item_id, "choice": row.choice.value})
        for row in db.session.scalars(select(RequestSignature).where(RequestSignature.member_id.in_(ids))):
            signed.setdefault(row.member_id, []).append({"request_id": row.request_id, "signed_at": iso(row.signed_at)})
    return [{
        "committee": seat.committee.name, "name": seat.name, "affiliation": seat.affiliation, "contact": seat.contact,
        "gender": seat.gender.value, "category": seat.category.value, "status": seat.status.value,
        "term_starts_on": seat.term_starts_on.isoformat() if seat.term_starts_on else None,
        "term_ends_on": seat.term_ends_on.isoformat() if seat.term_ends_on else None, "renewals": seat.renewals,
        "dismissal_reason": seat.dismissal_reason.value if seat.dismissal_reason else None,
        "dismissal_note": seat.dismissal_note, "meetings_attended": sorted(attended.get(seat.id, [])),
        "votes": votes.get(seat.id, []), "request_signatures": signed.get(seat.id, []),
    } for seat in seats]
