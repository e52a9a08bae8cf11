"""Import and export of the question bank (question_bank.transfer): JSON and CSV
round trips, whole-file rejection with located problems, the size limit, versioning
and the audit entry."""
import csv
import hashlib
import io
import json

import pytest
from flask_babel import force_locale
from transfer_helpers import (
    SIGN,
    audit_entries,
    bank_size,
    csv_file,
    csv_row,
    empty_bank,
    json_file,
    question_by_code,
    rejection,
    save,
)

from core.audit import verify_chain
from core.errors import ValidationError
from helpers import question_data
from question_bank.models import (
    ACTIVE,
    RETIRED,
)
from question_bank.services import upsert_question
from question_bank.transfer import (
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportProblem,
    ImportRejected,
    ImportReport,
    export_bank,
    import_bank,
    parse_import,
    plan,
)
from question_bank.transfer.csv_format import (
    COLUMNS,
    escape_cell,
    unescape_cell,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- JSON


def test_json_export_import_export_is_identical(sample_bank):
    first = export_bank("json")
    document = json.loads(first)
    assert (document["format"], document["version"]) == ("sim-question-bank", 1)
    by_code = {q["code"]: q for q in document["questions"]}
    assert list(by_code) == sorted(by_code)
    assert by_code["ETH-701"]["status"] == RETIRED and by_code["SGN-701"]["status"] == ACTIVE
    assert by_code["SGN-701"]["image"] == SIGN and len(by_code["SGN-701"]["options"]) == 4
    assert len(by_code["AID-701"]["options"]) == 3 and by_code["AID-701"]["options"][1]["correct"] is True
    assert list(by_code["SGN-701"]) == ["code", "status", "topic", "classes", "image", "text", "options",
                                        "explanation", "reference", "exclusion_group"]

    empty_bank()
    report = import_bank("json", first, None)

    assert report == ImportReport(created=4, retired=1)
    assert export_bank("json") == first


def test_an_import_moves_questions_into_the_practice_pool(sample_bank):
    data = json.loads(export_bank("json"))
    for question in data["questions"]:
        if question["code"] == "SGN-701":
            question["status"] = "practice"
    report = import_bank("json", json.dumps(data).encode(), None)
    assert report == ImportReport(unchanged=4, to_practice=1)
    assert question_by_code("SGN-701").status == "practice"
    assert json.loads(export_bank("json"))["questions"] == data["questions"]  # and exported as such


def test_json_export_of_chosen_questions(sample_bank):
    chosen = [question_by_code("AID-701")]
    assert [q["code"] for q in json.loads(export_bank("json", chosen))["questions"]] == ["AID-701"]


def test_json_problems_are_all_collected_and_located(english):
    valid = question_data(code="REG-801")
    unknown = {**question_data(code="REG-802", classes=("A", "Z")), "status": "deleted", "colour": "red"}
    problems = rejection("json", json_file(valid, dict(valid), "not a question", unknown))

    assert ("question 2 (REG-801)", "duplicate code REG-801 (first at question 1 (REG-801))") in problems
    assert ("question 3", "not an object") in problems
    assert ("question 4 (REG-802)", "unknown fields: colour") in problems
    assert ("question 4 (REG-802)", "status must be 'active', 'retired' or 'practice', not 'deleted'") in problems
    assert any(where == "question 4 (REG-802)" and reason.startswith("classes must be") for where, reason in problems)
    assert len(problems) == 5
    assert bank_size() == (0, 0)


@pytest.mark.parametrize(("data", "location"), [
    (b'{"format": "sim-question-bank",\n "version": 1,\n "questions": [}', "line 3"),
    (b'{"format": "something-else", "version": 1, "questions": []}', "file"),
    (b'{"format": "sim-question-bank", "version": 2, "questions": []}', "file"),
    (b'{"format": "sim-question-bank", "version": 1, "questions": []}', "file"),
    (b"[" * 100_000, "file"),
    ("\n\xe9t\xe9".encode("latin-1"), "line 2"),
])
def test_unreadable_json_is_rejected_with_a_location(english, data, location):
    problems = rejection("json", data)
    assert len(problems) == 1 and problems[0][0] == location


# --------------------------------------------------------------------------- CSV


def test_csv_round_trip_keeps_tricky_text(sample_bank):
    before = export_bank("json")
    exported = export_bank("csv")

    assert exported.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]
    tricky = dict(zip(COLUMNS, next(row for row in rows if row[0] == "SGN-777"), strict=True))
    assert tricky["text_en"] == '\'=HYPERLINK("http://evil.example","click")'
    assert tricky["option_a_en"] == "'-5 km/h" and tricky["option_b_id"] == "'@SUM(A1:A2)"
    assert tricky["explanation_en"] == "''=already quoted"
    three = dict(zip(COLUMNS, next(row for row in rows if row[0] == "AID-701"), strict=True))
    assert (three["option_d_id"], three["option_d_en"], three["correct"]) == ("", "", "B")

    empty_bank()
    assert import_bank("csv", exported, None) == ImportReport(created=4, retired=1)
    assert export_bank("json") == before


