"""Review operations: open (and claim) a session, decide, override, mark flags,
auto-clear low-risk attempts. Every action is written to the audit trail in the same
transaction, and each function commits.

Audit actions written here: review.decision, review.override, review.auto_clear,
review.flag_mark, review.release, evidence.view_session, evidence.view_frame.
"""
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from accounts.models import User
from core.access import EXAMINER
from core.audit import record
from core.clock import now_utc
from core.errors import Conflict, Forbidden, NotFound
from core.extensions import db
from exam.models import SUBMITTED, Attempt
from proctoring.coverage import submission_findings
from proctoring.models import QUEUED, Frame, ProctorFlag, ProctorSession
from proctoring.rule_config import HIGH
from review.models import FLAG_VERDICTS, NO_ISSUE, PENDING, TECHNICAL_PROBLEM, VALID, FlagMark, Review

SYSTEM = "system"


def find_attempt(public_id: str) -> Attempt:
    """The attempt with this public id. Raises NotFound."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    if attempt is None:
        raise NotFound(_("Exam not found."))
    return attempt


def review_for(attempt: Attempt) -> Review:
    """The attempt's review, created pending if it has none yet (no commit)."""
    review = db.session.scalar(select(Review).where(Review.attempt_id == attempt.id))
    if review is None:
        review = Review(attempt_id=attempt.id, status=PENDING, decision_count=0, note="", auto_cleared=False,
                        created_at=now_utc())
        db.session.add(review)
    return review


@contextmanager
def _committed(message: str):
    """Run the block, then commit. A concurrent write to the same review (another
    examiner's decision, or the review created twice at once), noticed at an autoflush
    inside the block or at the commit, becomes a Conflict after a rollback."""
    try:
        yield
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        raise Conflict(message) from error


def _require_examiner(user: User) -> None:
    if user.role != EXAMINER:
        raise Forbidden(_("Only examiners decide on exam sessions."))


def _require_submitted(attempt: Attempt) -> None:
    if attempt.state != SUBMITTED:
        raise Conflict(_("This exam is still in progress; it can be reviewed once it is submitted."))


# --------------------------------------------------------------------------- opening and claims


def open_session(attempt: Attempt, user: User, frame_ids: list[int]) -> Review | None:
    """Record that `user` looked at a session's evidence, and claim it for an examiner
    when nobody else holds it (the claim lasts REVIEW_CLAIM_MINUTES). Returns the
    review (None for an attempt still in progress, which has none)."""
    now = now_utc()
    review = None
    with _committed(_("Someone else opened this session at the same moment; reload the page.")):
        if attempt.state == SUBMITTED:
            review = review_for(attempt)
            if user.role == EXAMINER and not review.is_decided and review.claim_holder(now) in (None, user.id):
                review.claim(user.id, now, current_app.config["REVIEW_CLAIM_MINUTES"])
        record("evidence.view_session", actor_id=user.id, target_type="attempt", target_id=attempt.public_id,
               details={"frames": frame_ids[:200]})
    return review


def record_frame_view(attempt: Attempt, frame: Frame, user: User) -> None:
    """Write `evidence.view_frame` when someone opens one frame of a session."""
    record("evidence.view_frame", actor_id=user.id, target_type="frame", target_id=frame.id,
           details={"attempt": attempt.public_id, "sequence": frame.sequence, "evidence": frame.is_evidence})
    db.session.commit()


def release(attempt: Attempt, user: User) -> None:
    """Give back the claim on a session. Raises Conflict if the user does not hold it."""
    review = db.session.scalar(select(Review).where(Review.attempt_id == attempt.id))
    if review is None:
        raise Conflict(_("You do not hold this session."))
    with _committed(_("This session changed meanwhile; reload the page.")):
        review.release(user.id, now_utc())
        record("review.release", actor_id=user.id, target_type="attempt", target_id=attempt.public_id)


# --------------------------------------------------------------------------- decisions


def decide(attempt: Attempt, examiner: User, *, outcome: str, reason: str, note: str = "",
           expected_count: int | None = None, override_reason: str | None = None) -> Review:
    """An examiner's verdict on a submitted attempt.

    Raises Forbidden for anyone but an examiner, Conflict for an attempt in progress,
    for a review decided by someone else since the examiner loaded it, or for
    replacing a decision / passing over another examiner's claim without an override
    reason, and ValidationError for a reason that does not fit the outcome."""
    _require_examiner(examiner)
    _require_submitted(attempt)
    risk = risk_of(attempt)
    with _committed(_("This session was decided by someone else at the same moment. "
                      "Reload the page to see that decision.")):
        review = review_for(attempt)
        now = now_utc()
        previous = {"status": review.status, "by": review.decided_by_id, "auto": review.auto_cleared,
                    "claimed_by": review.claim_holder(now)}
        decision = review.decide(outcome, reason, by_id=examiner.id, now=now, note=note,
                                 expected_count=expected_count, override_reason=override_reason)
        attempt.apply_review(valid=outcome == VALID, applicant_at_fault=reason != TECHNICAL_PROBLEM)
        details = {"outcome": outcome, "reason": reason, "note": decision.note, "risk": risk}
        if decision.override_reason is not None:
            details.update(override_reason=decision.override_reason, previous=previous)
        record("review.override" if decision.override_reason is not None else "review.decision",
               actor_id=examiner.id, target_type="attempt", target_id=attempt.public_id, details=details)
    return review


