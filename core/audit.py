"""Append-only audit trail with a hash chain.

Each entry stores the hash of the entry before it, and its own hash covers its
content plus that previous hash. Changing, inserting or deleting a row breaks
the chain from that row on, which `verify_chain` reports.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now_utc
from core.extensions import db

GENESIS = "0" * 64
# PostgreSQL advisory lock that serialises appends (any constant: this app's only advisory lock).
APPEND_LOCK_KEY = 0x5150_A0D1


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        payload = json.dumps(
            {
                "id": self.id, "at": self.at.isoformat(), "actor_id": self.actor_id, "action": self.action,
                "target_type": self.target_type, "target_id": self.target_id, "details": self.details,
                "previous_hash": self.previous_hash,
            },
            sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(action: str, *, actor_id: int | None, target_type: str, target_id: object = "",
           details: dict | None = None) -> AuditEntry:
    """Append an entry in the caller's transaction (the caller commits).

    Appends are serialised for the rest of the transaction. On PostgreSQL `SELECT ...
    FOR UPDATE` on the last entry is not enough: a second transaction waiting for that
    row's lock gets the same row once the first commits (ORDER BY and LIMIT are not
    evaluated again), takes the same id and fails on the primary key (seen as 500s on
    simultaneous submits under load). A transaction-scoped advisory lock, taken before
    reading, makes the read see every append committed before it. SQLite has one writer
    at a time, but Python's driver opens the transaction at the first write, after the
    read: a write that changes nothing takes the writer's lock first."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    elif dialect == "sqlite":
        db.session.execute(text("UPDATE audit_entries SET id = id WHERE 0"))
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        id=(last.id + 1) if last else 1, at=now_utc(), actor_id=actor_id, action=action,
        target_type=target_type, target_id=str(target_id), details=details or {},
        previous_hash=last.entry_hash if last else GENESIS,
    )
    entry.entry_hash = entry.compute_hash()
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain() -> ChainReport:
    """Walk the chain in id order; report the first entry that does not fit."""
    previous_hash, expected_id, checked = GENESIS, 1, 0
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(500):
        if entry.id != expected_id:
            return ChainReport(checked, entry.id, f"entry {expected_id} is missing")
        if entry.previous_hash != previous_hash:
            return ChainReport(checked, entry.id, "previous-hash link does not match the entry before")
        if entry.compute_hash() != entry.entry_hash:
            return ChainReport(checked, entry.id, "content does not match its hash (modified)")
        previous_hash, expected_id, checked = entry.entry_hash, expected_id + 1, checked + 1
    return ChainReport(checked, None, None)
