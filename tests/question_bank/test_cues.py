"""Test-taking cue checks: the pure measures, the bundled bank's figures against the
limits, and where staff see the warnings (seed, import, report page, editor)."""
import json
import re

import pytest
from flask_babel import force_locale
from test_editor import FORM, post_form
from transfer_helpers import json_file

from core.extensions import db
from helpers import app_context, form_login, question_data
from question_bank import cues
from question_bank.loader import read_bank, read_exclusion_groups
from question_bank.models import TOPICS
from question_bank.transfer import import_bank


def question(code: str, key: str, *distractors: str, stem: str = "Apa yang harus dilakukan?", topic: str = "signs",
             image: str | None = None, en: bool = True) -> dict:
    options = [{"id": key, "en": key if en else "", "correct": True}]
    options += [{"id": d, "en": d if en else "", "correct": False} for d in distractors]
    return {"code": code, "topic": topic, "image": image, "text": {"id": stem, "en": stem}, "options": options}


# --------------------------------------------------------------------------- the measures


def test_key_is_longest_counts_ties():
    assert cues.key_is_longest(question("A", "abcd", "abcd", "ab"), "id")
    assert cues.key_is_longest(question("A", "abcde", "abcd", "ab"), "id")
    assert not cues.key_is_longest(question("A", "abc", "abcd", "ab"), "id")


def test_figures_give_longest_rate_length_ratio_and_absolute_share():
    bank = [question("A", "x" * 20, "y" * 10, "z" * 10), question("B", "x" * 10, "Selalu berhenti", "y" * 10)]
    fig = cues.figures(bank, "id")
    assert fig.questions == 2 and fig.distractors == 4
    assert fig.key_longest == 0.5
    assert fig.ratio == pytest.approx(15 / ((10 + 10 + 15 + 10) / 4))
    assert fig.absolute == 0.25
    assert set(fig.problems) == {"key_longest", "ratio", "absolute"}


def test_figures_within_the_limits_have_no_problems():
    bank = [question(str(i), "x" * 10, "y" * 12, "z" * 9) for i in range(4)]
    assert cues.figures(bank, "id").problems == []


def test_questions_without_english_are_left_out_of_the_english_figures():
    bank = [question("A", "x" * 20, "y", "z", en=False), question("B", "x", "y" * 5, "z" * 5)]
    assert cues.figures(bank, "en").questions == 1 and cues.figures(bank, "en").key_longest == 0.0
    assert cues.figures(bank, "id").questions == 2


@pytest.mark.parametrize(("text", "lang", "words"), [
    ("Selalu menyalakan lampu hazard", "id", ["selalu"]),
    ("Tidak perlu berhenti, cukup membunyikan klakson", "id", ["tidak perlu"]),
    ("Melaju secepat mungkin agar tidak tertahan", "id", ["secepat mungkin"]),
    ("Menunggu apa pun yang terjadi", "id", ["apa pun"]),
    ("You never need to stop", "en", ["never"]),
    ("Only when the police are there", "en", ["only"]),
    ("Menyalakan lampu jauh", "id", []),
    ("Keep a safe distance", "en", []),
    ("Install the smallest tyres", "en", []),  # "all" inside a word is not the word
])
def test_absolute_words_are_found_as_whole_words(text, lang, words):
    assert cues.absolute_words(text, lang) == words


def test_duplicates_same_stem_same_key_and_near_but_not_grouped_or_other_drawing():
    bank = [
        question("Q1", "Berhenti di belakang garis henti", "Jalan terus", stem="Apa arti lampu merah?"),
        question("Q2", "Tetap di lajur kiri", "Jalan terus", stem="Apa arti lampu merah?"),
        question("Q3", "Berhenti di belakang garis henti", "Jalan terus", stem="Lampu kuning menyala, apa yang dilakukan?"),
        question("S1", "Dilarang masuk", "Boleh masuk", stem="Apa arti rambu ini?", image="signs/a.svg"),
        question("S2", "Dilarang parkir", "Boleh parkir", stem="Apa arti rambu ini?", image="signs/b.svg"),
        question("F1", "Kurungan 1 bulan atau denda Rp250.000", "Teguran", stem="Sanksi melanggar marka?"),
        question("F2", "Kurungan 1 bulan atau denda Rp250.000", "Teguran", stem="Sanksi tanpa helm?"),
        question("N1", "Menunggu di luar kotak sampai ada ruang keluar", "Masuk", stem="Lampu hijau tetapi antrean di seberang macet"),
        question("N2", "Menunggu di luar kotak sampai ada ruang untuk keluar", "Masuk", stem="Antrean di seberang tidak bergerak"),
    ]
    found = {(d.first, d.second): d.kind for d in cues.duplicates(bank, {})}
    assert found == {("Q1", "Q2"): "stem", ("Q1", "Q3"): "key", ("N1", "N2"): "near"}
    grouped = cues.duplicates(bank, {"Q1": "red", "Q2": "red", "Q3": "red", "N1": "box", "N2": "box"})
    assert grouped == []


