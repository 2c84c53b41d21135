"""A committee and its members (ordinance articles 12 and 14): categories, terms, offices, dismissal."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core import DomainError, utcnow
from app.enums import LabelledEnum
from app.extensions import db
from app.sql import value_enum

MAX_MEMBERS = 15  # 제12조②: 위원장 1명과 부위원장 1명을 포함하여 15명 이내
MAX_COUNCIL_MEMBERS = 2  # 제12조⑤3: 구의회 의원 2명 이내
GENDER_SHARE = (6, 10)  # 제12조⑤: 특정성별이 위촉직 위원 수의 10분의 6을 초과하지 아니하여야 한다
TERM_YEARS = 2  # 제12조⑥: 임기는 2년
MAX_RENEWALS = 1  # 제12조⑥: 한 차례만 연임
EXPIRY_NOTICE_DAYS = 60


class Committee(db.Model):
    __tablename__ = "committees"
    __table_args__ = (CheckConstraint("travel_expense_won >= 0", name="travel_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Actual travel expenses (실비) paid per attended meeting, flat; the meeting allowance itself is the
    # ledger's allowance rule for this committee (amount per session).
    travel_expense_won: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Gender(LabelledEnum):
    FEMALE = "female", _l("Woman")
    MALE = "male", _l("Man")


class MemberCategory(LabelledEnum):
    """제12조④ (ex officio) and ⑤ 1-5 (appointed by the head of the district)."""

    EX_OFFICIO = "ex_officio", _l("Ex officio: the director in charge of the smart city")
    ACADEMIC = "academic", _l("Professor or researcher in a smart-city field")
    EXPERT = "expert", _l("Expert from a related body, civic group, academia or industry")
    COUNCIL = "council", _l("District council member")
    RESIDENT = "resident", _l("Resident working in a smart-city field")
    OTHER = "other", _l("Other person the head of the district finds necessary")

    @property
    def appointed(self) -> bool:
        return self is not MemberCategory.EX_OFFICIO


class MemberStatus(LabelledEnum):
    NOMINATED = "nominated", _l("Nominated")  # staff entered the person; not a member until appointed
    ACTIVE = "active", _l("Serving")  # appointed (or ex officio); serving while the term lasts
    ENDED = "ended", _l("Term ended")  # the term ran out and was not renewed
    DISMISSED = "dismissed", _l("Dismissed")  # 해촉, with an article 14 reason
    WITHDRAWN = "withdrawn", _l("Nomination withdrawn")  # the nomination was dropped before appointment

    @property
    def is_final(self) -> bool:
        return self in (MemberStatus.ENDED, MemberStatus.DISMISSED, MemberStatus.WITHDRAWN)


MEMBER_TRANSITIONS = {
    MemberStatus.NOMINATED: {MemberStatus.ACTIVE, MemberStatus.WITHDRAWN},
    MemberStatus.ACTIVE: {MemberStatus.ENDED, MemberStatus.DISMISSED},
    MemberStatus.ENDED: set(),
    MemberStatus.DISMISSED: set(),
    MemberStatus.WITHDRAWN: set(),
}


class DismissalReason(LabelledEnum):
    """제14조 (위원의 해촉) 1-5, the only reasons for which a member may be dismissed."""

    INCAPACITY = "incapacity", _l("Art. 14-1: unable to perform the duties because of a mental or physical disability")
    UNFIT = "unfit", _l("Art. 14-2: found unfit to be a member because of neglect of duty, loss of dignity or "
                        "another reason")
    MISCONDUCT = "misconduct", _l("Art. 14-3: misconduct related to the duties")
    OWN_REQUEST = "own_request", _l("Art. 14-4: the member states that they find it hard to perform the duties")
    FAILED_TO_RECUSE = "failed_to_recuse", _l("Art. 14-5: did not step aside although a ground of article 13(1) "
                                              "applied")

    @property
    def korean(self) -> str:
        """The ordinance's own words, shown beside the translation."""
        return DISMISSAL_KOREAN[self]


DISMISSAL_KOREAN = {
    DismissalReason.INCAPACITY: "심신장애로 직무를 수행할 수 없게 된 경우",
    DismissalReason.UNFIT: "직무태만, 품위손상이나 그 밖의 사유로 인하여 위원으로 적합하지 아니하다고 인정되는 경우",
    DismissalReason.MISCONDUCT: "직무와 관련된 비위사실이 있는 경우",
    DismissalReason.OWN_REQUEST: "위원 스스로 직무를 수행하기 어렵다는 의사를 밝히는 경우",
    DismissalReason.FAILED_TO_RECUSE: "제13조제1항 각 호에 해당하는데도 불구하고 회피하지 않은 경우",
}


class Office(LabelledEnum):
    CHAIR = "chair", _l("Chair")
    VICE_CHAIR = "vice_chair", _l("Vice-chair")


