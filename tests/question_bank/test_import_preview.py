"""The import journey through the test client: upload, preview, choices, confirm; the
token belongs to its uploader; the upload limit; nothing is saved before confirming."""
import gc
import io
import json
import re
import warnings
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from transfer_helpers import ML, multichoice, quiz

from core.extensions import db
from helpers import app_context, csrf_from_html, form_login, question_data
from question_bank.models import CategoryMapping, PendingImport, Question
from question_bank.services import upsert_question
from question_bank.transfer import MAX_IMPORT_BYTES

FIXTURES = Path(__file__).parent / "files" / "moodle_fixtures"


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    assert form_login(client, staff.email).status_code == 302
    return client


def upload(client, name: str, data: bytes, fmt: str = "moodle", language: str = "en"):
    token = csrf_from_html(client.get("/bank/import").get_data(as_text=True))
    return client.post("/bank/import", data={"csrf_token": token, "format": fmt, "language": language,
                                             "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def count(app: Flask, model=Question) -> int:
    with app_context(app):
        return db.session.scalar(select(func.count()).select_from(model))


def choose(client, preview_url: str, topics: list[str], classes: list[str]):
    page = client.get(preview_url).get_data(as_text=True)
    body = {"csrf_token": csrf_from_html(page), "language": "en", "classes": classes}
    body.update({f"category-{n}": topic for n, topic in enumerate(topics)})
    return client.post(preview_url, data=body)


def confirm(client, preview_url: str, skip_refused: bool = False):
    page = client.get(preview_url).get_data(as_text=True)
    body = {"csrf_token": csrf_from_html(page)}
    if skip_refused:
        body["skip_refused"] = "y"
    return client.post(preview_url + "/confirm", data=body)


def test_preview_then_confirm_imports_exactly_what_was_shown(app, staff_client):
    response = upload(staff_client, "truefalse.xml", (FIXTURES / "truefalse.xml").read_bytes())
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = staff_client.get(preview_url).get_data(as_text=True)
    assert "Pratinjau impor" in page and "Belum ada yang disimpan. Berkas: truefalse.xml" in page
    assert "0 baru, 0 diperbarui, 0 tidak berubah, 2 ditolak." in page
    assert "kategori &#39;Default for testhead/TrueFalse&#39; belum dipetakan ke topik" in page
    assert count(app) == 0

    assert choose(staff_client, preview_url, ["signs"], ["A", "C"]).status_code == 303
    page = staff_client.get(preview_url).get_data(as_text=True)
    assert "2 baru, 0 diperbarui, 0 tidak berubah, 0 ditolak." in page
    assert "Perlu terjemahan" in page and "gambar logo.jpg baru: gambar disimpan saat impor dikonfirmasi" in page
    assert count(app) == 0

    response = confirm(staff_client, preview_url)
    assert response.status_code == 303
    assert "Berhasil diimpor: 2 baru, 0 diperbarui, 0 tidak berubah." in staff_client.get("/bank/import").get_data(as_text=True)
    with app_context(app):
        questions = db.session.scalars(select(Question)).all()
        assert sorted(q.current_version.topic for q in questions) == ["signs", "signs"]
        assert all(q.current_version.translation_needed for q in questions)
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0
        assert db.session.get(CategoryMapping, "Default for testhead/TrueFalse").topic == "signs"
    assert staff_client.get(preview_url).status_code == 404  # a plan is applied once

    # The mapping is remembered: the same category path comes preselected next time.
    response = upload(staff_client, "truefalse.xml", (FIXTURES / "truefalse.xml").read_bytes())
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<option value="signs" selected>', page)


def test_refused_questions_need_the_choice_to_import_the_rest(app, staff_client):
    response = upload(staff_client, "nested.xml", (FIXTURES / "nested_categories_with_questions.xml").read_bytes())
    preview_url = response.headers["Location"]
    choose(staff_client, preview_url, ["regulations"] * 4, ["A"])
    response = confirm(staff_client, preview_url)
    assert response.status_code == 422
    assert "1 soal akan ditolak. Centang “impor yang lain”" in response.get_data(as_text=True)
    assert count(app) == 0
    assert confirm(staff_client, preview_url, skip_refused=True).status_code == 303
    assert count(app) == 4


def test_confirming_after_the_bank_changed_asks_for_a_new_look(app, staff_client):
    data = json.dumps({"format": "sim-question-bank", "version": 1,
                       "questions": [question_data(code="REG-995")]}).encode()
    preview_url = upload(staff_client, "bank.json", data, fmt="json").headers["Location"]
    with app_context(app):
        upsert_question(question_data(code="REG-995"))  # someone else imports it meanwhile
        db.session.commit()
    response = confirm(staff_client, preview_url)
    assert response.status_code == 409
    assert "Bank soal berubah sejak pratinjau (REG-995)" in response.get_data(as_text=True)


def test_a_preview_belongs_to_its_uploader(app, staff_client, make_user):
    preview_url = upload(staff_client, "truefalse.xml", (FIXTURES / "truefalse.xml").read_bytes()).headers["Location"]
    other = app.test_client()
    assert form_login(other, make_user("staff").email).status_code == 302
    assert other.get(preview_url).status_code == 404
    token = csrf_from_html(other.get("/bank/import").get_data(as_text=True))
    assert other.post(preview_url + "/confirm", data={"csrf_token": token, "skip_refused": "y"}).status_code == 404
    assert staff_client.post(preview_url + "/confirm", data={"skip_refused": "y"}).status_code == 400  # no CSRF token
    assert count(app) == 0


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(app, staff_client):
    response = upload(staff_client, "bad.xml", b"<quiz><question></quiz>")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Berkas tidak dapat diimpor; tidak ada yang disimpan." in page and "XML tidak tersusun dengan benar (kolom" in page
    assert count(app, PendingImport) == 0


def test_upload_limit_is_the_documented_one(app, staff_client):
    assert app.config["MAX_CONTENT_LENGTH"] < 6 * 1024 * 1024 < MAX_IMPORT_BYTES
    # Larger than the app's general limit but within the importer's: accepted.
    padded = b'{"format": "sim-question-bank", "version": 1, "questions": [' \
        + json.dumps(question_data(code="REG-996")).encode() + b"]}" + b" " * (6 * 1024 * 1024)
    assert upload(staff_client, "big.json", padded, fmt="json").status_code == 303
    # Over the documented 10 MB: the importer's own message, 413, nothing saved. Werkzeug leaves
    # the spooled part of a cut-off upload to the garbage collector, whenever it runs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        response = upload(staff_client, "huge.json", b" " * (MAX_IMPORT_BYTES + 1), fmt="json")
        assert response.status_code == 413
        assert "Berkas lebih besar dari batas 10 MB." in response.get_data(as_text=True)
        response = upload(staff_client, "huger.json", b" " * (MAX_IMPORT_BYTES + 2 * 1024 * 1024), fmt="json")
        assert response.status_code == 413
        assert "Berkas lebih besar dari batas 10 MB." in response.get_data(as_text=True)
        assert count(app) == 0 and count(app, PendingImport) == 1
        del response
        gc.collect()


def cue_quiz() -> bytes:
    """A question whose key is the longest option and whose distractor holds an absolute
    word (cues), one in English only (translation needed), and an essay (refused)."""
    giveaway = multichoice("REG-961", answers=(
        ("100", ML.format("Berhenti dan memberi jalan kepada pejalan kaki", "Stop and give way to the pedestrians")),
        ("0", ML.format("Selalu jalan terus", "Always drive on")), ("0", ML.format("Klakson", "Hoot"))))
    english_only = multichoice("REG-962", text="Who has priority here?",
                               answers=(("100", "The tram"), ("0", "The car on the left"), ("0", "The lorry")))
    essay = """<question type="essay"><name><text>REG-963</text></name>
      <questiontext format="html"><text>Describe a roundabout.</text></questiontext></question>"""
    return quiz(giveaway, english_only, essay)


def switch_language(client, code: str, next_url: str) -> None:
    token = csrf_from_html(client.get(next_url).get_data(as_text=True))
    assert client.post(f"/language/{code}", data={"csrf_token": token, "next": next_url}).status_code == 303


def test_the_preview_speaks_the_ui_language_and_follows_a_switch(app, staff_client):
    preview_url = upload(staff_client, "cues.xml", cue_quiz()).headers["Location"]
    html = staff_client.get(preview_url).get_data(as_text=True)
    assert "Pratinjau impor" in html and "2 baru, 0 diperbarui, 0 tidak berubah, 1 ditolak." in html
    assert "jenis soal essay: soal esai memerlukan penilai; bank soal hanya berisi soal pilihan tunggal" in html
    assert "perlu terjemahan: soal tidak dipakai dalam ujian sampai kedua bahasa lengkap" in html
    assert "Petunjuk jawaban (tidak menghentikan impor):" in html
    assert "Bahasa Indonesia: pilihan yang benar adalah yang terpanjang" in html
    assert "English: sebuah pengecoh memuat kata mutlak yang membuatnya mudah ditebak salah: Always drive on" in html
    assert "the correct option is the longest one" not in html and "an essay question" not in html

    switch_language(staff_client, "en", preview_url)
    html = staff_client.get(preview_url).get_data(as_text=True)
    assert "Import preview" in html and "2 new, 0 updated, 0 unchanged, 1 refused." in html
    assert "question type essay: an essay question needs a marker; the bank has single-choice questions only" in html
    assert "translation needed: it is not used on papers until both languages are complete" in html
    assert "Test-taking cues (they do not stop the import):" in html
    assert "Bahasa Indonesia: the correct option is the longest one" in html
    assert "English: a distractor holds an absolute word that gives it away: Always drive on (always)." in html
    assert "pilihan yang benar" not in html and "perlu terjemahan" not in html
    assert count(app) == 0  # planning again in another language saves nothing

    confirm(staff_client, preview_url, skip_refused=True)
    page = staff_client.get("/bank/import").get_data(as_text=True)
    assert "Imported: 2 new, 0 updated, 0 unchanged." in page and "test-taking cue warning(s)" in page
