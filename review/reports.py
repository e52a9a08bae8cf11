"""The reports dashboard: attempts per day, pass rate per class, flag rates per kind,
the review backlog and the median time to a decision, for a date range (by the day
an attempt was submitted, local WIB dates). Reads only."""
import csv
import io
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from core.clock import local_date, now_utc
from core.extensions import db
from core.sim_classes import CLASS_CODES
from exam.models import SUBMITTED, Application, Attempt
from proctoring.models import ProctorFlag, ProctorSession
from proctoring.rules import FLAG_KINDS
from review.models import INVALID, PENDING, Review, ReviewDecision
from review.queue import submitted_between

MAX_DAYS = 366


@dataclass(frozen=True)
class ClassRate:
    sim_class: str
    attempts: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class FlagRate:
    kind: str
    attempts: int  # supervised attempts with at least one flag of this kind
    supervised: int

    @property
    def rate(self) -> float:
        return self.attempts / self.supervised if self.supervised else 0.0


@dataclass(frozen=True)
class Report:
    date_from: date
    date_to: date
    per_day: list[tuple[date, int]]
    pass_rates: list[ClassRate]
    flag_rates: list[FlagRate]
    backlog: int
    backlog_oldest_hours: float | None
    decided: int
    auto_cleared: int
    invalidated: int
    median_hours_to_decision: float | None


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(days=29), today


def build_report(date_from: date, date_to: date) -> Report:
    """The dashboard's numbers for attempts submitted from `date_from` to `date_to`
    (inclusive; at most MAX_DAYS days are shown per day)."""
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    date_from = max(date_from, date_to - timedelta(days=MAX_DAYS - 1))
    rows = db.session.execute(submitted_between(
        select(Attempt.id, Attempt.submitted_at, Attempt.passed, Application.sim_class)
        .join(Application, Application.id == Attempt.application_id).where(Attempt.state == SUBMITTED),
        date_from, date_to)).all()
    scope = submitted_between(select(Attempt.id).where(Attempt.state == SUBMITTED), date_from, date_to)

    counts = {date_from + timedelta(days=i): 0 for i in range((date_to - date_from).days + 1)}
    by_class: dict[str, list[int]] = {}
    for row in rows:
        day = local_date(row.submitted_at)
        if day in counts:
            counts[day] += 1
        entry = by_class.setdefault(row.sim_class, [0, 0])
        entry[0] += 1
        entry[1] += bool(row.passed)
    pass_rates = [ClassRate(code, *by_class[code]) for code in CLASS_CODES if code in by_class]

    supervised = db.session.scalar(select(func.count(ProctorSession.id)).where(ProctorSession.attempt_id.in_(scope)))
    flagged: dict[str, int] = dict(db.session.execute(
        select(ProctorFlag.kind, func.count(func.distinct(ProctorFlag.attempt_id)))
        .where(ProctorFlag.attempt_id.in_(scope)).group_by(ProctorFlag.kind)).all())
    flag_rates = [FlagRate(kind, flagged.get(kind, 0), supervised) for kind in FLAG_KINDS]

    return Report(date_from, date_to, sorted(counts.items()), pass_rates, flag_rates, *_backlog(),
                  *_decisions(scope))


def _backlog() -> tuple[int, float | None]:
    """Submitted attempts still waiting for a decision (any date), and the age of the oldest."""
    pending = (select(func.count(Attempt.id), func.min(Attempt.submitted_at))
               .outerjoin(Review, Review.attempt_id == Attempt.id)
               .where(Attempt.state == SUBMITTED, Review.id.is_(None) | (Review.status == PENDING)))
    count, oldest = db.session.execute(pending).one()
    age = (now_utc() - oldest).total_seconds() / 3600 if oldest else None
    return count or 0, age


def _decisions(scope) -> tuple[int, int, int, float | None]:
    """(decided, auto-cleared, invalidated, median hours from submission to the first
    examiner decision) for the attempts in `scope` (a select of attempt ids)."""
    reviews = db.session.execute(select(Review.status, Review.auto_cleared).where(
        Review.attempt_id.in_(scope), Review.status != PENDING)).all()
    first = (select(Review.attempt_id, func.min(ReviewDecision.decided_at).label("first_at"))
             .join(ReviewDecision, ReviewDecision.review_id == Review.id)
             .where(Review.attempt_id.in_(scope), ReviewDecision.auto.is_(False))
             .group_by(Review.attempt_id).subquery())
    waits = [(first_at - submitted_at).total_seconds() / 3600 for submitted_at, first_at in db.session.execute(
        select(Attempt.submitted_at, first.c.first_at).join(first, first.c.attempt_id == Attempt.id))]
    return (len(reviews), sum(1 for _, auto in reviews if auto), sum(1 for status, _ in reviews if status == INVALID),
            statistics.median(waits) if waits else None)


def report_csv(report: Report) -> str:
    """The report as CSV rows: section, key, value(s)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "count", "total", "rate"])
    for day, count in report.per_day:
        writer.writerow(["attempts_per_day", day.isoformat(), count, "", ""])
    for rate in report.pass_rates:
        writer.writerow(["pass_rate", rate.sim_class, rate.passed, rate.attempts, f"{rate.rate:.4f}"])
    for rate in report.flag_rates:
        writer.writerow(["flag_rate", rate.kind, rate.attempts, rate.supervised, f"{rate.rate:.4f}"])
    writer.writerow(["review", "backlog", report.backlog, "", ""])
    writer.writerow(["review", "backlog_oldest_hours",
                     "" if report.backlog_oldest_hours is None else f"{report.backlog_oldest_hours:.2f}", "", ""])
    writer.writerow(["review", "decided", report.decided, "", ""])
    writer.writerow(["review", "auto_cleared", report.auto_cleared, "", ""])
    writer.writerow(["review", "invalidated", report.invalidated, "", ""])
    writer.writerow(["review", "median_hours_to_decision",
                     "" if report.median_hours_to_decision is None else f"{report.median_hours_to_decision:.2f}",
                     "", ""])
    return out.getvalue()
