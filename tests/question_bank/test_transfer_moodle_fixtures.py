"""Moodle's own question-export fixtures (moodle/moodle question/format/xml/tests/fixtures,
see files/moodle_fixtures/README.md): each question either imports or is refused alone
with a precise reason, and a refused import changes nothing in the bank."""
import base64
from pathlib import Path

import pytest
from transfer_helpers import bank_size, question_by_code, save

from core.extensions import db
from exam.services import candidates_for
from helpers import question_data
from question_bank.images import upload_folder
from question_bank.models import PRACTICE
from question_bank.transfer import ImportRejected, export_bank, import_bank
from question_bank.transfer.common import question_dict
from question_bank.transfer.plan import apply_plan, build_plan

FIXTURES = Path(__file__).parent / "files" / "moodle_fixtures"
CLOZE = "jenis soal cloze: soal jawaban sisipan (cloze) tidak dapat diimpor: bank soal hanya berisi soal pilihan tunggal"
ESSAY = "jenis soal essay: soal esai memerlukan penilai; bank soal hanya berisi soal pilihan tunggal"
SHORT = "jenis soal shortanswer: soal isian singkat tidak memiliki pilihan jawaban"

# Per fixture, per question in file order: what it becomes, and the first reason when refused.
OUTCOMES = {
    "broken_cloze_questions.xml": [("refused", CLOZE)] * 5,
    "categories_reverse_order.xml": [("refused", ESSAY), ("refused", SHORT)],
    "category_with_description.xml": [("create", None)],
    "deprecated_category.xml": [("create", None)],
    "error_invalid_grades.xml": [("refused", "mengizinkan beberapa jawaban (<single>false</single>); bank soal hanya "
                                             "memiliki satu pilihan benar per soal")],
    "export_category.xml": [("create", None)],
    "html_chars_in_idnumbers.xml": [("create", None)],
    "multianswer.xml": [("refused", CLOZE)],
    "multichoice.xml": [("create", None)],
    "nested_categories.xml": [("create", None)],
    "nested_categories_with_questions.xml": [("create", None), ("refused", ESSAY), ("create", None),
                                             ("create", None), ("create", None)],
    "old_format_file.xml": [("create", None), ("create", None)],
    "sample_questions_with_old_image_tag.xml": [("refused", CLOZE), ("create", None)],
    "truefalse.xml": [("create", None), ("create", None)],
}


def test_every_fixture_is_covered():
    assert sorted(p.name for p in FIXTURES.glob("*.xml")) == sorted(OUTCOMES)


def mapped_plan(name: str, **options) -> dict:
    """The fixture's plan once every category is mapped and classes are chosen, as staff do on the preview page."""
    data = (FIXTURES / name).read_bytes()
    categories = build_plan("moodle", data, untagged="en")["categories"]
    return build_plan("moodle", data, mapping={c["path"]: "regulations" for c in categories}, classes=["A", "C"],
                      untagged="en", **options)


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_fixture_imports_or_is_refused_per_question(app_ctx, name):
    plan = mapped_plan(name)
    assert plan["problems"] == []
    outcome = [(q["action"], q["reasons"][0] if q["reasons"] else None) for q in plan["questions"]]
    assert outcome == OUTCOMES[name]


def test_error_invalid_grades_lists_every_reason(app_ctx):
    reasons = mapped_plan("error_invalid_grades.xml")["questions"][0]["reasons"]
    assert reasons[1:] == [
        "jawaban 1 memiliki nilai '-50'; hanya 100 (benar) dan 0 yang didukung",
        "jawaban 2 memiliki nilai '33'; hanya 100 (benar) dan 0 yang didukung",
        "jawaban 3 memiliki nilai '33.33333'; hanya 100 (benar) dan 0 yang didukung",
        "jawaban 4 memiliki nilai '-50'; hanya 100 (benar) dan 0 yang didukung",
        "jawaban 5 memiliki nilai '33.33333'; hanya 100 (benar) dan 0 yang didukung",
        "memerlukan 2 sampai 4 pilihan",
    ]


def test_unmapped_categories_and_missing_classes_are_the_reasons_before_choosing(app_ctx):
    plan = build_plan("moodle", (FIXTURES / "old_format_file.xml").read_bytes(), untagged="en")
    assert [c["path"] for c in plan["categories"]] == ["Pi", "Pi/Rho"]
    assert plan["questions"][0]["reasons"] == [
        "tanpa golongan SIM: berkas tidak menyebutkannya (tag class:); pilih golongan di halaman pratinjau",
        "kategori 'Pi' belum dipetakan ke topik: pilih topik di halaman pratinjau"]


