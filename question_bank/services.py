"""Question bank writes: validation and versioned saves."""
from typing import Any

from sqlalchemy import select

from core.extensions import db
from core.sim_classes import CLASS_CODES
from question_bank.images import image_exists
from question_bank.models import ACTIVE, TOPICS, Question, QuestionVersion, QuestionVersionClass

CONTENT_FIELDS = ("topic", "text_id", "text_en", "options", "explanation_id", "explanation_en", "reference", "image")


def _bilingual(value: Any, require_english: bool = True) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"].strip():
        return False
    english = value.get("en")
    return isinstance(english, str) and (english.strip() != "" or not require_english)


def question_problems(data: Any, require_english: bool = True) -> list[str]:
    """Everything wrong with one question in the data-file format (empty if valid).
    The staff editor may save a question whose English is still missing
    (`require_english=False`); imports and the bundled bank need both languages."""
    if not isinstance(data, dict):
        return ["not an object"]
    problems = []
    if not isinstance(data.get("code"), str) or not data["code"].strip():
        problems.append("missing code")
    if data.get("topic") not in TOPICS:
        problems.append(f"unknown topic {data.get('topic')!r}")
    classes = data.get("classes")
    if not isinstance(classes, list) or not classes or any(c not in CLASS_CODES for c in classes):
        problems.append(f"classes must be a non-empty list of {', '.join(CLASS_CODES)}")
    for field in ("text", "explanation"):
        if not _bilingual(data.get(field), require_english):
            problems.append(f"{field} needs both 'id' and 'en'")
    options = data.get("options")
    if not isinstance(options, list) or not 3 <= len(options) <= 4:
        problems.append("needs 3 or 4 options")
    else:
        if not all(_bilingual(o, require_english) for o in options):
            problems.append("every option needs both 'id' and 'en'")
        if sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True) != 1:
            problems.append("needs exactly one correct option")
    image = data.get("image")
    if image is not None and (not isinstance(image, str) or ".." in image or not image_exists(image)):
        problems.append(f"image {image!r} does not exist")
    return problems


def version_fields(data: dict) -> dict:
    """The stored form of a data-file question's content."""
    return {
        "topic": data["topic"],
        "text_id": data["text"]["id"].strip(),
        "text_en": data["text"]["en"].strip(),
        "options": [{"id": o["id"].strip(), "en": o["en"].strip(), "correct": o.get("correct") is True}
                    for o in data["options"]],
        "explanation_id": data["explanation"]["id"].strip(),
        "explanation_en": data["explanation"]["en"].strip(),
        "reference": (data.get("reference") or "").strip(),
        "image": data.get("image"),
    }


def save_version(question: Question, fields: dict, classes: list[str], by_user_id: int | None) -> QuestionVersion:
    """Add a new version of a question and make it current."""
    number = 1 + max((v.number for v in question.versions), default=0)
    version = QuestionVersion(question=question, number=number, created_by_id=by_user_id, **fields)
    version.classes = [QuestionVersionClass(sim_class=c) for c in sorted(set(classes))]
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    return version


def upsert_question(data: dict, by_user_id: int | None = None) -> str:
    """Create a question, or add a version if its content changed. Returns
    'created', 'updated' or 'unchanged'. The caller has validated `data`."""
    fields = version_fields(data)
    classes = sorted(set(data["classes"]))
    question = db.session.scalar(select(Question).where(Question.code == data["code"]))
    if question is None:
        question = Question(code=data["code"], status=ACTIVE)
        db.session.add(question)
        db.session.flush()
        save_version(question, fields, classes, by_user_id)
        return "created"
    current = question.current_version
    if current is not None and all(getattr(current, f) == fields[f] for f in CONTENT_FIELDS) \
            and current.class_codes == classes:
        return "unchanged"
    save_version(question, fields, classes, by_user_id)
    return "updated"