def term_end(starts_on: date, years: int = TERM_YEARS) -> date:
    """The last day of a term of ``years`` years starting on ``starts_on`` (29 February → 28 February)."""
    try:
        anniversary = starts_on.replace(year=starts_on.year + years)
    except ValueError:
        anniversary = starts_on.replace(year=starts_on.year + years, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


class CommitteeMember(db.Model):
    """A person's seat on a committee: one row per appointment (a replacement is a new row).

    ``user_id`` is set when the person has an account (they then sign meeting requests and receive
    allowances); otherwise staff keep the name and contact. Contact is never shown publicly."""

    __tablename__ = "committee_members"
    __table_args__ = (
        CheckConstraint("renewals >= 0 AND renewals <= 1", name="renewals_range"),
        CheckConstraint("term_ends_on IS NULL OR term_starts_on IS NULL OR term_ends_on >= term_starts_on",
                        name="term_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[Gender] = mapped_column(value_enum(Gender))
    category: Mapped[MemberCategory] = mapped_column(value_enum(MemberCategory))
    is_city_employee: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MemberStatus] = mapped_column(value_enum(MemberStatus), default=MemberStatus.NOMINATED, index=True)
    term_starts_on: Mapped[date | None] = mapped_column(Date)
    term_ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"), unique=True)
    appointed_at: Mapped[datetime | None] = mapped_column(DateTime)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    left_on: Mapped[date | None] = mapped_column(Date)
    dismissal_reason: Mapped[DismissalReason | None] = mapped_column(value_enum(DismissalReason))
    dismissal_note: Mapped[str | None] = mapped_column(Text)
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    committee: Mapped[Committee] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    predecessor: Mapped["CommitteeMember | None"] = relationship(remote_side=[id])
    dismissed_by: Mapped[User | None] = relationship(foreign_keys=[dismissed_by_id])

    def serving_on(self, day: date) -> bool:
        """Whether the member served on ``day`` (the same rule as ``queries.serving_condition``)."""
        if self.term_starts_on is None or self.term_starts_on > day:
            return False
        if self.term_ends_on is not None and self.term_ends_on < day:
            return False
        if self.status is MemberStatus.DISMISSED:
            return self.left_on is not None and self.left_on > day
        return self.status in (MemberStatus.ACTIVE, MemberStatus.ENDED)

    @property
    def may_renew(self) -> bool:
        return self.category.appointed and self.renewals < MAX_RENEWALS

    def move_to(self, new_status: MemberStatus) -> None:
        if new_status is self.status:
            raise DomainError(_l("The member is already in this status."), field="status")
        if new_status not in MEMBER_TRANSITIONS[self.status]:
            raise DomainError(_l("A member cannot go from “%(current)s” to “%(new)s”.", current=self.status.label,
                                 new=new_status.label), field="status")
        self.status = new_status

    def appoint(self, by: User, now: datetime, starts_on: date, ends_on: date | None) -> None:
        self.move_to(MemberStatus.ACTIVE)
        self.appointed_at, self.appointed_by_id = now, by.id
        if self.category.appointed:
            self.term_starts_on, self.term_ends_on = starts_on, ends_on
        else:  # the director serves by office, without a term
            self.term_starts_on, self.term_ends_on = starts_on, None

    def renew(self, today: date) -> None:
        """연임: a second term of two years right after the first; only once (제12조⑥)."""
        if not self.category.appointed:
            raise DomainError(_l("The ex officio member serves by office and has no term to renew."))
        if not self.serving_on(today):
            raise DomainError(_l("Only a member who is serving can be renewed."))
        if self.renewals >= MAX_RENEWALS:
            raise DomainError(_l("This member's term was renewed once already; the ordinance allows only one "
                                 "renewal (article 12(6))."))
        new_start = self.term_ends_on + timedelta(days=1)
        self.term_ends_on = term_end(new_start)
        self.renewals += 1

    def dismiss(self, by: User, now: datetime, today: date, reason: DismissalReason, note: str) -> None:
        self.move_to(MemberStatus.DISMISSED)
        self.dismissal_reason, self.dismissal_note = reason, note
        self.dismissed_at, self.dismissed_by_id, self.left_on = now, by.id, today

    def end_term(self, day: date) -> None:
        if self.term_ends_on is None or self.term_ends_on >= day:
            raise DomainError(_l("This member's term has not ended yet."))
        self.move_to(MemberStatus.ENDED)
        self.left_on = self.term_ends_on


class CommitteeOfficer(db.Model):
    """The chair and vice-chair, elected by the members from among themselves (호선, 제12조③)."""

    __tablename__ = "committee_officers"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id", ondelete="CASCADE"), primary_key=True)
    office: Mapped[Office] = mapped_column(value_enum(Office), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), unique=True)
    elected_on: Mapped[date] = mapped_column(Date)
    present: Mapped[int] = mapped_column(Integer)
    votes_for: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[CommitteeMember] = relationship()
