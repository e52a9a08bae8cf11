"""What imported content becomes: translation needed keeps a question off papers,
formatted text is sanitised and shown formatted, references survive Moodle's tag
limit, and GIFT and Aiken go through the same checks as Moodle XML."""
import re

import pytest
from sqlalchemy import select
from transfer_helpers import empty_bank, question_by_code, save

from core.extensions import db
from exam.services import candidates_for
from helpers import app_context, form_login, question_data
from question_bank.models import Question
from question_bank.rich_text import render, sanitise
from question_bank.services import upsert_question
from question_bank.transfer import ImportRejected, ImportReport, export_bank, import_bank
from question_bank.transfer.plan import build_plan


def drawn_ids(sim_class: str = "A") -> set[int]:
    return {c.question_id for candidates in candidates_for(sim_class).values() for c in candidates}


def test_a_question_needing_translation_is_never_drawn_until_translated(app_ctx):
    english_only = question_data(code="REG-960")
    english_only["text"]["id"] = ""
    for option in english_only["options"]:
        option["id"] = ""
    upsert_question(english_only)
    upsert_question(question_data(code="REG-961"))
    db.session.commit()
    waiting, complete = question_by_code("REG-960"), question_by_code("REG-961")
    assert waiting.current_version.translation_needed and not complete.current_version.translation_needed
    assert drawn_ids() == {complete.id}

    assert upsert_question(question_data(code="REG-960")) == "updated"  # the translated version
    db.session.commit()
    assert drawn_ids() == {complete.id, waiting.id}


def test_the_translation_needed_filter_finds_either_missing_language(app_ctx):
    from question_bank.editing import SearchFilters, search

    english_only = question_data(code="REG-962")
    english_only["text"]["id"] = ""
    for option in english_only["options"]:
        option["id"] = ""
    indonesian_only = question_data(code="REG-963")
    indonesian_only["explanation"]["en"] = ""
    for data in (english_only, indonesian_only, question_data(code="REG-964")):
        upsert_question(data)
    db.session.commit()
    found = search(SearchFilters(missing_language=True)).questions
    assert sorted(q.code for q in found) == ["REG-962", "REG-963"]


SCRIPTED = ('<p onclick="steal()">H<sub>2</sub>O and x<sup>2</sup> <script>alert(1)</script>'
            '<a href="javascript:alert(1)">bad</a> <a href="https://example.org/uu">UU</a></p>'
            '<ul><li>one</li></ul><table><tr><td colspan="2" style="color:red">cell</td></tr></table>'
            '<img src="x" onerror="alert(1)"><iframe src="https://evil.example"></iframe>')


def test_the_sanitiser_keeps_formatting_and_nothing_else():
    clean = sanitise(SCRIPTED)
    for kept in ("<sub>2</sub>", "<sup>2</sup>", "<ul><li>one</li></ul>", '<td colspan="2">cell</td>',
                 '<a href="https://example.org/uu" rel="noopener noreferrer nofollow">UU</a>'):
        assert kept in clean
    for removed in ("onclick", "script", "alert", "javascript", "<img", "iframe", "style"):
        assert removed not in clean
    assert str(render("<b>not bold</b>\nline 2")) == "&lt;b&gt;not bold&lt;/b&gt;<br>line 2"
    assert str(render(SCRIPTED, "html")) == clean  # stored HTML is sanitised again on the way out


def test_formatted_text_is_shown_formatted_on_the_question_page(app, staff):
    with app_context(app):
        data = {**question_data(code="REG-962"), "format": "html"}
        data["text"] = {"id": SCRIPTED, "en": "<p>E = mc<sup>2</sup></p>"}
        upsert_question(data)
        plain = question_data(code="REG-963")
        plain["text"]["id"] = "<b>bukan tebal</b>"
        upsert_question(plain)
        db.session.commit()
        stored = question_by_code("REG-962").current_version
        assert stored.text_format == "html" and "script" not in stored.text_id  # sanitised when saved
        ids = {code: db.session.scalar(select(Question.id).where(Question.code == code))
               for code in ("REG-962", "REG-963")}
    client = app.test_client()
    assert form_login(client, staff.email).status_code == 302
    page = client.get(f"/bank/{ids['REG-962']}").get_data(as_text=True)
    assert "H<sub>2</sub>O" in page and "<ul><li>one</li></ul>" in page
    assert "steal()" not in page and "alert(1)" not in page
    page = client.get(f"/bank/{ids['REG-963']}").get_data(as_text=True)
    assert "&lt;b&gt;bukan tebal&lt;/b&gt;" in page and "<b>bukan tebal</b>" not in page


