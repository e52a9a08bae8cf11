"""An import as a plan: what each question of a file would become (created, updated,
unchanged or refused, with every reason and warning), before anything is written.

    plan = build_plan("moodle", data, mapping={"Default/Signs": "signs"}, classes=["A", "C"])
    report = apply_plan(plan, actor_id=7)     # saves what the plan says, one transaction

A plan is a JSON-able dict, so it can wait server-side for the staff member's
confirmation (`question_bank.transfer.pending`). Category paths are mapped to
topics: by the choice made now, else by the one remembered from an earlier import
(`CategoryMapping`), else by a topic key or title as the path's last segment.
"""
import base64
import copy
import hashlib
from collections import Counter
from collections.abc import Mapping

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit import record
from core.errors import Conflict
from core.extensions import db
from core.sim_classes import CLASS_CODES
from question_bank.cues import cue_message, many_question_cues
from question_bank.editing import cue_pool
from question_bank.images import store_upload
from question_bank.models import PRACTICE, RETIRED, TOPICS, CategoryMapping, Question
from question_bank.services import needs_translation, planned_change, upsert_question
from question_bank.transfer.common import (
    MAX_IMPORT_BYTES,
    QUESTION_FIELDS,
    ImportProblem,
    ParsedQuestion,
    ParseResult,
    decode_text,
    size_problem,
    validate,
)

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
_ACTIONS = {"created": CREATE, "updated": UPDATE, "unchanged": UNCHANGED}
CUT_REFERENCE = 50 - len("ref:")  # Moodle's TAG_MAX_LENGTH minus the tag prefix


def remembered_mappings(paths: list[str]) -> dict[str, str]:
    if not paths:
        return {}
    rows = db.session.scalars(select(CategoryMapping).where(CategoryMapping.path.in_(paths)))
    return {row.path: row.topic for row in rows if row.topic in TOPICS}


def build_plan(fmt: str, data: bytes, *, mapping: Mapping[str, str] | None = None, classes: list[str] | None = None,
               untagged: str = "id") -> dict:
    """Read `data` in format `fmt` and say what importing it would do; writes nothing.
    `mapping`: topic per category path (overrides the remembered ones); `classes`: the
    SIM classes of questions that name none (Moodle files seldom do); `untagged`: the
    language of text without language marks ("id" or "en")."""
    from question_bank.transfer.operations import get_format

    chosen = get_format(fmt)
    plan = {"format": fmt, "sha256": hashlib.sha256(data).hexdigest(), "untagged": untagged, "locale": plan_locale(),
            "classes": [c for c in (classes or []) if c in CLASS_CODES], "problems": [], "categories": [],
            "questions": []}
    if len(data) > MAX_IMPORT_BYTES:
        plan["problems"] = [list(_pair(size_problem()))]
        return plan
    text, problem = decode_text(bytes(data))
    if problem is not None:
        plan["problems"] = [list(_pair(problem))]
        return plan
    result = chosen.parse(text, untagged) if chosen.lenient else chosen.parse(text)
    plan["categories"] = _categories(result, mapping or {})
    topics = {c["path"]: c["topic"] for c in plan["categories"]}
    unmapped: set[int] = set()
    for index, parsed in enumerate(result.questions):
        if parsed.lenient and not parsed.topic_tagged and parsed.category is not None and "options" in parsed.data:
            topic = topics.get(parsed.category)
            if topic:
                parsed.data["topic"] = topic
            else:
                unmapped.add(index)
        if parsed.lenient and not parsed.data.get("classes") and "options" in parsed.data:
            parsed.data["classes"] = list(plan["classes"])
            if not plan["classes"]:
                parsed.problems.append(_("no SIM class: the file names none (class: tags); choose the classes "
                                         "on the preview page"))
                parsed.reported.add("classes")
    for index in unmapped:
        parsed = result.questions[index]
        parsed.problems.append(_("the category %(path)s is not mapped to a topic: choose one on the preview page",
                                 path=repr(parsed.category or "")))
        parsed.reported.add("topic")
    problems = validate(result)
    plan["checks"] = [[p.location, p.reason] for p in problems]
    by_location: dict[str, list[str]] = {}
    for item in problems:
        by_location.setdefault(item.location, []).append(item.reason)
    question_locations = {parsed.location for parsed in result.questions}
    plan["problems"] = [[p.location, p.reason] for p in problems if p.location not in question_locations]
    for parsed in result.questions:
        plan["questions"].append(_planned(parsed, by_location.get(parsed.location, [])))
    _add_cues([entry for entry in plan["questions"] if entry["data"] is not None])
    return plan


