"""The review queue: submitted attempts, highest risk first, filtered and paged."""
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from core.clock import LOCAL_ZONE, now_utc
from core.extensions import db
from exam.models import SUBMITTED, Application, Attempt
from proctoring.models import ProctorFlag, ProctorSession
from proctoring.rule_config import HIGH
from review.models import OUTCOMES, PENDING, Review

UNREVIEWED, REVIEWED, AUTO_CLEARED, ALL = "unreviewed", "reviewed", "auto", "all"
REVIEW_STATES = (UNREVIEWED, REVIEWED, AUTO_CLEARED, ALL)


@dataclass(frozen=True)
class QueueFilters:
    date_from: date | None = None
    date_to: date | None = None
    sim_class: str = ""
    outcome: str = ""  # "passed" / "failed" / ""
    flag_kind: str = ""
    reviewed: str = UNREVIEWED
    page: int = 1

    def args(self) -> dict:
        """The filters as query-string arguments (for paging links)."""
        values = {"date_from": self.date_from.isoformat() if self.date_from else None,
                  "date_to": self.date_to.isoformat() if self.date_to else None, "sim_class": self.sim_class,
                  "outcome": self.outcome, "flag_kind": self.flag_kind, "reviewed": self.reviewed}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class QueueRow:
    attempt: Attempt
    risk: int
    flag_count: int
    high_flags: int
    kinds: tuple[str, ...]
    review: Review | None
    claimed: bool

    @property
    def status(self) -> str:
        return self.review.status if self.review is not None else PENDING


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    filters: QueueFilters = field(default_factory=QueueFilters)


def local_day_start(day: date) -> datetime:
    """Local (WIB) midnight starting a day, as the naive UTC datetime the database stores."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE).astimezone(UTC).replace(tzinfo=None)


def submitted_between(query, date_from: date | None, date_to: date | None):
    if date_from is not None:
        query = query.where(Attempt.submitted_at >= local_day_start(date_from))
    if date_to is not None:
        query = query.where(Attempt.submitted_at < local_day_start(date_to + timedelta(days=1)))
    return query


def queue(filters: QueueFilters) -> QueuePage:
    """One page of the queue, ordered by risk (highest first), then oldest submission."""
    risk = func.coalesce(ProctorSession.risk_score, 0)
    query = (select(Attempt, Review, risk.label("risk"))
             .join(Application, Application.id == Attempt.application_id)
             .outerjoin(ProctorSession, ProctorSession.attempt_id == Attempt.id)
             .outerjoin(Review, Review.attempt_id == Attempt.id)
             .where(Attempt.state == SUBMITTED))
    query = submitted_between(query, filters.date_from, filters.date_to)
    if filters.sim_class:
        query = query.where(Application.sim_class == filters.sim_class)
    if filters.outcome in ("passed", "failed"):
        query = query.where(Attempt.passed.is_(filters.outcome == "passed"))
    if filters.flag_kind:
        query = query.where(select(ProctorFlag.id).where(ProctorFlag.attempt_id == Attempt.id,
                                                          ProctorFlag.kind == filters.flag_kind).exists())
    if filters.reviewed == UNREVIEWED:
        query = query.where(Review.id.is_(None) | (Review.status == PENDING))
    elif filters.reviewed == REVIEWED:
        query = query.where(Review.status.in_(OUTCOMES))
    elif filters.reviewed == AUTO_CLEARED:
        query = query.where(Review.auto_cleared.is_(True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    size = current_app.config["REVIEW_PAGE_SIZE"]
    pages = max(1, math.ceil(total / size))
    page = min(max(filters.page, 1), pages)
    found = db.session.execute(query.order_by(risk.desc(), Attempt.submitted_at, Attempt.id)
                               .limit(size).offset((page - 1) * size)).all()
    flags = _flag_summary([attempt.id for attempt, _, _ in found])
    now = now_utc()
    rows = [QueueRow(attempt, risk_value, *flags.get(attempt.id, (0, 0, ())), review,
                     review is not None and review.claim_holder(now) is not None)
            for attempt, review, risk_value in found]
    return QueuePage(rows, total, page, pages, filters)


def _flag_summary(attempt_ids: list[int]) -> dict[int, tuple[int, int, tuple[str, ...]]]:
    """attempt id -> (flags, high-severity flags, kinds) for one page of the queue."""
    summary: dict[int, list] = {}
    if attempt_ids:
        for attempt_id, kind, severity in db.session.execute(
                select(ProctorFlag.attempt_id, ProctorFlag.kind, ProctorFlag.severity)
                .where(ProctorFlag.attempt_id.in_(attempt_ids))):
            entry = summary.setdefault(attempt_id, [0, 0, set()])
            entry[0] += 1
            entry[1] += severity == HIGH
            entry[2].add(kind)
    return {key: (count, high, tuple(sorted(kinds))) for key, (count, high, kinds) in summary.items()}
