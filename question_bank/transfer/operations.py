"""Export and import of the whole bank: the format registry and the three entry points."""
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.audit import record
from core.extensions import db
from question_bank.models import PRACTICE, RETIRED, Question, QuestionVersion
from question_bank.services import upsert_question
from question_bank.transfer import csv_format, json_format, moodle_xml
from question_bank.transfer.common import (
    MAX_IMPORT_BYTES,
    QUESTION_FIELDS,
    ImportProblem,
    ImportRejected,
    ParseResult,
    decode_text,
    question_dict,
    validate,
)


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extension: str
    mimetype: str
    export: Callable[[list[dict]], bytes]
    parse: Callable[[str], ParseResult]


FORMATS: dict[str, Format] = {
    f.name: f for f in (
        Format("json", "JSON", "json", "application/json", json_format.export, json_format.parse),
        Format("csv", "CSV", "csv", "text/csv", csv_format.export, csv_format.parse),
        Format("moodle", "Moodle XML", "xml", "application/xml", moodle_xml.export, moodle_xml.parse),
    )
}


@dataclass(frozen=True)
class ImportReport:
    """How many questions an import created, gave a new version (updated) or left
    as they were (unchanged); and how many it retired, restored to active or moved
    to the practice pool. A new question imported as retired counts as created and retired."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0
    to_practice: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def get_format(fmt: str) -> Format:
    """The format called `fmt`; raises ValueError for an unknown one."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown question-bank format {fmt!r} (known: {', '.join(FORMATS)})") from None


def export_bank(fmt: str, questions: list[Question] | None = None) -> bytes:
    """The current version of `questions` (default: every question, by code) in
    format `fmt`, retired ones included with their status. Raises ValueError for
    an unknown format."""
    chosen = get_format(fmt)
    if questions is None:
        questions = list(db.session.scalars(
            select(Question).order_by(Question.code)
            .options(selectinload(Question.current_version).selectinload(QuestionVersion.classes))
        ))
    return chosen.export([question_dict(q) for q in questions if q.current_version is not None])


def parse_import(fmt: str, data: bytes) -> list[dict]:
    """Read and validate a whole file without touching the database. Returns the
    questions as data-file dicts with `status` (None: leave the status alone).
    Raises ValueError for an unknown format and `ImportRejected` listing every
    problem found (file structure, each question, codes used twice)."""
    chosen = get_format(fmt)
    if len(data) > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES // (1024 * 1024)
        raise ImportRejected([ImportProblem("file", f"The file is larger than the limit of {limit} MB.")])
    text, problem = decode_text(bytes(data))
    if problem is not None:
        raise ImportRejected([problem])
    result = chosen.parse(text)
    problems = validate(result)
    if problems:
        raise ImportRejected(problems)
    defaults = {"status": None, "image": None, "reference": ""}
    return [{name: parsed.data.get(name, defaults.get(name)) for name in QUESTION_FIELDS
             if name != "format" or parsed.data.get("format")} for parsed in result.questions]


def import_bank(fmt: str, data: bytes, actor_id: int | None) -> ImportReport:
    """Validate the whole file, then save it in one transaction: new questions,
    a new version of each changed one (old versions stay as they were), status
    changes, and one audit entry; then commit. A file with any problem raises
    `ImportRejected` before anything is written; if saving fails the transaction
    is rolled back, so the bank is as it was."""
    questions = parse_import(fmt, data)
    counts: Counter = Counter()
    try:
        for item in questions:
            counts[upsert_question(item, by_user_id=actor_id)] += 1
            change = _apply_status(item["code"], item["status"])
            if change:
                counts[change] += 1
        report = ImportReport(**{name: counts[name] for name in ImportReport.__dataclass_fields__})
        record("question_bank.import", actor_id=actor_id, target_type="question_bank", details={
            "format": fmt, "counts": report.as_dict(), "questions": len(questions),
            "sha256": hashlib.sha256(data).hexdigest(),
        })
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _apply_status(code: str, status: str | None) -> str | None:
    """Set a question's status; 'retired', 'restored' or 'to_practice' when it changed."""
    question = db.session.scalar(select(Question).where(Question.code == code))
    if status is None or question.status == status:
        return None
    question.status = status
    return {RETIRED: "retired", PRACTICE: "to_practice"}.get(status, "restored")