def test_questions_without_indonesian_text_are_nobody_s_duplicates():
    """Imported English-only questions (translation needed) have an empty Indonesian stem."""
    first = question("E1", "Give way", "Speed up", stem="")
    second = question("E2", "Stop", "Hoot", stem="")
    assert cues.duplicates([first, second, question("Q1", "Berhenti", "Jalan", stem="")], {}) == []
    assert cues.duplicates([question("Q1", "Berhenti", "Jalan"), question("Q2", "Diam", "Lari")], {})  # still found


def test_many_question_cues_are_the_single_ones():
    bank = [question("Q1", "Berhenti di belakang garis henti", "Selalu jalan terus", stem="Apa arti lampu merah?"),
            question("Q2", "Tetap di lajur kiri", "Jalan", stem="Apa arti lampu merah?")]
    assert cues.many_question_cues(bank, bank) == [cues.question_cues(q, bank) for q in bank]
    assert cues.many_question_cues(bank, bank)[0]  # the cues are there to compare


def test_cue_messages_follow_the_ui_language(app):
    cue = cues.QuestionCue("key_longest", "en")
    with app.test_request_context(), force_locale("en"):
        assert cues.cue_message(cue).startswith("English: the correct option is the longest one")
    with app.test_request_context():
        assert cues.cue_message(cue).startswith("English: pilihan yang benar adalah yang terpanjang")


def long_hazard_question(code: str = "HAZ-901") -> dict:
    stem = " ".join(["kata"] * 21)
    return question(code, "Memperlambat dan mengawasi", "Mempercepat laju", "Membunyikan klakson", stem=stem,
                    topic="hazard_perception")


def test_timed_questions_over_the_reading_limits_are_too_long_to_read():
    long_stem = long_hazard_question()
    assert cues.too_long_to_read(long_stem, "id") == (21, 28)
    assert cues.too_long_to_read(long_stem, "en") is None  # 24 words allowed in English
    long_options = long_hazard_question()
    long_options["text"] = {"id": "Apa yang harus dilakukan?", "en": "What should you do?"}
    long_options["options"][1]["id"] = " ".join(["lambat"] * 50)
    assert cues.too_long_to_read(long_options, "id") == (4, 4 + 3 + 50 + 2)
    assert cues.too_long_to_read({**long_stem, "topic": "signs"}, "id") is None  # untimed topics may be longer


def test_question_cues_and_report_name_a_question_too_long_to_read(app):
    found = cues.question_cues(long_hazard_question())
    assert [(c.kind, c.lang) for c in found if c.kind == "long_read"] == [("long_read", "id")]
    with app.test_request_context(), force_locale("en"):
        message = cues.cue_message(next(c for c in found if c.kind == "long_read"))
        assert "the stem has 21 words (at most 20), stem and options 28 (at most 55)" in message
        report = cues.bank_cues([long_hazard_question()])
        assert report.long_reads == [cues.LongRead("HAZ-901", "id", 21, 28)]
        assert any(line.startswith("HAZ-901 (id): too long to read") for line in report.warnings())


def test_question_cues_name_the_options_and_the_other_question():
    mine = question("Q9", "Berhenti di belakang garis henti", "Selalu jalan terus", "Klakson", stem="Apa arti lampu merah?")
    other = question("Q1", "Berhenti", "Jalan", stem="Apa arti lampu merah?")
    found = cues.question_cues(mine, [other])
    kinds = [(c.kind, c.lang) for c in found]
    assert ("key_longest", "id") in kinds and ("key_longest", "en") in kinds
    assert any(c.kind == "absolute" and "Selalu jalan terus" in c.detail for c in found)
    assert any(c.kind == "stem" and c.detail == "Q1" for c in found)
    assert not any(c.kind == "stem" for c in cues.question_cues(mine, [other], {"Q9": "red", "Q1": "red"}))


