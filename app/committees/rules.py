"""The ordinance's arithmetic, as pure functions over counts (no database): easy to test at every boundary.

제12조⑤ gender share, 제15조③ the members' call, 제15조④ quorum and decision. All comparisons are on
integers (``count * 10 > total * 6`` rather than ``count / total > 0.6``) so that boundaries are exact."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.committees.models.membership import GENDER_SHARE


def gender_excess(counts: Counter) -> tuple[Any, int, int] | None:
    """(gender, its count, total) for a gender holding more than 6/10 of the appointed members, else None."""
    total = sum(counts.values())
    numerator, denominator = GENDER_SHARE
    for gender, count in sorted(counts.items(), key=lambda item: -item[1]):
        if count * denominator > total * numerator:
            return gender, count, total
    return None


def largest_share(counts: Counter) -> Fraction:
    total = sum(counts.values())
    return Fraction(max(counts.values()), total) if total else Fraction(0)


def gender_change_refused(before: Counter, after: Counter) -> tuple[Any, int, int] | None:
    """The excess that refuses a change of the appointed members, or None when the change may go ahead.

    A change that leaves the composition within the rule is fine. A composition already outside it
    (terms that ran out can do that) may still move towards the rule, never further away."""
    excess = gender_excess(after)
    if excess is None:
        return None
    if gender_excess(before) is not None and largest_share(after) < largest_share(before):
        return None
    return excess


def call_threshold_met(signatures: int, enrolled: int) -> bool:
    """제15조③: 재적위원 3분의 1 이상이 요구하는 경우."""
    return enrolled > 0 and signatures * 3 >= enrolled


def signatures_needed(enrolled: int) -> int:
    return -(-enrolled // 3)  # ceil(enrolled / 3)


@dataclass(frozen=True)
class Tally:
    """The count for one agenda item, after the recused members are taken out of both sides."""

    enrolled: int  # members serving on the meeting day, minus those recused from the item
    present: int  # of those, the ones present
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def quorum_needed(self) -> int:
        return self.enrolled // 2 + 1

    @property
    def has_quorum(self) -> bool:
        """제15조④: 재적위원 과반수의 출석으로 개의."""
        return self.enrolled > 0 and self.present * 2 > self.enrolled

    @property
    def majority_needed(self) -> int:
        return self.present // 2 + 1

    @property
    def passed(self) -> bool:
        """제15조④: 출석위원 과반수의 찬성으로 의결 — a majority of the members present, so an abstention
        counts as not in favour (the ordinance's words; "a majority of votes cast" would be looser)."""
        return self.has_quorum and self.votes_for * 2 > self.present
