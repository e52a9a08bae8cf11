"""Question bank writes: validation and versioned saves."""
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.sim_classes import CLASS_CODES
from question_bank.images import image_exists
from question_bank.models import ACTIVE, HTML, PLAIN, TOPICS, Question, QuestionVersion, QuestionVersionClass

CONTENT_FIELDS = ("topic", "text_id", "text_en", "options", "explanation_id", "explanation_en", "reference", "image",
                  "text_format")
LANGUAGES = ("id", "en")


def _bilingual(value: Any, require_english: bool = True) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"].strip():
        return False
    english = value.get("en")
    return isinstance(english, str) and (english.strip() != "" or not require_english)


def _text(value: Any, lang: str) -> str:
    return value.get(lang) or "" if isinstance(value, dict) and isinstance(value.get(lang), str | None) else ""


def needs_translation(data: dict) -> bool:
    """Whether the text, an option or the explanation lacks one of the two languages."""
    fields = [data.get("text"), data.get("explanation"), *(data.get("options") or [])]
    return any(not _text(value, lang).strip() for value in fields for lang in LANGUAGES)


def _monolingual_problems(data: dict) -> list[str]:
    """For imports that may bring one language only: the text and every option must be
    complete in one language; the explanation may still be missing (translation needed)."""
    options = data.get("options") if isinstance(data.get("options"), list) else []
    complete = [lang for lang in LANGUAGES if _text(data.get("text"), lang).strip()
                and all(_text(o, lang).strip() for o in options)]
    if complete:
        return []
    if not any(_text(data.get("text"), lang).strip() for lang in LANGUAGES):
        return [_("the question text is empty")]
    return [_("the question text and every option need a text in one same language")]


def question_problems(data: Any, require_english: bool = True, *, monolingual: bool = False,
                      min_options: int = 3) -> list[str]:
    """Everything wrong with one question in the data-file format (empty if valid).
    The staff editor may save a question whose English is still missing
    (`require_english=False`); the bundled bank and the JSON and CSV imports need both
    languages. Moodle, GIFT and Aiken imports (`monolingual=True`) accept a question in
    either language, marked as needing translation, and two-option (true/false)
    questions (`min_options=2`)."""
    if not isinstance(data, dict):
        return [_("not an object")]
    problems = []
    if not isinstance(data.get("code"), str) or not data["code"].strip():
        problems.append(_("missing code"))
    if data.get("topic") not in TOPICS:
        problems.append(_("unknown topic %(topic)s", topic=repr(data.get("topic"))))
    classes = data.get("classes")
    if not isinstance(classes, list) or not classes or any(c not in CLASS_CODES for c in classes):
        problems.append(_("classes must be a non-empty list of %(codes)s", codes=", ".join(CLASS_CODES)))
    options = data.get("options")
    if monolingual:
        problems += _monolingual_problems(data)
    else:
        for field in ("text", "explanation"):
            if not _bilingual(data.get(field), require_english):
                problems.append(_("%(field)s needs both 'id' and 'en'", field=field))
    if not isinstance(options, list) or not min_options <= len(options) <= 4:
        problems.append(_("needs 3 or 4 options") if min_options == 3 else _("needs %(n)s to 4 options", n=min_options))
    else:
        if not monolingual and not all(_bilingual(o, require_english) for o in options):
            problems.append(_("every option needs both 'id' and 'en'"))
        if sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True) != 1:
            problems.append(_("needs exactly one correct option"))
    image = data.get("image")
    if image is not None and (not isinstance(image, str) or ".." in image or not image_exists(image)):
        problems.append(_("image %(image)s does not exist", image=repr(image)))
    return problems


def version_fields(data: dict) -> dict:
    """The stored form of a data-file question's content (HTML texts sanitised)."""
    if data.get("format") == HTML:
        from question_bank.rich_text import sanitise

        def clean(value: str) -> str:
            return sanitise(value).strip()
    else:
        def clean(value: str) -> str:
            return value.strip()
    return {
        "topic": data["topic"],
        "text_id": clean(data["text"]["id"]),
        "text_en": clean(data["text"]["en"]),
        "options": [{"id": clean(o["id"]), "en": clean(o["en"]), "correct": o.get("correct") is True}
                    for o in data["options"]],
        "explanation_id": clean(data["explanation"]["id"]),
        "explanation_en": clean(data["explanation"]["en"]),
        "reference": (data.get("reference") or "").strip(),
        "image": data.get("image"),
        "text_format": HTML if data.get("format") == HTML else PLAIN,
    }


def save_version(question: Question, fields: dict, classes: list[str], by_user_id: int | None) -> QuestionVersion:
    """Add a new version of a question and make it current."""
    number = 1 + max((v.number for v in question.versions), default=0)
    version = QuestionVersion(question=question, number=number, created_by_id=by_user_id, **fields)
    version.translation_needed = needs_translation({
        "text": {"id": fields["text_id"], "en": fields["text_en"]}, "options": fields["options"],
        "explanation": {"id": fields["explanation_id"], "en": fields["explanation_en"]}})
    version.classes = [QuestionVersionClass(sim_class=c) for c in sorted(set(classes))]
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    return version


def planned_change(data: dict) -> str:
    """What `upsert_question` would do with `data`: 'created', 'updated' or 'unchanged'
    (nothing is written)."""
    question = db.session.scalar(select(Question).where(Question.code == data["code"]))
    if question is None:
        return "created"
    return "unchanged" if _same(question, version_fields(data), sorted(set(data["classes"]))) else "updated"


def _same(question: Question, fields: dict, classes: list[str]) -> bool:
    current = question.current_version
    return current is not None and all(getattr(current, f) == fields[f] for f in CONTENT_FIELDS) \
        and current.class_codes == classes


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
    if _same(question, fields, classes):
        return "unchanged"
    save_version(question, fields, classes, by_user_id)
    return "updated"