# --------------------------------------------------------------------------- the bundled bank


@pytest.fixture(scope="module")
def bundled_report() -> cues.CueReport:
    return cues.bank_cues(read_bank(), read_exclusion_groups())


@pytest.mark.parametrize("lang", cues.LANGUAGES)
@pytest.mark.parametrize("topic", TOPICS)
def test_bundled_keys_are_not_the_longest_and_not_longer_per_topic(bundled_report, lang, topic):
    fig = bundled_report.by_topic[(lang, topic)]
    assert fig.key_longest <= cues.MAX_KEY_LONGEST, (topic, lang, fig)
    assert cues.RATIO_RANGE[0] <= fig.ratio <= cues.RATIO_RANGE[1], (topic, lang, fig)


@pytest.mark.parametrize("lang", cues.LANGUAGES)
def test_bundled_bank_overall_figures_hold(bundled_report, lang):
    fig = bundled_report.overall[lang]
    assert fig.key_longest <= cues.MAX_KEY_LONGEST, fig
    assert fig.absolute <= cues.MAX_ABSOLUTE, (fig, [h for h in bundled_report.absolute if h.lang == lang][:20])


def test_bundled_bank_has_no_duplicate_outside_an_exclusion_group(bundled_report):
    assert bundled_report.exact_duplicates == []
    assert bundled_report.duplicates == []


def test_bundled_bank_has_no_word_for_word_duplicate_at_all():
    """REG-050 and SAF-038 were the same question; one was rewritten (a group alone
    would still spend two codes on one question)."""
    assert [d for d in cues.duplicates(read_bank(), {}) if d.kind == "stem"] == []


def test_hazard_perception_questions_can_be_read_in_the_per_question_time(bundled_report):
    assert bundled_report.long_reads == []
    hazard = [q for q in read_bank() if q["topic"] in cues.TIMED_TOPICS]
    assert hazard and all(cues.too_long_to_read(q, lang) is None for q in hazard for lang in cues.LANGUAGES)


# --------------------------------------------------------------------------- where staff see them


def cue_bank(app):
    """Two questions whose keys give themselves away and that ask the same thing."""
    long_key = question_data(code="SGN-801", topic="signs")
    long_key["text"] = {"id": "Apa arti marka kotak kuning?", "en": "What does the yellow box mean?"}
    long_key["options"][0] = {"id": "Dilarang berhenti di dalam kotak kuning sampai ada ruang keluar",
                              "en": "Do not stop inside the yellow box until there is room to leave", "correct": True}
    long_key["options"][1] = {"id": "Selalu boleh berhenti", "en": "You may always stop", "correct": False}
    twin = {**long_key, "code": "SGN-802"}
    return long_key, twin


