"""GET /healthz for load balancers and monitors: 200 when this web process can serve
(the database answers), 503 otherwise, with what was checked. No session, no secrets."""
from flask import Blueprint, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from core.access import public
from core.extensions import db

bp = Blueprint("health", __name__)


def health() -> tuple[dict, bool]:
    """What this process sees: the database, and frames waiting for analysis longer than
    PROCTOR_STALE_QUEUE_SECONDS (a stuck or lost worker). Ready means the database answers."""
    from proctoring.models import Frame
    from proctoring.services import stale_queued

    report = {"database": "ok", "analysis": "in-process", "analysis_backlog": 0}
    try:
        db.session.execute(text("SELECT 1"))
        report["analysis_backlog"] = db.session.scalar(select(func.count(Frame.id)).where(*stale_queued())) or 0
    except SQLAlchemyError:
        db.session.rollback()
        report["database"] = "unreachable"
    ready = report["database"] == "ok"
    return {"status": "ok" if ready else "unavailable", "ready": ready, **report}, ready


@bp.get("/healthz")
@public
def healthz():
    report, ready = health()
    response = jsonify(report)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
