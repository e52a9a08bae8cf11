"""GET /healthz for load balancers and monitors: 200 when this web process can serve
(the database answers and, with PROCTOR_QUEUE=celery, so does the broker), 503
otherwise, naming what is unreachable. No session, no secrets."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from core.access import public
from core.extensions import db

bp = Blueprint("health", __name__)


def health() -> tuple[dict, bool]:
    """What this process sees: the database, the broker (Redis PING and the number of
    tasks waiting, with PROCTOR_QUEUE=celery), and frames waiting for analysis longer than
    PROCTOR_STALE_QUEUE_SECONDS (a stuck or lost worker). Ready means the database and
    the broker answer; `unreachable` lists those that do not."""
    from proctoring.models import Frame
    from proctoring.services import stale_queued

    celery = current_app.config["PROCTOR_QUEUE"] == "celery"
    report = {"database": "ok", "analysis": "celery" if celery else "in-process", "analysis_backlog": 0}
    try:
        db.session.execute(text("SELECT 1"))
        report["analysis_backlog"] = db.session.scalar(select(func.count(Frame.id)).where(*stale_queued())) or 0
    except SQLAlchemyError:
        db.session.rollback()
        report["database"] = "unreachable"
    if celery:
        report.update(broker_status())
    unreachable = [part for part in ("database", "broker") if report.get(part) == "unreachable"]
    ready = not unreachable
    return {"status": "ok" if ready else "unavailable", "ready": ready, "unreachable": unreachable, **report}, ready


def broker_status() -> dict:
    """{"broker": "ok" | "unreachable", "broker_queue": tasks waiting (when it answers)}."""
    from redis.exceptions import RedisError

    from core.celery_app import QUEUE

    client = current_app.extensions.get("health_redis")
    if client is None:
        import redis

        client = current_app.extensions["health_redis"] = redis.Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return {"broker": "ok", "broker_queue": client.llen(QUEUE)}
    except (RedisError, OSError):
        return {"broker": "unreachable"}


@bp.get("/healthz")
@public
def healthz():
    report, ready = health()
    response = jsonify(report)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
