"""The staff question editor: create, edit into a new version, retire/restore,
history diff, image uploads, search filters, permissions and the audit trail."""
import io
import re

import pytest
from PIL import Image

from core.audit import AuditEntry, verify_chain
from core.extensions import db
from helpers import app_context, csrf_from_html, form_login, question_data
from question_bank.models import Question
from question_bank.services import upsert_question

FORM = {
    "topic": "regulations", "classes": ["A", "C"],
    "text_id": "Apa kewajiban pengemudi di persimpangan?", "text_en": "What must a driver do at a junction?",
    "option_a_id": "Memperlambat dan memberi prioritas", "option_a_en": "Slow down and give priority",
    "option_b_id": "Mempercepat", "option_b_en": "Speed up",
    "option_c_id": "Membunyikan klakson terus", "option_c_en": "Keep sounding the horn",
    "option_d_id": "", "option_d_en": "", "correct": "a",
    "explanation_id": "Pasal 113 UU 22/2009.", "explanation_en": "Article 113 of Law 22/2009.",
    "reference": "UU No. 22 Tahun 2009 Pasal 113", "image": "",
}


def png_bytes(size=(40, 30), kind="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    assert form_login(client, staff.email).status_code == 302
    return client


def post_form(client, url, data, files=None):
    page = client.get(url)
    assert page.status_code == 200
    body = {**data, "csrf_token": csrf_from_html(page.get_data(as_text=True))}
    if files:
        body.update(files)
    return client.post(url, data=body, content_type="multipart/form-data")


def load(app, code):
    with app_context(app):
        question = db.session.scalar(db.select(Question).where(Question.code == code))
        return question, [(v.number, v.text_id, v.class_codes, v.image) for v in question.versions]


def test_staff_creates_and_edits_a_question_into_a_new_version(app, staff_client):
    response = post_form(staff_client, "/bank/new", {**FORM, "code": "REG-901"})
    assert response.status_code == 303
    question, versions = load(app, "REG-901")
    assert versions == [(1, FORM["text_id"], ["A", "C"], None)]

    edit = post_form(staff_client, f"/bank/{question.id}/edit",
                     {**FORM, "text_id": "Apa kewajiban utama di persimpangan?", "classes": ["A"]})
    assert edit.status_code == 303
    question, versions = load(app, "REG-901")
    assert [v[:3] for v in versions] == [(1, FORM["text_id"], ["A", "C"]),
                                         (2, "Apa kewajiban utama di persimpangan?", ["A"])]
    with app_context(app):
        assert db.session.get(Question, question.id).current_version.number == 2

    unchanged = post_form(staff_client, f"/bank/{question.id}/edit",
                          {**FORM, "text_id": "Apa kewajiban utama di persimpangan?", "classes": ["A"]})
    assert unchanged.status_code == 303
    assert len(load(app, "REG-901")[1]) == 2

    history = staff_client.get(f"/bank/{question.id}/history?from=1&to=2").get_data(as_text=True)
    assert "diff-del" in history and "Apa kewajiban utama di persimpangan?" in history
    with app_context(app):
        actions = [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["question.create", "question.edit"]
        assert verify_chain().intact


@pytest.mark.parametrize("change, message", [
    ({"correct": ""}, "Correct option"),
    ({"option_c_id": "", "option_c_en": ""}, "3 or 4 options"),
    ({"classes": []}, "SIM class"),
    ({"code": "bad code"}, "ABC-123"),
])
def test_invalid_questions_are_refused_and_nothing_is_saved(app, staff_client, change, message):
    response = post_form(staff_client, "/bank/new", {**FORM, "code": "REG-902", **change})
    assert response.status_code in (409, 422)
    with app_context(app):
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


@pytest.mark.parametrize("left_out", [("explanation_id",), ("text_id",), ("explanation_id", "explanation_en", "text_id")])
def test_a_post_without_the_explanation_or_question_field_is_refused_with_its_message(app, staff_client,
                                                                                       make_question, left_out):
    """Regression (found by tests/test_form_fuzz.py): a field left out of the post, not just
    empty, was None in QuestionForm.to_data, and the editor's cue warnings made it a 500.
    Now the form comes back (422) with the field's own message and the rest kept; nothing saved."""
    record = make_question()
    with app_context(app):
        before = [(v.number, v.text_id, v.explanation_id) for v in db.session.get(Question, record.id).versions]
    form = {name: value for name, value in FORM.items() if name not in left_out}
    for url, code in (("/bank/new", "REG-905"), (f"/bank/{record.id}/edit", record.code)):
        response = post_form(staff_client, url, {**form, "code": code})
        assert response.status_code == 422, (url, response.status_code)
        page = response.get_data(as_text=True)
        for name in left_out:
            if name.endswith("_id"):
                assert re.search(rf'<p class="error" id="{name}-error">[^<]+</p>', page), (url, name)
        assert FORM["option_a_id"] in page  # the rest of what was typed is kept
    with app_context(app):
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 1
        assert [(v.number, v.text_id, v.explanation_id)
                for v in db.session.get(Question, record.id).versions] == before


HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)> '); DROP TABLE questions;--"
HOSTILE_ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &#39;); DROP TABLE questions;--"
TEXT_FIELDS = ["text_id", "text_en", "option_a_id", "option_a_en", "option_b_id", "option_b_en", "option_c_id",
               "option_c_en", "explanation_id", "explanation_en", "reference"]


def test_hostile_text_in_every_editor_field_is_stored_as_typed_and_rendered_escaped(app, staff_client):
    form = {**FORM, "code": "REG-906", **{name: f"{name} {HOSTILE}" for name in TEXT_FIELDS}}
    assert post_form(staff_client, "/bank/new", form).status_code == 303
    question, _ = load(app, "REG-906")  # the table is still there
    with app_context(app):
        version = db.session.get(Question, question.id).current_version
        assert version.text_id == form["text_id"] and version.explanation_en == form["explanation_en"]
        assert [option["id"] for option in version.options][:3] == [form[f"option_{x}_id"] for x in "abc"]
    for url in (f"/bank/{question.id}", f"/bank/{question.id}/edit", "/bank?q=REG-906"):
        html = staff_client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert HOSTILE_ESCAPED in html, url


def test_retire_and_restore_are_recorded(app, staff_client, make_question):
    record = make_question()
    page = staff_client.get(f"/bank/{record.id}")
    token = csrf_from_html(page.get_data(as_text=True))
    assert staff_client.post(f"/bank/{record.id}/status", data={"csrf_token": token, "status": "retired"}).status_code == 303
    assert load(app, record.code)[0].status == "retired"
    assert staff_client.post(f"/bank/{record.id}/status", data={"csrf_token": token, "status": "active"}).status_code == 303
    assert load(app, record.code)[0].status == "active"
    with app_context(app):
        assert [e.action for e in db.session.scalars(db.select(AuditEntry))] == ["question.retire", "question.restore"]


def test_staff_move_a_question_into_the_practice_pool_and_back(app, staff_client, make_question):
    record = make_question()
    page = staff_client.get(f"/bank/{record.id}").get_data(as_text=True)
    assert 'id="status-practice"' in page and 'id="status-retired"' in page
    token = csrf_from_html(page)
    assert staff_client.post(f"/bank/{record.id}/status", data={"csrf_token": token, "status": "practice"}).status_code == 303
    assert load(app, record.code)[0].status == "practice"
    page = staff_client.get(f"/bank/{record.id}").get_data(as_text=True)
    assert 'id="practice-chip"' in page and 'id="status-active"' in page and 'id="status-practice"' not in page
    listed = staff_client.get("/bank?status=practice").get_data(as_text=True)
    assert record.code in listed and record.code not in staff_client.get("/bank?status=active").get_data(as_text=True)
    assert staff_client.post(f"/bank/{record.id}/status", data={"csrf_token": token, "status": "gone"}).status_code == 422
    assert staff_client.post(f"/bank/{record.id}/status", data={"csrf_token": token, "status": "active"}).status_code == 303
    with app_context(app):
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.details["from"]) for e in entries] == [("question.to_practice", "active"),
                                                                    ("question.restore", "practice")]