def test_csv_keeps_windows_line_breaks(app_ctx):
    data = question_data(code="REG-803")
    data["text"]["en"] = "First line\r\nsecond line"
    save(data)
    exported = export_bank("csv")
    empty_bank()
    import_bank("csv", exported, None)
    assert question_by_code("REG-803").current_version.text_en == "First line\r\nsecond line"


@pytest.mark.parametrize("value", ["=1+1", "+62", "-5", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "'=x", "'",
                                   "plain", "", "a=b", "café"])
def test_formula_guard_is_undone_exactly(value):
    escaped = escape_cell(value)
    assert not escaped.startswith(FORMULA_START)
    assert unescape_cell(escaped) == value


@pytest.mark.parametrize(("cell", "imported"), [("'hello", "'hello"), ("'=1", "=1"), ("'-5", "-5"), ("=1", "=1")])
def test_hand_written_csv_cells(cell, imported):
    assert unescape_cell(cell) == imported


def test_bad_csv_is_rejected_whole_with_located_problems(english):
    existing = save(question_data(code="REG-804"))
    edited = csv_row(existing, text_en="An edited question?")
    two_correct = csv_row(question_data(code="REG-805"), correct="A, C")
    unknown_topic = csv_row(question_data(code="REG-806"), topic="parking")
    before = bank_size()

    problems = rejection("csv", csv_file(edited, two_correct, unknown_topic))

    assert problems == [("row 3", "correct must be one letter A-D, not 'A, C'"), ("row 4", "unknown topic 'parking'")]
    assert bank_size() == before
    assert question_by_code("REG-804").current_version.text_en == existing["text"]["en"]
    assert audit_entries() == []


def test_csv_structure_problems(english):
    header_only = b"code,topic,colour\r\n"
    assert rejection("csv", header_only) == [
        ("row 1 (header)", "unknown columns: colour"),
        ("row 1 (header)", "missing columns: classes, text_id, text_en, option_a_id, option_a_en, option_b_id, "
                           + "option_b_en, option_c_id, option_c_en, correct, explanation_id, explanation_en"),
    ]
    gap = csv_row(question_data(code="REG-807"), option_c_id="", option_c_en="")
    empty_correct = csv_row(question_data(code="REG-808", option_count=3), correct="D")
    too_long = {**csv_row(question_data(code="REG-809")), "extra": "x"}
    data = csv_file(gap, empty_correct).decode() + ",".join(too_long.values()) + "\r\n\r\n,,,\r\n"
    assert rejection("csv", data.encode()) == [
        ("row 2", "options must be filled from A onwards with no gaps (filled: A, B, D)"),
        ("row 3", "the correct option D is empty"),
        ("row 4", f"has {len(COLUMNS) + 1} cells but the header has {len(COLUMNS)}"),
    ]


