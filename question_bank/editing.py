"""Staff-side question bank operations: search, create, edit (a new version),
retire/restore and version diffs. Every change is written to the audit trail."""
import difflib
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from core.audit import record
from core.errors import Conflict, NotFound, ValidationError
from core.extensions import db
from question_bank import cues
from question_bank.models import ACTIVE, PRACTICE, RETIRED, Question, QuestionVersion, QuestionVersionClass
from question_bank.services import CONTENT_FIELDS, question_problems, save_version, version_fields

PAGE_SIZE = 25


@dataclass(frozen=True)
class SearchFilters:
    text: str = ""
    topic: str = ""
    sim_class: str = ""
    status: str = ""
    has_image: str = ""
    missing_language: bool = False


@dataclass(frozen=True)
class Page:
    questions: list[Question]
    total: int
    page: int
    pages: int


def search(filters: SearchFilters, page: int = 1) -> Page:
    """Questions whose current version matches the filters, newest code order."""
    query = select(Question).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
    if filters.text:
        like = f"%{filters.text.lower()}%"
        query = query.where(or_(func.lower(Question.code).like(like), func.lower(QuestionVersion.text_id).like(like),
                                func.lower(QuestionVersion.text_en).like(like)))
    if filters.topic:
        query = query.where(QuestionVersion.topic == filters.topic)
    if filters.sim_class:
        query = query.where(QuestionVersion.id.in_(
            select(QuestionVersionClass.version_id).where(QuestionVersionClass.sim_class == filters.sim_class)))
    if filters.status in STATUS_ACTIONS:
        query = query.where(Question.status == filters.status)
    if filters.has_image == "yes":
        query = query.where(QuestionVersion.image.is_not(None))
    elif filters.has_image == "no":
        query = query.where(QuestionVersion.image.is_(None))
    if filters.missing_language:
        query = query.where(or_(QuestionVersion.translation_needed.is_(True), QuestionVersion.text_en == "",
                                QuestionVersion.explanation_en == ""))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    questions = db.session.scalars(query.order_by(Question.code).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Page(list(questions), total, page, pages)


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("Question not found."))
    return question


def _check(data: dict, min_options: int = 3) -> None:
    problems = question_problems(data, require_english=False, min_options=min_options)
    if problems:
        raise ValidationError(_("The question cannot be saved: %(problems)s.", problems="; ".join(problems)))


def create_question(data: dict, actor_id: int) -> Question:
    _check(data)
    if db.session.scalar(select(Question.id).where(Question.code == data["code"])) is not None:
        raise Conflict(_("A question with the code %(code)s already exists.", code=data["code"]))
    question = Question(code=data["code"], status=ACTIVE)
    db.session.add(question)
    db.session.flush()
    version = save_version(question, version_fields(data), data["classes"], actor_id)
    record("question.create", actor_id=actor_id, target_type="question", target_id=question.code,
           details={"version": version.number})
    db.session.commit()
    return question


def edit_question(question: Question, data: dict, actor_id: int) -> QuestionVersion | None:
    """Save an edit as a new version. Returns None when nothing changed."""
    # The editor edits a formatted version's HTML source; it stays formatted (and is sanitised when saved).
    data = {**data, "code": question.code, "format": data.get("format", question.current_version.text_format)}
    # A true/false question imported with two options can be edited (translated) as such.
    _check(data, min_options=2 if len(question.current_version.options) == 2 else 3)
    fields = version_fields(data)
    current = question.current_version
    changed = [f for f in CONTENT_FIELDS if getattr(current, f) != fields[f]]
    if sorted(set(data["classes"])) != current.class_codes:
        changed.append("classes")
    if not changed:
        return None
    version = save_version(question, fields, data["classes"], actor_id)
    record("question.edit", actor_id=actor_id, target_type="question", target_id=question.code,
           details={"version": version.number, "changed": changed})
    db.session.commit()
    return version


STATUS_ACTIONS = {ACTIVE: "question.restore", RETIRED: "question.retire", PRACTICE: "question.to_practice"}