def test_staff_put_questions_in_an_exclusion_group(app, staff_client, make_question):
    first, second = make_question(), make_question()
    token = csrf_from_html(staff_client.get(f"/bank/{first.id}").get_data(as_text=True))
    for record in (first, second):
        response = staff_client.post(f"/bank/{record.id}/group", data={"csrf_token": token,
                                                                       "exclusion_group": "level-crossing"})
        assert response.status_code == 303
    page = staff_client.get(f"/bank/{first.id}").get_data(as_text=True)
    assert 'id="group-members"' in page and second.code in page
    refused = staff_client.post(f"/bank/{first.id}/group", data={"csrf_token": token, "exclusion_group": "Bad Name!"})
    assert refused.status_code == 422 and load(app, first.code)[0].exclusion_group == "level-crossing"
    assert staff_client.post(f"/bank/{second.id}/group", data={"csrf_token": token, "exclusion_group": ""}).status_code == 303
    assert load(app, second.code)[0].exclusion_group is None
    assert 'id="group-members"' not in staff_client.get(f"/bank/{first.id}").get_data(as_text=True)
    with app_context(app):
        entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "question.group")).all()
        assert [(e.details["from"], e.details["to"]) for e in entries] == [
            (None, "level-crossing"), (None, "level-crossing"), ("level-crossing", None)]


def test_uploaded_image_is_reencoded_and_served_to_signed_in_users(app, staff_client):
    response = post_form(staff_client, "/bank/new", {**FORM, "code": "REG-903"},
                         {"upload": (io.BytesIO(png_bytes()), "sign.png")})
    assert response.status_code == 303
    _, versions = load(app, "REG-903")
    image = versions[0][3]
    assert image.startswith("upload/") and image.endswith(".png")
    served = staff_client.get(f"/question-images/{image.split('/', 1)[1]}")
    assert served.status_code == 200 and served.data[:8] == b"\x89PNG\r\n\x1a\n"
    served.close()
    assert app.test_client().get(f"/question-images/{image.split('/', 1)[1]}").status_code == 302


