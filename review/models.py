"""Review records: one `Review` per submitted attempt (its current verdict and who
holds it), the history of decisions behind it, and examiners' marks on flags.

The review owns its state: `claim`, `release` and `decide` refuse an illegal move.
`decision_count` is also the row's version counter, so a decision written over
one that another examiner committed meanwhile fails at the database
(StaleDataError) instead of silently replacing it.
"""
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now_utc
from core.errors import Conflict, ValidationError
from core.extensions import db

if TYPE_CHECKING:
    from accounts.models import User
    from exam.models import Attempt

PENDING, VALID, INVALID = "pending", "valid", "invalid"
OUTCOMES = (VALID, INVALID)

ANOTHER_PERSON = "another_person"
IDENTITY_MISMATCH = "identity_mismatch"
AIDS_OR_DEVICE = "aids_or_device"
LEFT_EXAM = "left_exam"
TECHNICAL_PROBLEM = "technical_problem"
NO_ISSUE = "no_issue"

# Reason categories shown to examiners and (category only) to the applicant, in both languages.
REASONS: dict[str, dict[str, str]] = {
    ANOTHER_PERSON: {"id": "Ada orang lain", "en": "Another person present"},
    IDENTITY_MISMATCH: {"id": "Identitas tidak cocok", "en": "Identity mismatch"},
    AIDS_OR_DEVICE: {"id": "Memakai alat bantu atau perangkat lain", "en": "Use of aids or another device"},
    LEFT_EXAM: {"id": "Meninggalkan ujian / berpindah tab", "en": "Left the exam / tab switching"},
    TECHNICAL_PROBLEM: {"id": "Masalah teknis, bukan kesalahan peserta",
                        "en": "Technical problem, not the applicant's fault"},
    NO_ISSUE: {"id": "Tidak ada masalah", "en": "No issue found"},
}
REASONS_FOR: dict[str, tuple[str, ...]] = {
    VALID: (NO_ISSUE, TECHNICAL_PROBLEM),
    INVALID: (ANOTHER_PERSON, IDENTITY_MISMATCH, AIDS_OR_DEVICE, LEFT_EXAM, TECHNICAL_PROBLEM),
}

CONFIRMED, DISMISSED = "confirmed", "dismissed"
FLAG_VERDICTS = (CONFIRMED, DISMISSED)


class Review(db.Model):
    """The examiners' verdict on one submitted attempt. `status` is pending until the
    first decision; `decided_by_id` is None with `auto_cleared` for the system's."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    auto_cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    decision_count: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    attempt: Mapped["Attempt"] = relationship()
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])
    claimed_by: Mapped["User | None"] = relationship(foreign_keys=[claimed_by_id])
    decisions: Mapped[list["ReviewDecision"]] = relationship(
        back_populates="review", order_by="ReviewDecision.id", cascade="all, delete-orphan")

    __mapper_args__: ClassVar[dict] = {"version_id_col": decision_count, "version_id_generator": False}

    @property
    def is_decided(self) -> bool:
        return self.status in OUTCOMES

    def claim_holder(self, now: datetime) -> int | None:
        """Who holds the claim now (None when nobody does or it has expired)."""
        if self.claimed_by_id is None or self.claim_expires_at is None or self.claim_expires_at <= now:
            return None
        return self.claimed_by_id

    def claim(self, user_id: int, now: datetime, minutes: int) -> None:
        """Take (or extend) the claim. Raises Conflict while another examiner holds it."""
        holder = self.claim_holder(now)
        if holder is not None and holder != user_id:
            raise Conflict(_("Another examiner is reviewing this session."))
        self.claimed_by_id, self.claim_expires_at = user_id, now + timedelta(minutes=minutes)

    def release(self, user_id: int, now: datetime) -> None:
        """Give the claim back. Raises Conflict if the user does not hold it."""
        if self.claim_holder(now) != user_id:
            raise Conflict(_("You do not hold this session."))
        self.claimed_by_id = self.claim_expires_at = None

    def needs_override(self, user_id: int | None, now: datetime) -> bool:
        """A decision replaces an earlier one, or passes over another examiner's claim."""
        return self.is_decided or self.claim_holder(now) not in (None, user_id)

    def decide(self, outcome: str, reason: str, *, by_id: int | None, now: datetime, note: str = "",
               expected_count: int | None = None, override_reason: str | None = None,
               auto: bool = False) -> "ReviewDecision":
        """Record a verdict and return its history row (added through the relationship).

        Raises ValidationError for an unknown outcome or a reason that does not fit it;
        Conflict when the review changed since the examiner saw it (`expected_count`),
        or when the verdict would replace a decision or pass over another examiner's
        claim without an override reason (the system never overrides)."""
        if outcome not in OUTCOMES:
            raise ValidationError(_("Choose valid or invalid."))
        if reason not in REASONS_FOR[outcome]:
            raise ValidationError(_("Choose a reason that fits the decision."))
        if expected_count is not None and expected_count != self.decision_count:
            raise Conflict(_("This session was decided by someone else after you opened it. "
                             "Reload the page to see that decision."))
        override = self.needs_override(by_id, now)
        override_reason = (override_reason or "").strip()
        if override and (auto or not override_reason):
            raise Conflict(_("This session is already decided or claimed by another examiner. "
                             "To replace that, tick “override” and say why."))
        decision = ReviewDecision(
            outcome=outcome, reason=reason, note=note.strip(), decided_by_id=by_id, decided_at=now, auto=auto,
            previous_status=self.status, override_reason=override_reason if override else None)
        self.decisions.append(decision)
        self.status, self.reason, self.note, self.auto_cleared = outcome, reason, note.strip(), auto
        self.decided_by_id, self.decided_at = by_id, now
        self.decision_count += 1
        self.claimed_by_id = self.claim_expires_at = None
        return decision


    def reopen(self) -> bool:
        """Back to pending when new evidence comes in after the system cleared the
        attempt on its own; an examiner's decision stays. Returns whether it reopened
        (its history row stays: the system's decision did happen)."""
        if not (self.is_decided and self.auto_cleared):
            return False
        self.status, self.reason, self.auto_cleared = PENDING, None, False
        self.decided_by_id = self.decided_at = None
        self.decision_count += 1
        return True


class ReviewDecision(db.Model):
    """One decision on a review, kept forever (the review shows the latest)."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    previous_status: Mapped[str] = mapped_column(String(10))
    override_reason: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="decisions")
    decided_by: Mapped["User | None"] = relationship()


class FlagMark(db.Model):
    """An examiner's verdict on one proctoring flag. Flags are recomputed as a whole
    (new ids) while frames are still being analysed, so a mark is keyed by what
    identifies the finding: the attempt, the kind and when it started."""

    __tablename__ = "review_flag_marks"
    __table_args__ = (UniqueConstraint("attempt_id", "flag_kind", "flag_started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    flag_kind: Mapped[str] = mapped_column(String(30))
    flag_started_at: Mapped[datetime] = mapped_column(DateTime)
    verdict: Mapped[str] = mapped_column(String(10))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(DateTime)

    marked_by: Mapped["User | None"] = relationship()
