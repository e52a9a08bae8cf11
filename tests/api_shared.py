"""Helpers shared by the API test modules."""
from core.extensions import db
from exam.blueprints import DEFAULT_PASS_MARK, DEFAULT_TOPIC_COUNTS, update_blueprint
from exam.models import Attempt

QUESTIONS = sum(DEFAULT_TOPIC_COUNTS.values())


def set_mode(app, delivery_mode="per_question", seconds_per_question=15, **changes):
    with app.app_context():
        settings = {"topic_counts": dict(DEFAULT_TOPIC_COUNTS), "pass_mark": DEFAULT_PASS_MARK,
                    "delivery_mode": delivery_mode, "duration_seconds": 30 * 60,
                    "seconds_per_question": seconds_per_question, "by_user_id": None}
        settings.update(changes)
        update_blueprint("A", **settings)


def attempt_row(app, public_id) -> dict:
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        return {"state": attempt.state, "auto": attempt.auto_submitted, "correct": attempt.correct_count,
                "choices": [item.choice for item in attempt.items], "deadline": attempt.deadline_at}
