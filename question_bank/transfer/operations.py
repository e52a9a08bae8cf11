"""Export and import of the whole bank: the format registry and the three entry points."""
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from question_bank.cues import bank_cues, cue_message, many_question_cues
from question_bank.editing import cue_pool
from question_bank.models import Question, QuestionVersion
from question_bank.transfer import aiken_format, csv_format, gift_format, json_format, moodle_xml
from question_bank.transfer.common import (
    MAX_IMPORT_BYTES,
    QUESTION_FIELDS,
    ImportRejected,
    ParseResult,
    decode_text,
    no_questions_problem,
    question_dict,
    size_problem,
    validate,
)


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extension: str
    mimetype: str
    export: Callable[[list[dict]], bytes]
    parse: Callable[..., ParseResult]
    # Formats from other tools (Moodle XML, GIFT, Aiken): parse(text, untagged_language);
    # one language is enough (translation needed), category paths map to topics, and a
    # question that cannot be imported is refused alone.
    lenient: bool = False


FORMATS: dict[str, Format] = {
    f.name: f for f in (
        Format("json", "JSON", "json", "application/json", json_format.export, json_format.parse),
        Format("csv", "CSV", "csv", "text/csv", csv_format.export, csv_format.parse),
        Format("moodle", "Moodle XML", "xml", "application/xml", moodle_xml.export, moodle_xml.parse, lenient=True),
        Format("gift", "GIFT", "gift.txt", "text/plain", gift_format.export, gift_format.parse, lenient=True),
        Format("aiken", "Aiken", "aiken.txt", "text/plain", aiken_format.export, aiken_format.parse, lenient=True),
    )
}


@dataclass(frozen=True)
class ImportReport:
    """How many questions an import created, gave a new version (updated) or left
    as they were (unchanged); and how many it retired, restored to active or moved
    to the practice pool, and how many it moved into, out of or between exclusion
    groups (`regrouped`). A new question imported as retired counts as created and retired.
    `warnings` are the test-taking cues (question_bank.cues) the import leaves in the
    bank: topics over a limit and the imported questions' own cues; they never refuse
    a file and take no part in comparing reports."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    restored: int = 0
    to_practice: int = 0
    regrouped: int = 0
    translation_needed: int = 0
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, int]:
        """The counts (without the warnings)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "warnings"}


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
        raise ImportRejected([size_problem()])
    text, problem = decode_text(bytes(data))
    if problem is not None:
        raise ImportRejected([problem])
    result = chosen.parse(text)
    problems = validate(result)
    if problems:
        raise ImportRejected(problems)
    defaults = {"status": None, "image": None, "reference": ""}
    return [{name: parsed.data.get(name, defaults.get(name)) for name in QUESTION_FIELDS
             if (name != "exclusion_group" or name in parsed.data) and (name != "format" or parsed.data.get("format"))}
            for parsed in result.questions]


def import_bank(fmt: str, data: bytes, actor_id: int | None, *, mapping: dict[str, str] | None = None,
                classes: list[str] | None = None, untagged: str = "id") -> ImportReport:
    """Validate the whole file, then save it in one transaction: new questions,
    a new version of each changed one (old versions stay as they were), status
    changes, and one audit entry; then commit. A file with any problem, or any
    question that would be refused, raises `ImportRejected` before anything is
    written (the preview page is where staff may import the rest of a file); if
    saving fails the transaction is rolled back, so the bank is as it was.
    `mapping`, `classes`, `untagged`: see `plan.build_plan`."""
    from question_bank.transfer.plan import apply_plan, build_plan, plan_problems

    get_format(fmt)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejected([size_problem()])
    plan = build_plan(fmt, data, mapping=mapping, classes=classes, untagged=untagged)
    problems = plan_problems(plan)
    if not problems and not plan["questions"]:
        problems = [no_questions_problem()]
    if problems:
        raise ImportRejected(problems)
    return apply_plan(plan, actor_id)


def cue_warnings(codes: set[str]) -> list[str]:
    """The cue warnings after an import, in the UI language: every broken topic limit
    in the bank, and the cues of the questions with `codes` (against the rest of the bank)."""
    pool, groups = cue_pool()
    lines = bank_cues(pool, groups, with_duplicates=False).messages()
    by_code = {q["code"]: q for q in pool}
    chosen = sorted(codes & set(by_code))
    for code, found in zip(chosen, many_question_cues([by_code[c] for c in chosen], pool, groups), strict=True):
        lines.extend(f"{code}: {cue_message(cue)}" for cue in found)
    return lines