def plan_locale() -> str:
    """The language a plan's messages are written in: the UI language when it is made."""
    return str(get_locale() or "id")


def _add_cues(entries: list[dict]) -> None:
    """The test-taking cues (question_bank.cues) of each importable question against
    the bank and the rest of the file, in words: they warn, they never refuse."""
    if not entries:
        return
    pool, groups = cue_pool()
    codes = {entry["code"] for entry in entries}
    others = [q for q in pool if q["code"] not in codes] + [entry["data"] for entry in entries]
    groups = {**groups, **{entry["code"]: entry["data"]["exclusion_group"] for entry in entries
                           if "exclusion_group" in entry["data"]}}
    found = many_question_cues([entry["data"] for entry in entries], others, groups)
    for entry, cues in zip(entries, found, strict=True):
        entry["cues"] = [cue_message(cue) for cue in cues]


def _pair(problem: ImportProblem) -> tuple[str, str]:
    return problem.location, problem.reason


def _categories(result: ParseResult, mapping: Mapping[str, str]) -> list[dict]:
    """Each category path that decides the topic of a question, with its topic (or None)."""
    counts = Counter(parsed.category for parsed in result.questions
                     if parsed.lenient and parsed.category is not None and not parsed.topic_tagged)
    paths = list(counts)
    remembered = remembered_mappings(paths)
    categories = []
    for path in paths:
        guessed = next((p.data.get("topic") for p in result.questions
                        if p.category == path and p.data.get("topic") in TOPICS), None)
        chosen = mapping.get(path) if mapping.get(path) in TOPICS else None
        categories.append({"path": path, "topic": chosen or remembered.get(path) or guessed, "questions": counts[path]})
    return categories


def _planned(parsed: ParsedQuestion, reasons: list[str]) -> dict:
    data = {name: copy.deepcopy(parsed.data.get(name)) for name in QUESTION_FIELDS if name in parsed.data}
    entry = {"location": parsed.location, "code": parsed.data.get("code") or "", "name": parsed.name,
             "category": parsed.category,
             "reasons": list(reasons), "warnings": list(parsed.warnings), "cues": [], "data": None, "new_image": None,
             "status_change": None, "translation_needed": False, "action": REFUSED}
    if reasons:
        return entry
    data.setdefault("image", None)
    data.setdefault("reference", "")
    data.setdefault("status", None)
    existing = db.session.scalar(select(Question).where(Question.code == data["code"]))
    _keep_cut_reference(data, existing, entry["warnings"])
    entry.update(data=data, new_image=parsed.new_image, translation_needed=needs_translation(data))
    if entry["translation_needed"]:
        entry["warnings"].append(_("translation needed: it is not used on papers until both languages are complete"))
    entry["action"] = CREATE if parsed.new_image and existing is None else _ACTIONS[planned_change(data)]
    if parsed.new_image and existing is not None:
        entry["action"] = UPDATE
    if existing is not None and data["status"] is not None and existing.status != data["status"]:
        entry["status_change"] = data["status"]
    return entry


def _keep_cut_reference(data: dict, existing: Question | None, warnings: list[str]) -> None:
    """A reference that came back from Moodle cut at its tag limit does not replace the
    full reference of the question it belongs to (matched by code, i.e. idnumber)."""
    reference = data.get("reference") or ""
    if existing is None or existing.current_version is None or len(reference) != CUT_REFERENCE:
        return
    full = existing.current_version.reference or ""
    if len(full) > len(reference) and full.startswith(reference):
        data["reference"] = full
        cut = [w for w in warnings if str(50) in w and "Moodle" in w]
        for warning in cut:
            warnings.remove(warning)
        warnings.append(_("the reference was cut by Moodle at 50 characters: the full reference kept here stays"))


