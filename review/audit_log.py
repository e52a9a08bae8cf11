"""Browsing and exporting the audit trail (`core.audit`): filters by action, actor and
date, pages newest first, and a CSV export of everything that matches."""
import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from accounts.models import User
from core.audit import AuditEntry
from core.extensions import db
from review.queue import local_day_start

CSV_COLUMNS = ("id", "at_utc", "actor_id", "actor_email", "actor_role", "action", "target_type", "target_id",
               "details", "previous_hash", "entry_hash")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""  # e-mail or name fragment, or "system"
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def args(self) -> dict:
        values = {"action": self.action, "actor": self.actor,
                  "date_from": self.date_from.isoformat() if self.date_from else None,
                  "date_to": self.date_to.isoformat() if self.date_to else None}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class AuditPage:
    rows: list[tuple[AuditEntry, User | None]]
    total: int
    page: int
    pages: int


def _query(filters: AuditFilters):
    query = select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
    if filters.action:
        # "review." matches every review action; a full name matches itself.
        action = filters.action.strip()
        query = query.where(AuditEntry.action.startswith(action, autoescape=True) if action.endswith(".")
                            else AuditEntry.action == action)
    if filters.actor:
        actor = filters.actor.strip().lower()
        if actor == "system":
            query = query.where(AuditEntry.actor_id.is_(None))
        else:
            like = f"%{actor}%"
            query = query.where(or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like)))
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_day_start(filters.date_to + timedelta(days=1)))
    return query


def actions() -> list[str]:
    """Every action name in the trail (for the filter's choices)."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def browse(filters: AuditFilters) -> AuditPage:
    query = _query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    size = current_app.config["AUDIT_PAGE_SIZE"]
    pages = max(1, math.ceil(total / size))
    page = min(max(filters.page, 1), pages)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(size).offset((page - 1) * size)).all()
    return AuditPage([(entry, user) for entry, user in rows], total, page, pages)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_csv(filters: AuditFilters, batch: int = 500) -> Iterator[str]:
    """The matching entries as CSV, oldest first, produced in batches (for streaming)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    query = _query(filters).order_by(AuditEntry.id)
    for entry, user in db.session.execute(query.execution_options(yield_per=batch)):
        writer.writerow([_cell(v) for v in (
            entry.id, entry.at.isoformat(), entry.actor_id, user.email if user else "system", user.role if user else "",
            entry.action, entry.target_type, entry.target_id,
            json.dumps(entry.details, ensure_ascii=False, sort_keys=True), entry.previous_hash, entry.entry_hash)])
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
