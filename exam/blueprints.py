"""Exam blueprints per SIM class: defaults, the current version, and versioned edits."""
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit import record
from core.errors import ValidationError
from core.extensions import db
from core.sim_classes import CLASS_CODES
from exam.models import DELIVERY_MODES, FREE_NAVIGATION, ExamBlueprint
from question_bank.models import TOPICS

# The official theory test: 30 questions, at least 21 correct (score 70) to pass.
# Korlantas's current test gives hazard perception about a third of the paper
# (10 of 30 here); each class's blueprint can set its own share.
DEFAULT_TOPIC_COUNTS = {
    "regulations": 5,
    "signs": 5,
    "safe_driving": 4,
    "hazard_perception": 10,
    "ethics": 2,
    "vehicle": 2,
    "first_aid": 2,
}
# The defaults before hazard perception's share was raised: a blueprint still holding
# them was never edited, and `adopt_default_topic_counts` moves it to the new ones.
PREVIOUS_DEFAULT_TOPIC_COUNTS = (
    {"regulations": 6, "signs": 6, "safe_driving": 5, "hazard_perception": 5, "ethics": 3, "vehicle": 3,
     "first_aid": 2},
)
DEFAULT_PASS_MARK = 21
DEFAULT_DURATION_SECONDS = 30 * 60
DEFAULT_SECONDS_PER_QUESTION = 15


def ensure_default_blueprints() -> int:
    """Create the default blueprint for every class that has none. Returns how many were made."""
    have = set(db.session.scalars(select(ExamBlueprint.sim_class).distinct()))
    made = 0
    for code in CLASS_CODES:
        if code not in have:
            db.session.add(ExamBlueprint(
                sim_class=code, version=1, is_current=True, topic_counts=dict(DEFAULT_TOPIC_COUNTS),
                pass_mark=DEFAULT_PASS_MARK, delivery_mode=FREE_NAVIGATION,
                duration_seconds=DEFAULT_DURATION_SECONDS, seconds_per_question=DEFAULT_SECONDS_PER_QUESTION,
            ))
            made += 1
    db.session.commit()
    return made


def adopt_default_topic_counts() -> list[str]:
    """Give every class whose current blueprint still holds an earlier default topic mix
    the current default mix, as a new audited version (by the system). Blueprints staff
    have edited are left alone. Returns the classes moved."""
    moved = []
    for blueprint in current_blueprints():
        if blueprint.topic_counts in PREVIOUS_DEFAULT_TOPIC_COUNTS:
            update_blueprint(blueprint.sim_class, topic_counts=dict(DEFAULT_TOPIC_COUNTS),
                             pass_mark=blueprint.pass_mark, delivery_mode=blueprint.delivery_mode,
                             duration_seconds=blueprint.duration_seconds,
                             seconds_per_question=blueprint.seconds_per_question, by_user_id=None)
            moved.append(blueprint.sim_class)
    return moved


def current_blueprint(sim_class: str) -> ExamBlueprint:
    blueprint = db.session.scalar(
        select(ExamBlueprint).where(ExamBlueprint.sim_class == sim_class, ExamBlueprint.is_current.is_(True))
    )
    if blueprint is None:
        raise ValidationError(_("No exam is configured for this SIM class yet."))
    return blueprint


def current_blueprints() -> list[ExamBlueprint]:
    rows = db.session.scalars(select(ExamBlueprint).where(ExamBlueprint.is_current.is_(True))).all()
    return sorted(rows, key=lambda b: CLASS_CODES.index(b.sim_class))


def validate_blueprint(topic_counts: dict[str, int], pass_mark: int, delivery_mode: str,
                       duration_seconds: int, seconds_per_question: int) -> None:
    """Raise `ValidationError` naming the first thing wrong with a blueprint."""
    unknown = set(topic_counts) - set(TOPICS)
    if unknown:
        raise ValidationError(_("Unknown topic: %(topic)s.", topic=", ".join(sorted(unknown))))
    if any(count < 0 for count in topic_counts.values()):
        raise ValidationError(_("A topic cannot have a negative number of questions."))
    total = sum(topic_counts.values())
    if not 1 <= total <= 200:
        raise ValidationError(_("An exam must have between 1 and 200 questions."))
    if not 1 <= pass_mark <= total:
        raise ValidationError(_("The pass mark must be between 1 and the number of questions (%(total)s).", total=total))
    if delivery_mode not in DELIVERY_MODES:
        raise ValidationError(_("Unknown delivery mode."))
    if not 60 <= duration_seconds <= 4 * 3600:
        raise ValidationError(_("The total time must be between 1 and 240 minutes."))
    if not 5 <= seconds_per_question <= 600:
        raise ValidationError(_("The time per question must be between 5 and 600 seconds."))


def update_blueprint(sim_class: str, *, topic_counts: dict[str, int], pass_mark: int, delivery_mode: str,
                     duration_seconds: int, seconds_per_question: int, by_user_id: int | None) -> ExamBlueprint:
    """Make a new current version of a class's blueprint (written to the audit trail as
    `blueprint.update`). Papers already drawn keep pointing at the version they were drawn from."""
    validate_blueprint(topic_counts, pass_mark, delivery_mode, duration_seconds, seconds_per_question)
    previous = current_blueprint(sim_class)
    previous.is_current = False
    blueprint = ExamBlueprint(
        sim_class=sim_class, version=previous.version + 1, is_current=True,
        topic_counts={topic: count for topic, count in topic_counts.items() if count > 0},
        pass_mark=pass_mark, delivery_mode=delivery_mode, duration_seconds=duration_seconds,
        seconds_per_question=seconds_per_question, created_by_id=by_user_id,
    )
    db.session.add(blueprint)
    fields = ("topic_counts", "pass_mark", "delivery_mode", "duration_seconds", "seconds_per_question")
    record("blueprint.update", actor_id=by_user_id, target_type="blueprint", target_id=sim_class, details={
        "version": blueprint.version, "previous_version": previous.version,
        "changed": {name: {"from": getattr(previous, name), "to": getattr(blueprint, name)}
                    for name in fields if getattr(previous, name) != getattr(blueprint, name)},
    })
    db.session.commit()
    return blueprint