def test_empty_status_leaves_the_status_alone(app_ctx):
    data = save(question_data(code="REG-808"), status=RETIRED)
    assert import_bank("csv", csv_file(csv_row(data, status="")), None) == ImportReport(unchanged=1)
    assert import_bank("json", json_file(data), None) == ImportReport(unchanged=1)
    assert question_by_code("REG-808").status == RETIRED


# --------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_oversize_file_is_refused(english, fmt):
    problems = rejection(fmt, b" " * (MAX_IMPORT_BYTES + 1))
    assert problems == [("file", "The file is larger than the limit of 10 MB.")]


def test_unknown_format_is_a_value_error(app_ctx):
    with pytest.raises(ValueError, match="xlsx"):
        export_bank("xlsx")
    with pytest.raises(ValueError, match="xlsx"):
        parse_import("xlsx", b"")


def test_rejection_is_a_validation_error_that_counts_its_problems(app_ctx):
    rejected = ImportRejected([ImportProblem("row 2", "a"), ImportProblem("row 3", "b")])
    assert isinstance(rejected, ValidationError) and rejected.status == 422
    assert "2" in rejected.message  # in the app's default language, Indonesian
    with force_locale("en"):
        assert ImportRejected(rejected.problems[:1]).message == "The import file has 1 problem; nothing was imported."
        assert ImportRejected(rejected.problems).message == "The import file has 2 problems; nothing was imported."
    assert str(rejected.problems[0]) == "row 2: a"


def test_parse_import_returns_question_dicts_and_writes_nothing(app_ctx):
    data = question_data(code="REG-816", option_count=3)
    questions = parse_import("csv", csv_file(csv_row(data, status="")))
    assert questions == [{**data, "status": None, "exclusion_group": None}]
    assert bank_size() == (0, 0)


def test_import_that_edits_a_question_adds_a_version(app_ctx, staff):
    original = save(question_data(code="REG-817"))
    document = json.loads(export_bank("json"))
    document["questions"][0]["text"]["en"] = "What does the law require now?"
    document["questions"][0]["status"] = RETIRED
    edited = json.dumps(document).encode()

    assert import_bank("json", edited, staff.id) == ImportReport(updated=1, retired=1)

    question = question_by_code("REG-817")
    first, second = question.versions
    assert (first.number, first.text_en, first.created_by_id) == (1, original["text"]["en"], None)
    assert (second.number, second.text_en, second.created_by_id) == (2, "What does the law require now?", staff.id)
    assert second.text_id == first.text_id and second.options == first.options
    assert question.current_version_id == second.id and question.status == RETIRED

    assert import_bank("json", edited, staff.id) == ImportReport(unchanged=1)
    document["questions"][0]["status"] = ACTIVE
    assert import_bank("json", json.dumps(document).encode(), staff.id) == ImportReport(unchanged=1, restored=1)
    assert len(question_by_code("REG-817").versions) == 2


def test_import_writes_one_audit_entry(app_ctx, staff):
    save(question_data(code="REG-818"))
    data = json_file(question_data(code="REG-818"), question_data(code="REG-819"))

    report = import_bank("json", data, staff.id)

    entries = audit_entries()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.actor_id, entry.target_type) == ("question_bank.import", staff.id, "question_bank")
    assert entry.details == {"format": "json", "counts": report.as_dict(), "questions": 2,
                             "sha256": hashlib.sha256(data).hexdigest()}
    assert report == ImportReport(created=1, updated=1)
    assert verify_chain().intact


def test_a_failure_while_saving_rolls_the_whole_import_back(app_ctx, monkeypatch):
    save(question_data(code="REG-820"))
    before = bank_size()
    calls = []

    def failing_upsert(data, by_user_id=None):
        calls.append(data["code"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return upsert_question(data, by_user_id)

    monkeypatch.setattr(plan, "upsert_question", failing_upsert)  # saving moved to plan.apply_plan
    with pytest.raises(RuntimeError):
        import_bank("json", json_file(question_data(code="REG-821"), question_data(code="REG-820")), None)

    assert calls == ["REG-821", "REG-820"]
    assert bank_size() == before and question_by_code("REG-821") is None
    assert audit_entries() == []