@pytest.mark.parametrize("payload, name", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg"),
    (b"\x89PNG\r\n\x1a\nnot really a png", "fake.png"),
    (b"GIF89a" + b"\x00" * 20, "anim.gif"),
    (b"", "empty.png"),
])
def test_bad_uploads_are_refused(app, staff_client, payload, name):
    response = post_form(staff_client, "/bank/new", {**FORM, "code": "REG-904"}, {"upload": (io.BytesIO(payload), name)})
    assert response.status_code in (413, 415, 422)
    with app_context(app):
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 0


def test_search_filters(app, staff_client, make_question):
    make_question(topic="signs", classes=("C",), image="signs/larangan-masuk.svg")
    make_question(topic="ethics", classes=("A",))
    page = staff_client.get("/bank?topic=signs").get_data(as_text=True)
    assert "Pertanyaan T-" in page and page.count("<tr class") == 1
    assert staff_client.get("/bank?has_image=yes&sim_class=A").get_data(as_text=True).count("<tr class") == 0
    assert staff_client.get("/bank?has_image=no&sim_class=A").get_data(as_text=True).count("<tr class") == 1


@pytest.mark.parametrize("role", ["applicant", "examiner"])
def test_only_staff_and_admin_edit(app, role, make_applicant, make_user, make_question):
    account = make_applicant() if role == "applicant" else make_user(role)
    record = make_question()
    client = app.test_client()
    assert form_login(client, account.email).status_code == 302
    for url in ("/bank", "/bank/new", f"/bank/{record.id}", f"/bank/{record.id}/edit", "/bank/import", "/bank/export.json"):
        assert client.get(url).status_code == 403, url


def test_import_page_reports_every_problem_and_imports_nothing(app, staff_client, make_question):
    record = make_question()
    exported = staff_client.get("/bank/export.csv")
    assert exported.status_code == 200 and record.code in exported.get_data(as_text=True)
    exported.close()
    bad = b"code,status,topic\nREG-1,active,no-such-topic\n"
    response = post_form(staff_client, "/bank/import", {"format": "csv"}, {"file": (io.BytesIO(bad), "bad.csv")})
    assert response.status_code == 422
    assert 'id="import-problems"' in response.get_data(as_text=True)
    with app_context(app):
        assert db.session.scalar(db.select(db.func.count(Question.id))) == 1

    exported_json = staff_client.get("/bank/export.json").data
    edited = exported_json.replace(b"Pertanyaan " + record.code.encode(), b"Pertanyaan baru " + record.code.encode())
    response = post_form(staff_client, "/bank/import", {"format": "json"}, {"file": (io.BytesIO(edited), "bank.json")})
    # Issue 13: an upload now leads to a preview; the import happens on confirmation.
    assert response.status_code == 303
    preview = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="import-plan"' in preview and "Diperbarui (versi baru)" in preview
    _, versions = load(app, record.code)
    assert len(versions) == 1
    confirm = re.search(r'action="([^"]+/confirm)"', preview).group(1)
    response = staff_client.post(confirm, data={"csrf_token": csrf_from_html(preview)})
    assert response.status_code == 303
    _, versions = load(app, record.code)
    assert [v[1] for v in versions] == [f"Pertanyaan {record.code}?", f"Pertanyaan baru {record.code}?"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_question_page_shows_statistics_in_both_languages(app, staff_client, applicant, applicant_api, make_bank,
                                                         language):
    bank = make_bank()
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    applicant_api.answer(public_id, 1, 0)
    assert applicant_api.submit(public_id).status_code == 200
    token = csrf_from_html(staff_client.get("/bank").get_data(as_text=True))
    staff_client.post(f"/language/{language}", data={"csrf_token": token})
    for record in bank:
        page = staff_client.get(f"/bank/{record.id}")
        assert page.status_code == 200
        assert "27%" in page.get_data(as_text=True)


def test_an_imported_true_false_question_is_translated_in_the_editor(app, staff_client):
    with app_context(app):
        data = question_data(code="REG-903", option_count=2)
        data["text"]["en"] = data["explanation"]["en"] = ""
        upsert_question(data)
        db.session.commit()
        question = db.session.scalar(db.select(Question).where(Question.code == "REG-903"))
        assert question.current_version.translation_needed
        question_id = question.id
    form = {**FORM, "code": "REG-903", "option_c_id": "", "option_c_en": "", "text_en": "Translated?"}
    assert post_form(staff_client, f"/bank/{question_id}/edit", form).status_code == 303
    with app_context(app):
        version = db.session.get(Question, question_id).current_version
        assert len(version.options) == 2 and version.text_en == "Translated?"
        assert not version.translation_needed
    # A new question still needs three options.
    assert post_form(staff_client, "/bank/new", {**form, "code": "REG-904"}).status_code == 422
