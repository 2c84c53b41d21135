"""The respondent questions of the Asan resident survey (003:375: 거주지, 거주기간, 성별, 연령) with fixed options.

Options are survey content, written in Korean like the rest of a survey's text; districts come from the
city's list of 읍·면·동."""
from __future__ import annotations

from app.districts import DISTRICTS
from app.surveys.models import Demographic

QUESTIONS = {
    Demographic.DISTRICT: ("사는 곳(읍·면·동)", [ko for _, ko, _ in DISTRICTS]),
    Demographic.YEARS: ("아산시에 산 기간", ["1년 미만", "1~5년", "6~10년", "11~20년", "20년 넘게"]),
    Demographic.SEX: ("성별", ["남자", "여자"]),
    Demographic.AGE: ("나이", ["10대", "20대", "30대", "40대", "50대", "60대 이상"]),
}

DEFAULT_CONSENT_NOTICE = (
    "응답자 정보(사는 곳, 산 기간, 성별, 나이)는 통계를 내는 데에만 쓰고, 이름이나 연락처와 함께 보관하지 않습니다. "
    "답하지 않아도 설문에 참여할 수 있습니다. 5명보다 적은 집단의 결과는 공개하지 않습니다."
)
