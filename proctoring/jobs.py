"""Background jobs: analyse a frame, and re-derive an attempt's flags and risk score.

Each is a plain function of ids that needs only an app context (no request, no
signed-in user), so the worker pool runs them today and a task queue can later.
"""
import threading
from collections import defaultdict

from flask import current_app
from sqlalchemy import delete, select

from core.clock import now_utc
from core.extensions import db
from exam.models import Attempt
from proctoring import storage
from proctoring.analysis import AnalysisFailed, AnalyzerUnavailable, get_analyzer
from proctoring.coverage import answer_times, coverage_of, face_reuse
from proctoring.models import (
    ANALYZED,
    QUEUED,
    BrowserEventRecord,
    Frame,
    ProctorFlag,
    ProctorSession,
)
from proctoring.rule_config import DEFAULT_RULES
from proctoring.rules import BrowserEvent, FrameObservation, evaluate, frame_conditions
from proctoring.scoring import risk_score

# One refresh at a time per attempt within this process (FOR UPDATE covers other processes on PostgreSQL).
_attempt_locks: defaultdict[int, threading.Lock] = defaultdict(threading.Lock)
_locks_guard = threading.Lock()


def _attempt_lock(attempt_id: int) -> threading.Lock:
    with _locks_guard:
        return _attempt_locks[attempt_id]


# What `analyze_frame` did (a task's result).
DONE, FAILED_ANALYSIS, SKIPPED = "analyzed", "failed", "skipped"


def analyze_frame(frame_id: int) -> str:
    """Analyse one stored frame against the attempt's reference, then refresh the
    attempt's flags. Idempotent by frame id: a frame no longer queued is left alone
    (SKIPPED), and of two runs at once only the first to store its result refreshes the
    flags. A frame that cannot be analysed is marked failed (FAILED_ANALYSIS), not retried.
    Database errors propagate (the task queue retries them)."""
    frame = db.session.get(Frame, frame_id)
    if frame is None or frame.status != QUEUED:
        return SKIPPED
    attempt_id, path = frame.attempt_id, frame.path
    session = db.session.scalar(select(ProctorSession).where(ProctorSession.attempt_id == attempt_id))
    signature = session.check.signature if session is not None and session.check is not None else None
    db.session.rollback()  # no transaction stays open while the vision code runs
    try:
        if path is None:
            raise AnalysisFailed("the frame's file was deleted before analysis")
        analyzer = get_analyzer(current_app._get_current_object())
        result = analyzer.analyze_frame(storage.read(path), tuple(signature) if signature else None,
                                        memory_key=str(attempt_id))
    except (AnalysisFailed, AnalyzerUnavailable, FileNotFoundError) as error:
        current_app.logger.warning("Frame %s not analysed: %s", frame_id, error)
        settled = Frame.settle(frame_id, now_utc(), error=str(error) or type(error).__name__)
        db.session.commit()
        return FAILED_ANALYSIS if settled else SKIPPED
    if not Frame.settle(frame_id, now_utc(), analysis=result):
        db.session.rollback()
        return SKIPPED  # another delivery of this job stored its result first
    db.session.commit()
    refresh_flags(attempt_id)
    return DONE


def refresh_flags(attempt_id: int) -> int:
    """Re-run the rules over everything known about an attempt, replace its flags,
    keep the frames behind them as evidence, delete clean frames (with
    PROCTOR_DELETE_CLEAN_FRAMES) and store the risk score. Returns the score."""
    with _attempt_lock(attempt_id):
        session = db.session.scalar(
            select(ProctorSession).where(ProctorSession.attempt_id == attempt_id).with_for_update())
        if session is None:
            return 0
        attempt = db.session.get(Attempt, attempt_id)
        frames = db.session.scalars(select(Frame).where(Frame.attempt_id == attempt_id, Frame.status == ANALYZED)
                                    .order_by(Frame.sequence)).all()
        events = db.session.scalars(select(BrowserEventRecord).where(BrowserEventRecord.attempt_id == attempt_id)).all()
        observations = [FrameObservation(f.id, f.sequence, f.captured_at, f.result) for f in frames]
        until = max([f.captured_at for f in frames] + [e.occurred_at for e in events]
                    + ([attempt.submitted_at] if attempt.submitted_at else []), default=attempt.started_at)
        flags = evaluate(observations, [BrowserEvent(e.kind, e.occurred_at) for e in events], until, DEFAULT_RULES,
                         coverage=coverage_of(attempt),
                         answers=answer_times(attempt), face_reuse=face_reuse(session))

        db.session.execute(delete(ProctorFlag).where(ProctorFlag.attempt_id == attempt_id))
        db.session.add_all(ProctorFlag(
            attempt_id=attempt_id, kind=f.kind, severity=f.severity, started_at=f.start, ended_at=f.end,
            units=f.units, count=f.count, confidence=f.confidence, frame_ids=list(f.frame_ids)) for f in flags)
        evidence_ids = {frame_id for f in flags for frame_id in f.frame_ids}
        doomed = []
        now = now_utc()
        for frame in frames:
            if frame.id in evidence_ids and frame.path is not None:
                frame.keep_as_evidence()
            elif (current_app.config["PROCTOR_DELETE_CLEAN_FRAMES"] and not frame.is_evidence
                  and not frame_conditions(frame.result, DEFAULT_RULES)):
                doomed.append(frame.discard(now))
        score = session.risk_score = risk_score(flags, DEFAULT_RULES)
        session.flag_count = len(flags)
        session.updated_at = now
        db.session.commit()
    for path in doomed:  # only once the database no longer points at them
        storage.delete(path)
    return score