def test_true_false_becomes_a_two_option_question_needing_translation(app_ctx, staff):
    report = apply_plan(mapped_plan("truefalse.xml"), staff.id)
    assert (report.created, report.translation_needed) == (2, 2)
    plan = mapped_plan("truefalse.xml")
    assert [q["action"] for q in plan["questions"]] == ["unchanged", "unchanged"]  # same file again: same codes
    version = question_by_code(plan["questions"][0]["code"]).current_version
    assert [(o["id"], o["en"], o["correct"]) for o in version.options] == [
        ("Benar", "True", False), ("Salah", "False", True)]
    assert version.text_id == "" and "Modular Object-Oriented Dynamic Learning Education" in version.text_en
    assert version.translation_needed and version.topic == "regulations" and version.class_codes == ["A", "C"]
    # General and per-answer feedback are kept as the explanation; the feedback images are not (warned).
    assert "documentation about Moodle" in version.explanation_en
    assert "A: " in version.explanation_en and "Your answer is incorrect." in version.explanation_en
    assert "Your answer is correct." in version.explanation_en
    warnings = plan["questions"][0]["warnings"]
    assert "umpan balik umum: gambar infos.jpg dibuang (hanya teks soal yang dapat menampilkan gambar)" in warnings
    # The question text's image was new: stored (re-encoded) on import.
    assert version.image.startswith("upload/") and (upload_folder() / version.image.split("/")[1]).exists()


def test_multichoice_keeps_formatting_and_lists_what_it_drops(app_ctx):
    question = mapped_plan("multichoice.xml")["questions"][0]
    data = question["data"]
    assert [o["correct"] for o in data["options"]] == [False, True, False, False]
    assert [o["en"] for o in data["options"]] == ["<p>English</p>", "<p>French</p>", "<p>German</p>", "<p>Danish</p>"]
    assert data["format"] == "html" and "What language is being spoken?" in data["text"]["en"]
    assert "<li>B: <p>Yes, well done!</p></li>" in data["explanation"]["en"]
    assert "teks soal: tautan ke berkas sisipan bonjour.mp3 dibuang (berkas selain satu gambar tidak diimpor)" \
        in question["warnings"]
    assert "jawaban 2: gambar flag-france.jpg dibuang (hanya teks soal yang dapat menampilkan gambar)" \
        in question["warnings"]


def test_moodle_1_9_image_fields_are_read(app_ctx):
    question = mapped_plan("sample_questions_with_old_image_tag.xml")["questions"][1]
    assert question["new_image"]["name"] == "moodle.png"
    assert base64.b64decode(question["new_image"]["content"]).startswith(b"\x89PNG")
    assert question["data"]["options"][2] == {"correct": True, "id": "", "en": "right answer"}


def test_html_characters_in_an_idnumber_give_a_derived_code_and_a_warning(app_ctx):
    question = mapped_plan("html_chars_in_idnumbers.xml")["questions"][0]
    assert question["code"].startswith("MDL-")
    assert f"nama Moodle 'T & F' tidak disimpan; kode soal menjadi {question['code']}" in question["warnings"]


def test_a_refused_import_changes_nothing(app_ctx):
    save(question_data(code="REG-990"))
    before, size = export_bank("json"), bank_size()
    for name in ("broken_cloze_questions.xml", "multianswer.xml", "nested_categories_with_questions.xml"):
        with pytest.raises(ImportRejected):
            import_bank("moodle", (FIXTURES / name).read_bytes(), None, classes=["A"], untagged="en",
                        mapping={"Iota": "signs", "Iota/Kappa": "signs", "Iota/Kappa/Lambda": "signs",
                                 "Iota/Mu": "signs"})
    assert export_bank("json") == before and bank_size() == size


def test_importing_the_rest_leaves_the_refused_out_and_the_bank_alone(app_ctx):
    save(question_data(code="REG-991"))
    before = question_dict(question_by_code("REG-991"))
    plan = mapped_plan("nested_categories_with_questions.xml")
    report = apply_plan(plan, None)
    assert report.created == 4 and bank_size() == (5, 5)
    assert question_by_code("REG-991").current_version.number == 1
    assert question_dict(question_by_code("REG-991")) == before


def test_imported_monolingual_questions_are_drawn_for_no_paper(app_ctx, staff):
    """Moodle's truefalse fixture is English only: imported as "translation needed", it is
    offered neither on exam papers nor in practice until a bilingual version replaces it."""
    apply_plan(mapped_plan("truefalse.xml"), staff.id)
    save(question_data(code="REG-992", classes=("A",)))
    imported = [question_by_code(q["code"]) for q in mapped_plan("truefalse.xml")["questions"]]
    assert all(q.current_version.translation_needed for q in imported)
    drawn = {c.question_id for pool in candidates_for("A").values() for c in pool}
    assert drawn == {question_by_code("REG-992").id}
    for question in imported:
        question.status = PRACTICE
    db.session.commit()
    assert candidates_for("A", PRACTICE) == {} and candidates_for("C", PRACTICE) == {}


def test_a_category_with_an_idnumber_and_auto_format_info_imports_its_true_false_question(app_ctx):
    """deprecated_category.xml (Moodle 4.3+): the category carries an idnumber and an
    `<info format="moodle_auto_format">`; its truefalse question keeps true as the key."""
    plan = mapped_plan("deprecated_category.xml")
    assert [c["path"] for c in plan["categories"]] == ["Alpha"]
    question = plan["questions"][0]
    assert [(o["id"], o["en"], o["correct"]) for o in question["data"]["options"]] == [
        ("Benar", "True", True), ("Salah", "False", False)]
    assert question["data"]["text"]["en"] == "Testing Alpha Question" and question["translation_needed"]