def importable(plan: dict) -> list[dict]:
    return [] if plan["problems"] else [q for q in plan["questions"] if q["action"] != REFUSED]


def plan_problems(plan: dict) -> list[ImportProblem]:
    """Everything that makes the plan refuse something (file problems, refused
    questions), in file order."""
    return [ImportProblem(location, reason) for location, reason in plan.get("checks", plan["problems"])]


def check_unchanged(plan: dict) -> None:
    """Raise Conflict if the bank changed since the plan was made (another import or an
    edit would make a question's action differ from what was previewed)."""
    for question in importable(plan):
        if question["new_image"]:  # a new image makes it a change either way: only whether it exists matters
            exists = db.session.scalar(select(Question.id).where(Question.code == question["code"])) is not None
            now = UPDATE if exists else CREATE
        else:
            now = _ACTIONS[planned_change(question["data"])]
        if now != question["action"]:
            raise Conflict(_("The question bank changed since the preview (%(code)s): check the preview again.",
                             code=question["code"]))


def apply_plan(plan: dict, actor_id: int | None, *, remember: bool = True, filename: str = "") -> dict[str, int]:
    """Save what the plan says, in one transaction with one audit entry, and commit:
    new questions, new versions, status changes, new images; and remember the
    category mappings. Refused questions are left out. Returns the counts."""
    from question_bank.transfer.operations import ImportReport, cue_warnings

    counts: Counter = Counter()
    questions = importable(plan)
    try:
        for question in questions:
            data = copy.deepcopy(question["data"])
            if question["new_image"]:
                data["image"] = store_upload(base64.b64decode(question["new_image"]["content"]))
            counts[upsert_question(data, by_user_id=actor_id)] += 1
            change = _apply_status(data["code"], data.get("status"))
            if change:
                counts[change] += 1
            if "exclusion_group" in data and _apply_group(data["code"], data["exclusion_group"]):
                counts["regrouped"] += 1
            if question["translation_needed"]:
                counts["translation_needed"] += 1
        if remember:
            _remember(plan, actor_id)
        db.session.flush()
        report = ImportReport(**{name: counts[name] for name in ImportReport.__dataclass_fields__ if name != "warnings"},
                              warnings=tuple(cue_warnings({question["data"]["code"] for question in questions})))
        details = {"format": plan["format"], "counts": report.as_dict(), "questions": len(questions),
                   "sha256": plan["sha256"]}
        if len(plan["questions"]) > len(questions):
            details["refused"] = len(plan["questions"]) - len(questions)
        if filename:
            details["filename"] = filename
        record("question_bank.import", actor_id=actor_id, target_type="question_bank", details=details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _remember(plan: dict, actor_id: int | None) -> None:
    for category in plan["categories"]:
        if category["topic"] not in TOPICS:
            continue
        row = db.session.get(CategoryMapping, category["path"])
        if row is None:
            db.session.add(CategoryMapping(path=category["path"], topic=category["topic"], updated_by_id=actor_id))
        elif row.topic != category["topic"]:
            row.topic, row.updated_by_id = category["topic"], actor_id


def _apply_group(code: str, group: str | None) -> bool:
    """Set a question's exclusion group; whether it changed."""
    question = db.session.scalar(select(Question).where(Question.code == code))
    if question.exclusion_group == group:
        return False
    question.exclusion_group = group
    return True


def _apply_status(code: str, status: str | None) -> str | None:
    """Set a question's status; 'retired', 'restored' or 'to_practice' when it changed."""
    question = db.session.scalar(select(Question).where(Question.code == code))
    if status is None or question.status == status:
        return None
    question.status = status
    return {RETIRED: "retired", PRACTICE: "to_practice"}.get(status, "restored")