def mark_flag(attempt: Attempt, flag_id: int, verdict: str, examiner: User) -> FlagMark:
    """Mark one of the attempt's flags confirmed or dismissed (a new mark replaces the
    examiner's earlier one). Raises NotFound for another attempt's flag, Conflict
    while another examiner holds the session."""
    _require_examiner(examiner)
    if verdict not in FLAG_VERDICTS:
        raise NotFound(_("Unknown verdict."))
    flag = db.session.get(ProctorFlag, flag_id)
    if flag is None or flag.attempt_id != attempt.id:
        raise NotFound(_("This flag is not part of this session (it may have been recomputed); reload the page."))
    now = now_utc()
    review = db.session.scalar(select(Review).where(Review.attempt_id == attempt.id))
    if review is not None and review.claim_holder(now) not in (None, examiner.id):
        raise Conflict(_("Another examiner is reviewing this session."))
    with _committed(_("This flag was marked by someone else at the same moment; reload the page.")):
        mark = db.session.scalar(select(FlagMark).where(
            FlagMark.attempt_id == attempt.id, FlagMark.flag_kind == flag.kind,
            FlagMark.flag_started_at == flag.started_at))
        if mark is None:
            mark = FlagMark(attempt_id=attempt.id, flag_kind=flag.kind, flag_started_at=flag.started_at)
            db.session.add(mark)
        mark.verdict, mark.marked_by_id, mark.marked_at = verdict, examiner.id, now
        record("review.flag_mark", actor_id=examiner.id, target_type="attempt", target_id=attempt.public_id,
               details={"flag": flag.id, "kind": flag.kind, "severity": flag.severity,
                        "started_at": flag.started_at.isoformat(), "verdict": verdict})
    return mark


# --------------------------------------------------------------------------- auto-clear


def risk_of(attempt: Attempt) -> int:
    """The attempt's risk score (0 when it was not supervised)."""
    return db.session.scalar(select(ProctorSession.risk_score).where(ProctorSession.attempt_id == attempt.id)) or 0


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    risk: int
    high_flags: int
    queued_frames: int
    threshold: int
    findings: int = 0


def auto_clear_eligibility(attempt: Attempt) -> Eligibility:
    """Whether the attempt may be cleared without an examiner: risk below
    REVIEW_AUTO_CLEAR_BELOW, no high-severity flag, no frame still waiting for
    analysis (its flags could still change the score), and, when supervised, video
    covering the whole attempt and a human answering pace (`submission_findings`:
    missing evidence is never a clean record)."""
    threshold = current_app.config["REVIEW_AUTO_CLEAR_BELOW"]
    risk = risk_of(attempt)
    high = db.session.scalar(select(func.count(ProctorFlag.id)).where(
        ProctorFlag.attempt_id == attempt.id, ProctorFlag.severity == HIGH)) or 0
    queued = db.session.scalar(select(func.count(Frame.id)).where(
        Frame.attempt_id == attempt.id, Frame.status == QUEUED)) or 0
    findings = len(submission_findings(attempt))
    return Eligibility(risk < threshold and high == 0 and queued == 0 and findings == 0, risk, high, queued,
                       threshold, findings)


def auto_clear(attempt: Attempt) -> bool:
    """Clear a pending, unclaimed, submitted attempt as valid ("no issue found") by the
    system when it is eligible; returns whether it did. No commit: callers commit
    (the submission hook runs inside the submitting transaction)."""
    if attempt.state != SUBMITTED:
        return False
    review = review_for(attempt)
    now = now_utc()
    if review.is_decided or review.claim_holder(now) is not None:
        return False
    check = auto_clear_eligibility(attempt)
    if not check.eligible:
        return False
    review.decide(VALID, NO_ISSUE, by_id=None, now=now, auto=True,
                  note=f"Auto-cleared: risk {check.risk} < {check.threshold}, no high-severity flag, video throughout.")
    record("review.auto_clear", actor_id=None, target_type="attempt", target_id=attempt.public_id,
           details={"by": SYSTEM, "risk": check.risk, "threshold": check.threshold})
    return True


def on_submitted(attempt: Attempt) -> None:
    """Open the review of a just-submitted attempt and auto-clear it if it qualifies
    (receives `exam.signals.attempt_submitted` inside the submitting transaction)."""
    auto_clear(attempt)


def on_face_reuse(attempt: Attempt) -> None:
    """A reference face another account used turned up after the system cleared this
    attempt: back to the examiners' queue (receives `proctoring.signals.face_reuse_found`)."""
    review = db.session.scalar(select(Review).where(Review.attempt_id == attempt.id))
    if review is None or not review.reopen():
        return
    record("review.reopened", actor_id=None, target_type="attempt", target_id=attempt.public_id,
           details={"by": SYSTEM, "why": "face_reused"})
    db.session.commit()


@dataclass(frozen=True)
class SweepCounts:
    checked: int
    cleared: int


def auto_clear_pending() -> SweepCounts:
    """Try to auto-clear every submitted attempt that is still pending with a risk
    score below the threshold (those whose frames were still being analysed at
    submission, or submitted before this ran). Commits; safe to run as often as
    wanted (`flask --app app auto-clear`, and the sweeper thread)."""
    threshold = current_app.config["REVIEW_AUTO_CLEAR_BELOW"]
    pending = db.session.scalars(
        select(Attempt).outerjoin(Review, Review.attempt_id == Attempt.id)
        .outerjoin(ProctorSession, ProctorSession.attempt_id == Attempt.id)
        .where(Attempt.state == SUBMITTED, (Review.id.is_(None)) | (Review.status == PENDING),
               func.coalesce(ProctorSession.risk_score, 0) < threshold)
        .order_by(Attempt.id)).all()
    cleared = 0
    for attempt in pending:
        try:
            cleared += auto_clear(attempt)
            db.session.commit()
        except (StaleDataError, IntegrityError, Conflict):  # an examiner got there first
            db.session.rollback()
    return SweepCounts(len(pending), cleared)
