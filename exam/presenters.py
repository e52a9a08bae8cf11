"""What the applicant's browser and the API may see of an attempt.

These are the only functions that turn attempt items into output, and they
never include which option is correct: the answer key stays on the server.
"""
from datetime import datetime

from flask import url_for

from core.clock import now_utc
from core.sim_classes import label
from exam.models import Attempt, AttemptItem
from question_bank.images import image_url
from question_bank.models import TOPICS
from review.status import review_summary


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def question_payload(item: AttemptItem) -> dict:
    version = item.version
    return {
        "position": item.position + 1,
        "topic": version.topic,
        "topic_label": {"id": TOPICS[version.topic][0], "en": TOPICS[version.topic][1]},
        "text": {"id": version.text_id, "en": version.text_en},
        "text_format": version.text_format,  # "html": the texts are sanitised HTML
        "image": image_url(item.version.image),
        "options": [
            {"key": key, "text": {"id": option["id"], "en": option["en"]}}
            for key, option in enumerate(item.displayed_options())
        ],
        "choice": item.choice,
        "flagged": item.flagged,
    }


def attempt_payload(attempt: Attempt) -> dict:
    now = now_utc()
    blueprint = attempt.blueprint
    item_deadline = attempt.item_deadline() if attempt.is_open else None
    return {
        "id": attempt.public_id,
        "state": attempt.state,
        "sim_class": attempt.application.sim_class,
        "sim_class_label": label(attempt.application.sim_class),
        "delivery_mode": blueprint.delivery_mode,
        "question_count": len(attempt.items),
        "pass_mark": blueprint.pass_mark,
        "started_at": iso(attempt.started_at),
        "deadline_at": iso(attempt.deadline_at),
        "server_now": iso(now),
        "seconds_left": attempt.seconds_left(now) if attempt.is_open else 0,
        "current_position": min(attempt.current_position, len(attempt.items) - 1) + 1,
        "question_deadline_at": iso(item_deadline),
        "question_seconds_left": max(0, int((item_deadline - now).total_seconds())) if item_deadline else None,
        "items": [
            {"position": item.position + 1, "answered": item.answered, "flagged": item.flagged}
            for item in attempt.items
        ],
    }


def result_payload(attempt: Attempt) -> dict:
    return {
        "id": attempt.public_id,
        "sim_class": attempt.application.sim_class,
        "sim_class_label": label(attempt.application.sim_class),
        "submitted_at": iso(attempt.submitted_at),
        "auto_submitted": attempt.auto_submitted,
        "correct": attempt.correct_count,
        "total": len(attempt.items),
        "score": attempt.score,
        "pass_mark": attempt.blueprint.pass_mark,
        "passed": attempt.passed,
        "by_topic": [
            {"topic": topic, "label": {"id": TOPICS[topic][0], "en": TOPICS[topic][1]}, **counts}
            for topic, counts in sorted((attempt.topic_results or {}).items())
        ],
        "verification_code": attempt.verification_code,
        "verification_url": url_for("exam.verify", code=attempt.verification_code, _external=True),
        # The examiners' review: outcome and reason category (never their notes), and what
        # it means for the certificate (pending_review / valid / invalidated / not_passed).
        "review": review_summary(attempt),
    }
