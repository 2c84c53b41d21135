"""Survey results: counts and percentages per question, bar charts drawn server-side as SVG geometry, a
cross-tabulation by a respondent question with small groups suppressed, and a CSV export without names.

Every figure comes from GROUP BY queries over the answers (a fixed number of queries per survey, whatever the
number of responses); the CSV streams answers ordered by response."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import func, select

from app.consultations.clock import utc_to_seoul
from app.extensions import db
from app.surveys.models import QuestionKind, SCALE, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

MIN_GROUP = 5  # groups with fewer answers than this are not shown in a cross-tabulation
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP = 360, 130, 20, 6


@dataclass
class Row:
    label: str
    count: int
    percent: float  # of the respondents who answered the question, one decimal
    width: float = 0.0  # bar length in chart units
    y: int = 0


@dataclass
class QuestionResult:
    question: SurveyQuestion
    respondents: int
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def chart_height(self) -> int:
        return max(len(self.rows), 1) * (BAR_HEIGHT + GAP)


def _percent(count: int, total: int) -> float:
    return round(count * 100 / total, 1) if total else 0.0


def _layout(rows: list[Row]) -> list[Row]:
    plot = CHART_WIDTH - LABEL_WIDTH - 60
    top = max((row.percent for row in rows), default=0) or 1
    for index, row in enumerate(rows):
        row.y = index * (BAR_HEIGHT + GAP)
        row.width = round(row.percent / top * plot, 1)
    return rows


def question_results(survey: Survey, *, with_texts: bool = False, text_limit: int = 20) -> list[QuestionResult]:
    """Three queries: respondents per question, counts per option/value, and (for staff) the latest texts."""
    question_ids = [q.id for q in survey.questions]  # answers are found by question: no join to responses
    respondents: dict[int, int] = {question_id: count for question_id, count in db.session.execute(
        select(SurveyAnswer.question_id, func.count(SurveyAnswer.response_id.distinct()))
        .where(SurveyAnswer.question_id.in_(question_ids)).group_by(SurveyAnswer.question_id))}
    counts: dict[int, dict] = {}
    for question_id, option_id, value, count in db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value, func.count())
            .where(SurveyAnswer.question_id.in_(question_ids), SurveyAnswer.text.is_(None))
            .group_by(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value)):
        counts.setdefault(question_id, {})[option_id if option_id is not None else value] = count
    texts: dict[int, list[str]] = {}
    if with_texts:
        text_questions = [q.id for q in survey.questions if q.kind.is_text]
        if text_questions:
            ranked = (select(SurveyAnswer.question_id, SurveyAnswer.text, func.row_number().over(
                partition_by=SurveyAnswer.question_id, order_by=SurveyAnswer.id.desc()).label("n"))
                .where(SurveyAnswer.question_id.in_(text_questions), SurveyAnswer.text.is_not(None)).subquery())
            for question_id, text in db.session.execute(
                    select(ranked.c.question_id, ranked.c.text).where(ranked.c.n <= text_limit)
                    .order_by(ranked.c.question_id, ranked.c.n)):
                texts.setdefault(question_id, []).append(text)
    results = []
    for question in survey.questions:
        total = respondents.get(question.id, 0)
        by_key = counts.get(question.id, {})
        result = QuestionResult(question=question, respondents=total, texts=texts.get(question.id, []))
        if question.kind.has_options:
            result.rows = _layout([Row(o.label, by_key.get(o.id, 0), _percent(by_key.get(o.id, 0), total))
                                   for o in question.options])
        elif question.kind is QuestionKind.SCALE:
            result.rows = _layout([Row(str(v), by_key.get(v, 0), _percent(by_key.get(v, 0), total)) for v in SCALE])
            result.mean = round(sum(v * by_key.get(v, 0) for v in SCALE) / total, 2) if total else None
        results.append(result)
    return results


@dataclass
class CrossTab:
    question: SurveyQuestion
    by: SurveyQuestion
    columns: list[str]
    groups: list[tuple[str, int, list[tuple[int, float]] | None]]  # (group, respondents, cells or None if suppressed)
    suppressed: int = 0


def crosstab(survey: Survey, question: SurveyQuestion, by: SurveyQuestion) -> CrossTab:
    """Answers to ``question`` per option of the respondent question ``by``; groups under MIN_GROUP are hidden."""
    answer, group = SurveyAnswer.__table__.alias("a"), SurveyAnswer.__table__.alias("g")
    key = answer.c.option_id if question.kind.has_options else answer.c.value
    pairs = (select(group.c.option_id, key, func.count()).select_from(answer)
             .join(group, (group.c.response_id == answer.c.response_id) & (group.c.question_id == by.id))
             .where(answer.c.question_id == question.id).group_by(group.c.option_id, key))
    sizes = (select(group.c.option_id, func.count(answer.c.response_id.distinct())).select_from(answer)
             .join(group, (group.c.response_id == answer.c.response_id) & (group.c.question_id == by.id))
             .where(answer.c.question_id == question.id).group_by(group.c.option_id))
    cells: dict[tuple[int, int], int] = {(g, k): n for g, k, n in db.session.execute(pairs)}
    size: dict[int, int] = {option_id: count for option_id, count in db.session.execute(sizes)}
    if question.kind.has_options:
        keys, columns = [o.id for o in question.options], [o.label for o in question.options]
    else:
        keys, columns = list(SCALE), [str(v) for v in SCALE]
    table = CrossTab(question=question, by=by, columns=columns, groups=[])
    for option in by.options:
        n = size.get(option.id, 0)
        if n == 0:
            continue
        if n < MIN_GROUP:
            table.groups.append((option.label, n, None))
            table.suppressed += 1
            continue
        table.groups.append((option.label, n, [(cells.get((option.id, k), 0), _percent(cells.get((option.id, k), 0), n))
                                               for k in keys]))
    return table


def csv_rows(survey: Survey) -> Iterator[str]:
    """The answers as CSV, one line per response, numbered in order; no names, emails or account ids."""
    questions = list(survey.questions)
    labels = {o.id: o.label for q in questions for o in q.options}
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        value = out.getvalue()
        out.seek(0)
        out.truncate(0)
        return value

    writer.writerow(["response", "answered_at_korea", *[q.text for q in questions]])
    yield "\ufeff" + flush()  # a byte-order mark so spreadsheet programs read Korean as UTF-8
    answers = db.session.execute(
        select(SurveyAnswer.response_id, SurveyResponse.updated_at, SurveyAnswer.question_id, SurveyAnswer.option_id,
               SurveyAnswer.value, SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.id)
        .execution_options(yield_per=2000))
    for number, (_, group) in enumerate(groupby(answers, key=lambda r: r.response_id), start=1):
        rows = list(group)
        by_question: dict[int, list[str]] = {}
        for row in rows:
            value = labels.get(row.option_id) if row.option_id is not None else (
                str(row.value) if row.value is not None else row.text or "")
            by_question.setdefault(row.question_id, []).append(value)
        writer.writerow([number, utc_to_seoul(rows[0].updated_at).strftime("%Y-%m-%d %H:%M"),
                         *["; ".join(by_question.get(q.id, [])) for q in questions]])
        yield flush()
