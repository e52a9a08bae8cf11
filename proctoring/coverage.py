"""How much of a supervised attempt the camera covered, from the server's own clock.

Frames count by the time the server received them (`Frame.received_at`), not the
browser's capture time, so a client cannot spread a few frames over the whole exam.
Frames waiting for analysis count (their result may still add flags); frames whose
analysis failed do not."""
from sqlalchemy import select

from core.extensions import db
from exam.models import Attempt
from proctoring.models import ANALYZED, QUEUED, Frame, ProctorSession
from proctoring.rule_config import DEFAULT_RULES
from proctoring.rules import Coverage, Flag, answer_pace_flags, coverage_flags, face_reuse_flags


def coverage_of(attempt: Attempt) -> Coverage:
    """The attempt's supervised window and the frames that cover it."""
    times = db.session.scalars(select(Frame.received_at).where(
        Frame.attempt_id == attempt.id, Frame.status.in_((ANALYZED, QUEUED)))).all()
    return Coverage(attempt.started_at, None if attempt.is_open else attempt.submitted_at, tuple(times))


def answer_times(attempt: Attempt) -> tuple:
    """(start, answer times) for the answering-pace rule."""
    return attempt.started_at, tuple(item.answered_at for item in attempt.items if item.answered_at)


def face_reuse(session: ProctorSession) -> tuple:
    """(start, how many other accounts' reference photos show this attempt's reference face)."""
    matches = session.check.face_matches if session.check is not None else None
    return session.attempt.started_at, len(matches or ())


def submission_findings(attempt: Attempt) -> list[Flag]:
    """What a submitted supervised attempt shows on its own, before any frame is re-read:
    missing video, an answering pace no reader keeps, a reference face another account
    used. Each rules out auto-clearing. Empty for an attempt that was not supervised."""
    session = db.session.scalar(select(ProctorSession).where(ProctorSession.attempt_id == attempt.id))
    if session is None:
        return []
    return (coverage_flags(coverage_of(attempt), DEFAULT_RULES) + answer_pace_flags(*answer_times(attempt), DEFAULT_RULES)
            + face_reuse_flags(*face_reuse(session)))