def test_seed_prints_a_cue_summary(app, runner, tmp_path, monkeypatch):
    import core.cli
    from question_bank.loader import load_bank

    folder = tmp_path / "bank"
    folder.mkdir()
    first, twin = cue_bank(app)
    (folder / "signs.json").write_text(json.dumps({"questions": [first, twin]}), encoding="utf-8")
    empty_groups = tmp_path / "groups.json"
    empty_groups.write_text('{"groups": []}', encoding="utf-8")
    monkeypatch.setattr(core.cli, "load_bank", lambda: load_bank(folder, empty_groups))
    result = runner.invoke(args=["seed", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert "test-taking cue" in result.output
    assert "signs (id): key is the longest option in 100% of questions" in result.output
    assert "SGN-801 / SGN-802: the same question text, not in one exclusion group" in result.output


def test_import_reports_cues_as_warnings_in_indonesian_and_still_imports(app_ctx):
    first, twin = cue_bank(None)
    report = import_bank("json", json_file(first, twin), None)
    assert report.created == 2  # warnings never refuse a file
    assert "signs (id): kunci adalah pilihan terpanjang pada 100% soal (paling banyak 30%)" in report.warnings
    assert any(w.startswith("SGN-801: Bahasa Indonesia: pilihan yang benar adalah yang terpanjang")
               for w in report.warnings)
    assert any(w.startswith("SGN-801: Bahasa Indonesia: sebuah pengecoh memuat kata mutlak")
               and "Selalu boleh berhenti (selalu)" in w for w in report.warnings)
    assert any(w.startswith("SGN-802: Teks pertanyaan sama dengan SGN-801") for w in report.warnings)
    assert "warnings" not in report.as_dict()


def test_import_reports_cues_in_english_when_the_ui_is_english(english):
    report = import_bank("json", json_file(*cue_bank(None)), None)
    assert "signs (en): key is the longest option in 100% of questions (at most 30%)" in report.warnings
    assert any(w.startswith("SGN-801: English: the correct option is the longest one") for w in report.warnings)
    assert any(w.startswith("SGN-802: The same question text as SGN-801") for w in report.warnings)
    assert not any("pilihan" in w for w in report.warnings)


def test_import_of_a_clean_question_has_no_question_warnings(app_ctx):
    clean = question_data(code="SGN-803", topic="signs", correct_index=1)
    report = import_bank("json", json_file(clean), None)
    assert report.created == 1 and not any(w.startswith("SGN-803") for w in report.warnings)


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    assert form_login(client, staff.email).status_code == 302
    return client


def test_cue_report_page_shows_figures_and_duplicates_in_indonesian(app, staff_client):
    with app_context(app):
        import_bank("json", json_file(*cue_bank(app)), None)
    page = staff_client.get("/bank/cues")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Petunjuk jawaban" in html  # the Indonesian title
    assert "Kunci adalah pilihan terpanjang" in html
    assert "100%" in html and "melewati batas" in html
    assert "SGN-801" in html and "SGN-802" in html and "teks pertanyaan yang sama" in html
    assert "Selalu boleh berhenti" in html


def test_cue_report_page_in_english(app, staff_client):
    with app_context(app):
        import_bank("json", json_file(*cue_bank(app)), None)
    page = staff_client.get("/bank/cues").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert staff_client.post("/language/en", data={"csrf_token": token, "next": "/bank/cues"}).status_code == 303
    html = staff_client.get("/bank/cues").get_data(as_text=True)
    assert "the correct option is the longest in at most 30% of questions" in html
    assert "the same question text" in html and "over the limit" in html
    assert "Petunjuk jawaban" not in html and "melewati batas" not in html


def test_cue_report_page_lists_hazard_questions_too_long_to_read(app, staff_client):
    long_read = question_data(code="HAZ-902", topic="hazard_perception")
    long_read["text"] = {"id": " ".join(["kata"] * 30), "en": "Short enough in English?"}
    with app_context(app):
        assert import_bank("json", json_file(long_read), None).created == 1
    html = staff_client.get("/bank/cues").get_data(as_text=True)
    assert html.count('id="cue-long-reads"') == 1
    assert "<section" not in html[html.index("<title>"):html.index("</title>")]
    section = html[html.index('id="cue-long-reads"'):]
    assert "HAZ-902" in section and "(id)" in section and "(en)" not in section.split("</section>")[0]
    assert "batang soal 30 kata" in section


def test_cue_report_is_staff_only(app, applicant, examiner):
    for account in (applicant, examiner):
        client = app.test_client()
        assert form_login(client, account.email).status_code == 302
        assert client.get("/bank/cues").status_code == 403, account.email
    assert app.test_client().get("/bank/cues").status_code == 302  # to the sign-in page


def test_editor_shows_the_cues_of_the_question_being_edited(app, staff_client):
    long_key = {**FORM, "code": "REG-950", "option_a_id": "Memperlambat, memberi prioritas, lalu jalan dengan hati-hati",
                "option_b_id": "Selalu mempercepat"}
    assert post_form(staff_client, "/bank/new", long_key).status_code == 303
    with app_context(app):
        from question_bank.models import Question
        question_id = db.session.scalar(db.select(Question.id).where(Question.code == "REG-950"))
    html = staff_client.get(f"/bank/{question_id}/edit").get_data(as_text=True)
    assert 'id="cue-warnings"' in html
    assert "Bahasa Indonesia: pilihan yang benar adalah yang terpanjang" in html
    assert "Selalu mempercepat (selalu)" in html

    balanced = {**FORM, "option_a_id": "Memberi prioritas", "option_b_id": "Mempercepat laju kendaraan",
                "option_a_en": "Give priority", "option_b_en": "Speed up the vehicle"}
    assert post_form(staff_client, f"/bank/{question_id}/edit", balanced).status_code == 303
    assert 'id="cue-warnings"' not in staff_client.get(f"/bank/{question_id}/edit").get_data(as_text=True)
