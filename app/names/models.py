from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DepartmentName(db.Model):
    """The English form of a department's Korean name, as staff give it."""

    __tablename__ = "department_names"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # the Korean name, exactly as used
    name_en: Mapped[str] = mapped_column(String(100))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())
