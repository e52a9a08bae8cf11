"""Proctoring records: the system check (reference photo), the attempt's proctoring
session (risk score), frames, browser events and flags.

Records own their state: a frame is queued, then analysed or failed, and its file
is discarded or kept as evidence through methods that refuse an illegal move.
"""
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now_utc
from core.errors import Conflict
from core.extensions import db
from proctoring.analysis import FrameAnalysis

if TYPE_CHECKING:
    from exam.models import Attempt

QUEUED, ANALYZED, FAILED = "queued", "analyzed", "failed"


class SystemCheck(db.Model):
    """One camera check before an exam. A passing check keeps the reference photo and
    its identity signature; an attempt claims exactly one passing check."""

    __tablename__ = "proctor_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    analysis: Mapped[dict] = mapped_column(JSON, default=dict)
    signature: Mapped[list[float] | None] = mapped_column(JSON)
    photo_path: Mapped[str | None] = mapped_column(String(200))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"), unique=True)
    # The liveness step (`proctoring.liveness`): None when it was not asked for.
    liveness_status: Mapped[str | None] = mapped_column(String(10))
    liveness: Mapped[dict | None] = mapped_column(JSON)
    liveness_frames: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    liveness_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Other accounts whose reference photo shows the same face: [{user_id, check_id, distance}].
    face_matches: Mapped[list[dict] | None] = mapped_column(JSON)

    def claim(self, attempt: "Attempt") -> None:
        """Make this check the reference of an attempt; a check is used once."""
        if not self.passed:
            raise Conflict(_("The camera check did not pass. Take the check again before starting."))
        if self.attempt_id is not None:
            raise Conflict(_("This camera check was already used for an exam. Take the check again."))
        self.attempt_id = attempt.id

    def discard_photo(self) -> str | None:
        """Forget the reference photo (and its signature); returns the file to delete."""
        path, self.photo_path, self.signature = self.photo_path, None, None
        return path


class ProctorSession(db.Model):
    """Proctoring of one attempt: its reference check and its current risk score."""

    __tablename__ = "proctor_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    check_id: Mapped[int | None] = mapped_column(ForeignKey("proctor_checks.id", ondelete="SET NULL"))
    risk_score: Mapped[int] = mapped_column(Integer, default=0)
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    attempt: Mapped["Attempt"] = relationship()
    check: Mapped[SystemCheck | None] = relationship()


class Frame(db.Model):
    """One webcam frame of an attempt. `captured_at` is the client's time, clamped
    to the server's view of the attempt; `path` is None once the file is deleted."""

    __tablename__ = "proctor_frames"
    __table_args__ = (UniqueConstraint("attempt_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    client_time: Mapped[datetime] = mapped_column(DateTime)
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    analyzed_at: Mapped[datetime | None] = mapped_column(DateTime)
    analysis: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(200))
    is_evidence: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    @classmethod
    def settle(cls, frame_id: int, now: datetime, analysis: FrameAnalysis | None = None,
               error: str | None = None) -> bool:
        """Move a queued frame to analysed (with `analysis`) or failed (with `error`) in one
        UPDATE guarded by its status: of two deliveries of the same job (a retry, a
        redelivery after a lost worker), only the first changes the row. True if this
        call did; the caller commits."""
        values = ({"status": ANALYZED, "analysis": analysis.to_dict()} if analysis is not None
                  else {"status": FAILED, "error": (error or "analysis failed")[:200]})
        changed = db.session.execute(
            update(cls).where(cls.id == frame_id, cls.status == QUEUED).values(analyzed_at=now, **values)
            .execution_options(synchronize_session=False))
        return changed.rowcount == 1

    @property
    def result(self) -> FrameAnalysis | None:
        return FrameAnalysis.from_dict(self.analysis) if self.analysis is not None else None

    def keep_as_evidence(self) -> None:
        if self.path is None:
            raise Conflict(f"frame {self.id} has no file to keep")
        self.is_evidence = True

    def discard(self, now: datetime) -> str | None:
        """Forget the picture (the analysis stays); returns the file to delete."""
        path, self.path = self.path, None
        if path is not None:
            self.deleted_at = now
        return path


class BrowserEventRecord(db.Model):
    """One browser event; `client_id` (chosen by the browser) makes resending harmless."""

    __tablename__ = "proctor_events"
    __table_args__ = (UniqueConstraint("attempt_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    client_time: Mapped[datetime] = mapped_column(DateTime)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    detail: Mapped[dict | None] = mapped_column(JSON)


class ProctorFlag(db.Model):
    """A flag as last computed by `proctoring.rules.evaluate` (recomputed as a whole)."""

    __tablename__ = "proctor_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime] = mapped_column(DateTime)
    units: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float | None] = mapped_column(Float)
    frame_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
