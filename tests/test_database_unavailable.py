"""A locked database: the answer is refused with 503 and Retry-After (nothing half
saved), and the same answer sent again once the lock is gone is stored."""
import sqlite3

from core.extensions import db
from exam.models import Attempt


def test_a_locked_database_answers_503_with_retry_after_and_the_retry_saves(app, started, applicant_api):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the database (busy_timeout runs out)
    try:
        refused = applicant_api.answer(started["id"], 1, 2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"].isdigit() and refused.get_json()["error"]

    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == started["id"]))
        assert attempt.items[0].choice is None and attempt.is_open

    retried = applicant_api.answer(started["id"], 1, 2)
    assert retried.status_code == 200 and retried.get_json()["question"]["choice"] == 2