def set_status(question: Question, status: str, actor_id: int) -> None:
    """Put a question on exams (active), take it off (retired), or into the practice
    pool, where its answer is shown and exams never draw it."""
    if status not in STATUS_ACTIONS:
        raise ValidationError(_("Unknown status."))
    if question.status == status:
        return
    previous, question.status = question.status, status
    record(STATUS_ACTIONS[status], actor_id=actor_id, target_type="question", target_id=question.code,
           details={"from": previous})
    db.session.commit()


def set_exclusion_group(question: Question, group: str | None, actor_id: int) -> None:
    """Put the question in an exclusion group (a paper holds at most one question of a
    group), or take it out with an empty name."""
    group = (group or "").strip() or None
    if question.exclusion_group == group:
        return
    previous, question.exclusion_group = question.exclusion_group, group
    record("question.group", actor_id=actor_id, target_type="question", target_id=question.code,
           details={"from": previous, "to": group})
    db.session.commit()


def group_members(question: Question) -> list[Question]:
    """The other questions of the question's exclusion group."""
    if question.exclusion_group is None:
        return []
    return list(db.session.scalars(select(Question).where(
        Question.exclusion_group == question.exclusion_group, Question.id != question.id).order_by(Question.code)))


def version_as_data(version: QuestionVersion, code: str) -> dict:
    """A stored version in the data-file format (for forms, previews and diffs)."""
    return {
        "code": code, "topic": version.topic, "classes": version.class_codes, "image": version.image,
        "text": {"id": version.text_id, "en": version.text_en},
        "options": [dict(o) for o in version.options],
        "explanation": {"id": version.explanation_id, "en": version.explanation_en},
        "reference": version.reference,
        "format": version.text_format,
    }


def _lines(version: QuestionVersion) -> list[str]:
    lines = [f"topic: {version.topic}", f"classes: {' '.join(version.class_codes)}", f"image: {version.image or '-'}",
             f"text (id): {version.text_id}", f"text (en): {version.text_en}"]
    for index, option in enumerate(version.options):
        mark = "*" if option["correct"] else " "
        lines += [f"option {'ABCD'[index]}{mark} (id): {option['id']}", f"option {'ABCD'[index]}{mark} (en): {option['en']}"]
    lines += [f"explanation (id): {version.explanation_id}", f"explanation (en): {version.explanation_en}",
              f"reference: {version.reference}"]
    return lines


def version_diff(older: QuestionVersion, newer: QuestionVersion) -> list[tuple[str, str]]:
    """Line diff between two versions as (kind, text) with kind in '+', '-', ' '."""
    diff = difflib.ndiff(_lines(older), _lines(newer))
    return [(line[0], line[2:]) for line in diff if line[0] in "+- "]


def cue_pool(exclude_retired: bool = True) -> tuple[list[dict], dict[str, str | None]]:
    """The bank as the cue checks see it: the current version of every question
    (retired ones left out, as exams never draw them) in the data-file format, and
    each code's exclusion group."""
    query = select(Question).order_by(Question.code).options(
        selectinload(Question.current_version).selectinload(QuestionVersion.classes))
    if exclude_retired:
        query = query.where(Question.status != RETIRED)
    questions = [q for q in db.session.scalars(query) if q.current_version is not None]
    return ([version_as_data(q.current_version, q.code) for q in questions],
            {q.code: q.exclusion_group for q in questions})


def question_ids() -> dict[str, int]:
    """Every question's id by its code (for links)."""
    return dict(db.session.execute(select(Question.code, Question.id)).tuples().all())


def cue_report() -> cues.CueReport:
    """The cue report over the bank as it is now (`question_bank.cues.bank_cues`)."""
    return cues.bank_cues(*cue_pool())


def question_cue_warnings(data: dict, group: str | None = None) -> list[cues.QuestionCue]:
    """The cues in a question being written (`data` in the data-file format, e.g.
    from the editor's form), its duplicates checked against the rest of the bank."""
    others, groups = cue_pool()
    code = data.get("code") or ""
    return cues.question_cues(data, others, {**groups, code: group})
