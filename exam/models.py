"""Exam blueprints, applications (registrations for a class), attempts and their items.

The attempt owns its state: `answer`, `flag`, `advance_if_due` and `submit`
raise on an illegal move, and views never set state fields directly.
"""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now_utc
from core.errors import Conflict, NotFound, ValidationError
from core.extensions import db
from question_bank.models import QuestionVersion

FREE_NAVIGATION = "free"
TIMED_PER_QUESTION = "per_question"
DELIVERY_MODES = (FREE_NAVIGATION, TIMED_PER_QUESTION)

# Per-question mode: an answer sent up to this long after a question's timer ran out
# still counts (network latency), and the next question's timer starts only then.
PAGE_CHANGE_SECONDS = 2

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"

# An examiner's verdict as it bears on the retake rules: an invalidated attempt counts
# as a failed try; a voided one (invalid through no fault of the applicant) does not count.
INVALIDATED = "invalidated"
VOIDED = "voided"


class ExamBlueprint(db.Model):
    """One version of a class's exam specification. Edits add a new row and make it
    current; attempts keep the row they were drawn from."""

    __tablename__ = "exam_blueprints"
    __table_args__ = (UniqueConstraint("sim_class", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sim_class: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    topic_counts: Mapped[dict[str, int]] = mapped_column(JSON)
    pass_mark: Mapped[int] = mapped_column(Integer)
    delivery_mode: Mapped[str] = mapped_column(String(20))
    duration_seconds: Mapped[int] = mapped_column(Integer)
    seconds_per_question: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def question_count(self) -> int:
        return sum(self.topic_counts.values())

    @property
    def total_seconds(self) -> int:
        """The whole attempt's time limit."""
        if self.delivery_mode == TIMED_PER_QUESTION:
            return self.question_count * (self.seconds_per_question + PAGE_CHANGE_SECONDS)
        return self.duration_seconds


class Application(db.Model):
    """A registration to take the theory exam for one SIM class. Retakes are
    counted within it; once exhausted the applicant registers again."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sim_class: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    attempts: Mapped[list["Attempt"]] = relationship(back_populates="application", order_by="Attempt.id")


OPEN_ATTEMPT_CONDITION = text("state = 'in_progress'")


class Attempt(db.Model):
    __tablename__ = "attempts"
    # At most one attempt in progress per registration, whatever races the application makes.
    __table_args__ = (Index("uq_attempts_one_open_per_application", "application_id", unique=True,
                            sqlite_where=OPEN_ATTEMPT_CONDITION, postgresql_where=OPEN_ATTEMPT_CONDITION),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprints.id"))
    seed: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS, index=True)
    consent_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    deadline_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    current_position: Mapped[int] = mapped_column(Integer, default=0)
    current_shown_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    auto_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    topic_results: Mapped[dict | None] = mapped_column(JSON)
    verification_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    review_outcome: Mapped[str | None] = mapped_column(String(12))

    application: Mapped[Application] = relationship(back_populates="attempts")
    blueprint: Mapped[ExamBlueprint] = relationship()
    user = relationship("User")
    items: Mapped[list["AttemptItem"]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state == IN_PROGRESS

    @property
    def per_question(self) -> bool:
        return self.blueprint.delivery_mode == TIMED_PER_QUESTION

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.deadline_at - now).total_seconds()))

    def item_deadline(self) -> datetime | None:
        """Deadline of the current question in per-question mode."""
        if not self.per_question or self.current_shown_at is None:
            return None
        return self.current_shown_at + timedelta(seconds=self.blueprint.seconds_per_question)

    def item(self, position: int) -> "AttemptItem":
        if not 0 <= position < len(self.items):
            raise NotFound(_("There is no question %(number)s in this exam.", number=position + 1))
        return self.items[position]

    def ensure_open(self, now: datetime, grace_seconds: int = 0) -> None:
        if not self.is_open:
            if self.auto_submitted:
                raise Conflict(_("Time is up: your exam was submitted automatically with the answers saved before the deadline."))
            raise Conflict(_("This exam has already been submitted."))
        if now > self.deadline_at + timedelta(seconds=grace_seconds):
            raise Conflict(_("Time is up: the exam's deadline has passed, so no more answers are accepted."))

    def advance_if_due(self, now: datetime) -> None:
        """In per-question mode, move past every question whose own timer (plus the
        page-change allowance) has run out."""
        if not self.per_question or not self.is_open:
            return
        step = timedelta(seconds=self.blueprint.seconds_per_question + PAGE_CHANGE_SECONDS)
        while self.current_position < len(self.items) and now > self.current_shown_at + step:
            self.current_shown_at = self.current_shown_at + step
            self.current_position += 1

    def go_to(self, position: int, now: datetime) -> None:
        self.item(position)
        if self.per_question:
            if position != self.current_position:
                raise Conflict(_("In this exam each question has its own timer and you cannot go back or skip ahead."))
            return
        self.current_position = position

    def answer(self, position: int, choice: int, now: datetime, grace_seconds: int = 0) -> "AttemptItem":
        self.ensure_open(now, grace_seconds)
        item = self.item(position)
        if not 0 <= choice < len(item.option_order):
            raise ValidationError(_("That answer option does not exist."))
        if self.per_question:
            self.advance_if_due(now)
            if position != self.current_position:
                raise Conflict(_("This question's time is over; it can no longer be answered."))
            self.current_position += 1
            self.current_shown_at = now
        else:
            self.current_position = position
        item.choice = choice
        item.answered_at = now
        return item

    def skip(self, position: int, now: datetime) -> None:
        """Per-question mode: leave the current question unanswered and move on."""
        self.ensure_open(now)
        if not self.per_question:
            raise Conflict(_("Questions can be skipped only when they are timed one by one."))
        self.advance_if_due(now)
        if position != self.current_position:
            raise Conflict(_("This question's time is over; it can no longer be answered."))
        self.current_position += 1
        self.current_shown_at = now

    def flag(self, position: int, flagged: bool, now: datetime) -> "AttemptItem":
        self.ensure_open(now)
        if self.per_question:
            raise Conflict(_("Flagging for review is not available when questions are timed one by one."))
        item = self.item(position)
        item.flagged = flagged
        return item

    def apply_review(self, valid: bool, applicant_at_fault: bool) -> None:
        """Record an examiner's verdict for the retake rules (see INVALIDATED, VOIDED)."""
        if self.is_open:
            raise Conflict(_("This exam is still in progress; it can be reviewed once it is submitted."))
        self.review_outcome = None if valid else (INVALIDATED if applicant_at_fault else VOIDED)

    @property
    def counts_as_pass(self) -> bool:
        return bool(self.passed) and self.review_outcome is None

    @property
    def counts_as_fail(self) -> bool:
        return (self.passed is False and self.review_outcome != VOIDED) or self.review_outcome == INVALIDATED

    def record_result(self, result, now: datetime, auto: bool, verification_code: str) -> None:
        """Close the attempt with its grading result (see `exam.grading.grade`)."""
        if not self.is_open:
            raise Conflict(_("This exam has already been submitted."))
        for item, correct in zip(self.items, result.item_correct):
            item.correct = correct
        self.state = SUBMITTED
        self.submitted_at = min(now, self.deadline_at) if auto else now
        self.auto_submitted = auto
        self.correct_count = result.correct
        self.score = result.score
        self.passed = result.passed
        self.topic_results = result.by_topic
        self.verification_code = verification_code


class AttemptItem(db.Model):
    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    option_order: Mapped[list[int]] = mapped_column(JSON)
    choice: Mapped[int | None] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    correct: Mapped[bool | None] = mapped_column(Boolean)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()

    @property
    def answered(self) -> bool:
        return self.choice is not None

    def displayed_options(self) -> list[dict]:
        """The options in the order this applicant sees them (with the `correct` key)."""
        return [self.version.options[i] for i in self.option_order]