LONG_REFERENCE = "UU No. 22 Tahun 2009 tentang Lalu Lintas dan Angkutan Jalan, Pasal 106 ayat (4) huruf a dan b"


def through_moodle(exported: bytes) -> bytes:
    """What a Moodle site gives back: tags cut at 50 characters (TAG_MAX_LENGTH)."""
    return re.sub(rb"<tag>\s*<text>(.*?)</text>", lambda m: b"<tag><text>" + m.group(1).decode()[:50].encode()
                  + b"</text>", exported, flags=re.DOTALL)


def test_a_reference_survives_moodle_cutting_its_tag(app_ctx):
    save({**question_data(code="REG-964"), "reference": LONG_REFERENCE})
    returned = through_moodle(export_bank("moodle"))
    assert LONG_REFERENCE.encode() not in returned and f"ref:{LONG_REFERENCE}"[:50].encode() in returned
    planned = build_plan("moodle", returned)["questions"][0]
    assert planned["action"] == "unchanged"
    assert ("rujukan dipotong Moodle pada 50 karakter: rujukan lengkap yang tersimpan di sini tetap dipakai"
            in planned["warnings"])
    assert import_bank("moodle", returned, None) == ImportReport(unchanged=1)
    assert question_by_code("REG-964").current_version.reference == LONG_REFERENCE

    empty_bank()  # into a bank that never had the full reference: kept as cut, with a warning
    planned = build_plan("moodle", returned)["questions"][0]
    assert planned["data"]["reference"] == LONG_REFERENCE[:46]
    assert "rujukan tepat 50 karakter, batas tag Moodle: rujukan mungkin telah terpotong" in planned["warnings"]


GIFT = r"""// A file written by hand
$CATEGORY: $course$/Rambu

// [id:SGN-950] [tag:class:A]
::Rambu STOP::Apa arti rambu \{STOP\}? {=Berhenti#Benar ~Jalan terus#Salah ~Belok\: kiri ####Rambu wajib berhenti.}

::TF:: Lampu merah berarti berhenti. {T#Salah#Betul}

::Essay:: Jelaskan. {}

Berapa 2+2? {#4}

::Match:: Pasangkan {=a -> b =c -> d =e -> f}

Ibu kota? {=Jakarta =jakarta}

Pilih {~%50%a ~%50%b ~c}
"""


def test_gift_import_maps_refuses_per_question_and_keeps_feedback(app_ctx):
    plan = build_plan("gift", GIFT.encode(), mapping={"Rambu": "signs"}, classes=["C"])
    assert plan["categories"] == [{"path": "Rambu", "topic": "signs", "questions": 7}]
    outcome = [(q["location"].split(" (")[0], q["action"], q["reasons"][:1]) for q in plan["questions"]]
    assert outcome == [
        ("baris 5", "create", []),
        ("baris 7", "create", []),
        ("baris 9", "refused", ["jenis soal essay: soal esai memerlukan penilai; bank soal hanya berisi soal pilihan "
                               "tunggal"]),
        ("baris 11", "refused", ["jenis soal numerical: soal numerik tidak memiliki pilihan jawaban"]),
        ("baris 13", "refused", ["jenis soal matching: soal menjodohkan memiliki beberapa jawaban; bank soal hanya "
                                "memiliki satu pilihan benar per soal"]),
        ("baris 15", "refused", ["jenis soal shortanswer: soal isian singkat tidak memiliki pilihan jawaban"]),
        ("baris 17", "refused", ["jenis soal multichoice: jawaban berbobot memberi nilai sebagian; bank soal hanya "
                                "memiliki satu pilihan benar per soal"]),
    ]
    stop, true_false = plan["questions"][0]["data"], plan["questions"][1]["data"]
    assert stop["code"] == "SGN-950" and stop["classes"] == ["A"] and stop["topic"] == "signs"
    assert stop["text"] == {"id": "Apa arti rambu {STOP}?", "en": ""}
    assert [(o["id"], o["correct"]) for o in stop["options"]] == [
        ("Berhenti", True), ("Jalan terus", False), ("Belok: kiri", False)]
    assert stop["explanation"]["id"] == "Rambu wajib berhenti.\n\nA: Benar\nB: Salah"
    assert [(o["id"], o["correct"]) for o in true_false["options"]] == [("Benar", True), ("Salah", False)]
    assert true_false["classes"] == ["C"] and true_false["explanation"]["id"] == "A: Betul\nB: Salah"


