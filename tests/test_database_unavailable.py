"""A locked database: the answer is refused with 503 and Retry-After (nothing half
saved), and the same answer sent again once the lock is gone is stored. /healthz
reports a database that does not answer."""
from databases import writes_blocked
from sqlalchemy.exc import OperationalError

from core import health
from core.extensions import db
from exam.models import Attempt


def test_a_locked_database_answers_503_with_retry_after_and_the_retry_saves(app, started, applicant_api):
    with writes_blocked(app.config["SQLALCHEMY_DATABASE_URI"]):  # until the lock wait runs out
        refused = applicant_api.answer(started["id"], 1, 2)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"].isdigit() and refused.get_json()["error"]

    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == started["id"]))
        assert attempt.items[0].choice is None and attempt.is_open

    retried = applicant_api.answer(started["id"], 1, 2)
    assert retried.status_code == 200 and retried.get_json()["question"]["choice"] == 2


def test_healthz_says_ready_and_503_when_the_database_is_gone(app, monkeypatch):
    client = app.test_client()
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json() == {
        "status": "ok", "ready": True, "unreachable": [], "database": "ok", "analysis": "in-process",
        "analysis_backlog": 0}
    assert ok.headers["Cache-Control"] == "no-store"

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health.db.session, "execute", unreachable)
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.get_json()["database"] == "unreachable" and down.get_json()["ready"] is False
    assert down.get_json()["unreachable"] == ["database"]
