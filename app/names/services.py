"""Which department names are in use, and their English forms."""
from __future__ import annotations

from sqlalchemy import select, union

from app import audit
from app.core import ValidationFailed
from app.extensions import db
from app.names.models import DepartmentName


def departments_in_use() -> list[str]:
    """Every department name on a policy, a consultation or an official answer, sorted (one statement)."""
    from app.consultations.models import Consultation
    from app.policies.models import Policy
    from app.proposals.models import OfficialAnswer

    names = union(select(Policy.department), select(Consultation.department),
                  select(OfficialAnswer.department).where(OfficialAnswer.department != "")).subquery()
    return sorted(db.session.scalars(select(names.c[0])))


def english_names() -> dict[str, str]:
    return dict(db.session.execute(select(DepartmentName.name, DepartmentName.name_en)).tuples().all())


def set_english_name(actor, name: str, name_en: str) -> DepartmentName | None:
    """Give (or with an empty name_en, remove) the English form of a department name in use."""
    from flask_babel import lazy_gettext as _l

    name, name_en = name.strip(), " ".join(name_en.split())
    if name not in departments_in_use():
        raise ValidationFailed({"name": [_l("No policy, consultation or answer uses this department name.")]})
    if len(name_en) > 100:
        raise ValidationFailed({"name_en": [_l("An English name has at most 100 characters.")]})
    row = db.session.get(DepartmentName, name, with_for_update=True)
    if not name_en:
        if row is not None:
            db.session.delete(row)
        audit.record(actor, "department_name.cleared", "department_name", None, name=name)
        db.session.commit()
        return None
    if row is None:
        row = DepartmentName(name=name, name_en=name_en, updated_by_id=actor.id)
        db.session.add(row)
    else:
        row.name_en, row.updated_by_id = name_en, actor.id
    audit.record(actor, "department_name.set", "department_name", None, name=name, name_en=name_en)
    db.session.commit()
    return row