def test_gift_export_round_trips_exactly(sample_bank):
    before, exported = export_bank("json"), export_bank("gift")
    assert b"// [id:SGN-777] [tag:class:A] [tag:class:C] [tag:topic:signs]" in exported
    empty_bank()
    assert import_bank("gift", exported, None) == ImportReport(created=4, retired=1)
    assert export_bank("json") == before


AIKEN = """Apa arti marka garis utuh?
A. Boleh mendahului
B) Dilarang melintas
C. Parkir
ANSWER: B

Tanpa jawaban
A. x
B. y
"""


def test_aiken_import_and_export(app_ctx, sample_bank):
    plan = build_plan("aiken", AIKEN.encode(), mapping={"": "regulations"}, classes=["A"])
    first, second = plan["questions"]
    assert first["action"] == "create" and first["translation_needed"]
    assert [(o["id"], o["correct"]) for o in first["data"]["options"]] == [
        ("Boleh mendahului", False), ("Dilarang melintas", True), ("Parkir", False)]
    assert (second["action"], second["reasons"][:1]) == ("refused", ["tidak ada baris ANSWER:"])
    exported = export_bank("aiken").decode()
    assert "Pertanyaan AID-701?\nA. Pilihan salah 0 untuk AID-701\nB. Jawaban KEY-" in exported
    assert "\nANSWER: B\n" in exported and "Question AID-701" not in exported  # one language: Indonesian


@pytest.mark.parametrize("fmt", ["gift", "aiken"])
def test_a_refused_text_file_changes_nothing(app_ctx, sample_bank, fmt):
    before = export_bank("json")
    with pytest.raises(ImportRejected):
        import_bank(fmt, (GIFT if fmt == "gift" else AIKEN).encode(), None, classes=["A"],
                    mapping={"Rambu": "signs", "": "signs"})
    assert export_bank("json") == before


@pytest.mark.parametrize("fmt", ["moodle", "gift", "json", "csv"])
def test_formatted_questions_round_trip(app_ctx, fmt):
    data = {**question_data(code="REG-965"), "format": "html"}
    data["text"] = {"id": "<p>Rumus H<sub>2</sub>O</p><ul><li>satu</li></ul>", "en": "<p>Formula H<sub>2</sub>O</p>"}
    save(data)
    before, exported = export_bank("json"), export_bank(fmt)
    empty_bank()
    assert import_bank(fmt, exported, None) == ImportReport(created=1)
    assert export_bank("json") == before
    assert question_by_code("REG-965").current_version.text_format == "html"


@pytest.mark.parametrize("fmt", ["json", "csv", "moodle", "gift"])
def test_imported_true_false_questions_needing_translation_round_trip(app_ctx, fmt):
    data = question_data(code="REG-966", option_count=2)
    data["text"]["en"] = data["explanation"]["en"] = ""
    save(data)
    assert question_by_code("REG-966").current_version.translation_needed
    before, exported = export_bank("json"), export_bank(fmt)
    empty_bank()
    assert import_bank(fmt, exported, None) == ImportReport(created=1, translation_needed=1)
    assert export_bank("json") == before
