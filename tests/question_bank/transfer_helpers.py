"""Helpers shared by the question-bank transfer tests."""
import csv
import io
import json

import pytest
from sqlalchemy import delete, func, select, update

from core.audit import AuditEntry
from core.extensions import db
from question_bank.models import (
    ACTIVE,
    Question,
    QuestionVersion,
    QuestionVersionClass,
)
from question_bank.services import upsert_question
from question_bank.transfer import (
    ImportRejected,
    import_bank,
)
from question_bank.transfer.csv_format import (
    COLUMNS,
    question_row,
)

SIGN = "signs/larangan-masuk.svg"
ML = '<span lang="id" class="multilang">{}</span><span lang="en" class="multilang">{}</span>'


def save(data: dict, status: str = ACTIVE) -> dict:
    upsert_question(data)
    question = question_by_code(data["code"])
    question.status = status
    db.session.commit()
    return data


def question_by_code(code: str) -> Question:
    return db.session.scalar(select(Question).where(Question.code == code))


def empty_bank() -> None:
    """Delete every question (the database keeps its users and audit trail)."""
    db.session.execute(update(Question).values(current_version_id=None))
    for model in (QuestionVersionClass, QuestionVersion, Question):
        db.session.execute(delete(model))
    db.session.commit()


def bank_size() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(Question.id))),
            db.session.scalar(select(func.count(QuestionVersion.id))))


def audit_entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def json_file(*questions: dict) -> bytes:
    return json.dumps({"format": "sim-question-bank", "version": 1, "questions": list(questions)}).encode()


def csv_file(*rows: dict) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_row(data: dict, status: str = ACTIVE, **changes: str) -> dict:
    return {**question_row({**data, "status": status}), **changes}


def rejection(fmt: str, data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ImportRejected) as caught:
        import_bank(fmt, data, None)
    return [(p.location, p.reason) for p in caught.value.problems]


def multichoice(code: str, *, text: str = ML.format("Teks?", "Text?"), extra: str = "", files: str = "",
                answers: tuple[tuple[str, str], ...] = (("100", ML.format("Ya", "Yes")), ("0", ML.format("Tidak", "No")),
                                                        ("0", ML.format("Mungkin", "Maybe")))) -> str:
    """A minimal multichoice question in Moodle XML (topic and class by tag)."""
    answer_xml = "".join(f'<answer fraction="{f}" format="html"><text><![CDATA[{t}]]></text></answer>'
                         for f, t in answers)
    return f"""<question type="multichoice">
      <name><text>{code}</text></name>
      <questiontext format="html"><text><![CDATA[{text}]]></text>{files}</questiontext>
      <generalfeedback format="html"><text><![CDATA[{ML.format("Karena.", "Because.")}]]></text></generalfeedback>
      {extra}{answer_xml}
      <tags><tag><text>topic:regulations</text></tag><tag><text>class:A</text></tag></tags>
    </question>"""


def quiz(*questions: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>' + "".join(questions) + "</quiz>").encode()
