"""Examiner pages: proctored attempts by risk, one attempt's flags and events, and
evidence frames (with the analysis drawn on them) for examiners and admins only."""
from flask import Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.access import ADMIN, EXAMINER, roles_required
from core.errors import NotFound
from core.extensions import db
from exam.models import Attempt
from proctoring import bp, storage
from proctoring.analysis import AnalysisFailed, AnalyzerUnavailable, get_analyzer
from proctoring.models import BrowserEventRecord, Frame, ProctorFlag, ProctorSession
from proctoring.worker import call


@bp.app_template_global("proctoring_for")
def proctoring_for(attempt: Attempt) -> dict | None:
    """Data attributes for proctor.js on an exam page, or None if the attempt is not supervised."""
    session = db.session.scalar(select(ProctorSession).where(ProctorSession.attempt_id == attempt.id))
    if session is None or not attempt.is_open:
        return None
    config = current_app.config
    next_sequence = (db.session.scalar(select(db.func.max(Frame.sequence)).where(Frame.attempt_id == attempt.id))
                     or 0) + 1
    return {
        "attempt": attempt.public_id,
        "frames-url": url_for("proctoring_api.post_frame", public_id=attempt.public_id),
        "events-url": url_for("proctoring_api.post_events", public_id=attempt.public_id),
        "interval": config["PROCTOR_FRAME_INTERVAL_SECONDS"],
        "jitter": config["PROCTOR_FRAME_JITTER_SECONDS"],
        "next-sequence": next_sequence,
    }


@bp.route("/attempts")
@roles_required(EXAMINER, ADMIN)
def attempts():
    rows = db.session.execute(
        select(ProctorSession, Attempt).join(Attempt, Attempt.id == ProctorSession.attempt_id)
        .order_by(ProctorSession.risk_score.desc(), Attempt.started_at.desc()).limit(200)
    ).all()
    return render_template("proctoring/attempts.html", rows=rows)


@bp.route("/attempts/<public_id>")
@roles_required(EXAMINER, ADMIN)
def report(public_id: str):
    attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    session = attempt and db.session.scalar(select(ProctorSession).where(ProctorSession.attempt_id == attempt.id))
    if session is None:
        raise NotFound(_("No proctoring record for this exam."))
    flags = db.session.scalars(select(ProctorFlag).where(ProctorFlag.attempt_id == attempt.id)
                               .order_by(ProctorFlag.started_at)).all()
    events = db.session.scalars(select(BrowserEventRecord).where(BrowserEventRecord.attempt_id == attempt.id)
                                .order_by(BrowserEventRecord.occurred_at)).all()
    kept = set(db.session.scalars(select(Frame.id).where(Frame.attempt_id == attempt.id, Frame.is_evidence.is_(True),
                                                          Frame.path.is_not(None))))
    return render_template("proctoring/report.html", attempt=attempt, session=session, flags=flags,
                           events=events, kept=kept)


@bp.route("/evidence/<int:frame_id>.jpg")
@roles_required(EXAMINER, ADMIN)
def evidence(frame_id: int):
    """An evidence frame with the analysis drawn on it (`?raw=1` for the picture as taken)."""
    frame = db.session.get(Frame, frame_id)
    if frame is None or not frame.is_evidence or frame.path is None:
        raise NotFound(_("This picture is not kept as evidence."))
    try:
        data = storage.read(frame.path)
    except FileNotFoundError as error:
        raise NotFound(_("This picture is not kept as evidence.")) from error
    if request.args.get("raw") != "1" and frame.result is not None:
        try:
            data = call(get_analyzer(current_app._get_current_object()).draw_overlay, data, frame.result)
        except (AnalysisFailed, AnalyzerUnavailable, TimeoutError):
            current_app.logger.warning("Overlay failed for frame %s; serving it as taken", frame_id)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response
