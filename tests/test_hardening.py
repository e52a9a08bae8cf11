"""Local (WIB) dates for the retake rules, sign-in lockout scope, time-up answers, and odd requests
(huge ids, nameless multipart parts, wrong methods, chunked bodies over the limit)."""
import io
from datetime import date, datetime

from core.clock import local_date
from core.extensions import db
from exam.models import Application
from exam.retakes import WAIT, eligibility
from helpers import PASSWORD, Api, api_login, app_context


def test_local_date_is_jakarta_time():
    assert local_date(datetime(2026, 3, 2, 16, 59)) == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 2, 17, 0)) == date(2026, 3, 3)


def test_failure_after_midnight_wib_counts_on_the_local_day(app, clock, applicant, applicant_api, make_bank):
    make_bank()
    clock.set(datetime(2026, 3, 2, 17, 30))  # 00:30 WIB on 3 March
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    assert applicant_api.submit(public_id).get_json()["passed"] is False
    with app_context(app):
        status = eligibility(db.session.get(Application, applicant.application_id), date(2026, 3, 3))
        assert (status.status, status.window_opens) == (WAIT, date(2026, 3, 4))
    clock.set(datetime(2026, 3, 3, 16, 0))  # 23:00 WIB on 3 March: still the day of the failure
    assert applicant_api.start(applicant.application_id).status_code == 409
    clock.set(datetime(2026, 3, 3, 17, 1))  # 00:01 WIB on 4 March: the retake may start
    assert applicant_api.start(applicant.application_id).status_code == 201


def api_from(app, address: str) -> Api:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Api(client)


def test_a_stranger_cannot_lock_the_applicant_out_from_another_network(app, clock, applicant):
    stranger = api_from(app, "198.51.100.7")
    for _ in range(5):
        assert stranger.login(applicant.email, "wrong-password-123").status_code == 401
    assert stranger.login(applicant.email, PASSWORD).status_code == 429
    assert api_from(app, "203.0.113.9").login(applicant.email, PASSWORD).status_code == 200


def test_many_addresses_guessing_one_account_get_one_guess_each_but_the_owner_gets_in(app, clock, applicant):
    for n in range(20):
        assert api_from(app, f"198.51.100.{n + 1}").login(applicant.email, "wrong-password-123").status_code == 401
    # the guessers' addresses are locked out of this account, even with the right password
    assert api_from(app, "198.51.100.1").login(applicant.email, PASSWORD).status_code == 429
    # a new guesser gets a single guess, then is locked too
    newcomer = api_from(app, "192.0.2.50")
    assert newcomer.login(applicant.email, "wrong-password-456").status_code == 401
    assert newcomer.login(applicant.email, "wrong-password-789").status_code == 429
    # the owner, from an address that never failed, signs in with the right password
    assert api_from(app, "203.0.113.9").login(applicant.email, PASSWORD).status_code == 200


def test_answer_after_automatic_submission_says_time_is_up(app, clock, applicant, applicant_api, make_bank):
    make_bank()
    state = applicant_api.start(applicant.application_id).get_json()
    clock.advance(seconds=state["seconds_left"] + 60)
    response = applicant_api.answer(state["id"], 1, 0)
    message = response.get_json()["error"].lower()
    assert response.status_code == 409 and ("automatically" in message or "otomatis" in message), message
    submitted = applicant_api.submit(state["id"])
    assert submitted.status_code == 200 and submitted.get_json()["auto_submitted"] is True


def test_an_id_beyond_the_database_range_is_not_found(app, applicant_api):
    huge = 2**31  # one past PostgreSQL's INTEGER
    for path in (f"/applications/{huge}/system-check", f"/system-checks/{huge}/liveness",
                 f"/applications/{huge}/system-check/preview"):
        response = applicant_api.client.post(f"/api/v1{path}", data=b"x", content_type="image/jpeg",
                                             headers={"X-CSRFToken": applicant_api.csrf_token()})
        assert response.status_code == 404, path
    assert applicant_api.client.post(f"/api/v1/applications/{huge - 1}/system-check", data=b"x",
                                     content_type="image/jpeg",
                                     headers={"X-CSRFToken": applicant_api.csrf_token()}).status_code == 404


NAMELESS_PART = b"--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XX--\r\n"


def test_a_multipart_part_without_a_name_is_a_clear_400(app):
    client = app.test_client()
    for path in ("/login", "/register", "/api/v1/session"):
        response = client.post(path, data=NAMELESS_PART, content_type="multipart/form-data; boundary=XX")
        assert response.status_code == 400, path
        assert "Setiap bagian formulir" in response.get_data(as_text=True), path


def test_a_nul_character_anywhere_in_the_request_is_a_clear_400(app, applicant, applicant_api):
    """Found by the PostgreSQL pass of tests/test_form_fuzz.py: PostgreSQL cannot store a
    NUL, so a sign-in with one in the e-mail was a 500 inside the query."""
    client = app.test_client()
    form = client.post("/login", data={"email": "a\x00@contoh.id", "password": PASSWORD})
    query = client.get("/verify?code=A\x00B")
    body = applicant_api.post("/session", {"email": applicant.email, "password": PASSWORD, "note": ["ok", {"k": "\x00"}]})
    for response in (form, query, body):
        assert response.status_code == 400
        assert "NUL" in response.get_data(as_text=True)


def test_a_wrong_method_says_which_ones_are_allowed(app):
    response = app.test_client().delete("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_werkzeugs_own_errors_are_in_the_apps_words(app):
    page = app.test_client().get("/no-such-page")
    assert page.status_code == 404 and "Halaman ini tidak ada" in page.get_data(as_text=True)
    api = app.test_client().get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"].startswith("Halaman ini tidak ada")


def test_a_chunked_body_over_the_limit_is_413_not_a_misleading_400(app, applicant_api):
    """What gunicorn hands over for `Transfer-Encoding: chunked` (wsgi.input_terminated)."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    streamed = {"wsgi.input_terminated": True}
    big = b'{"email": "' + b"x" * 5000 + b'"}'
    response = applicant_api.client.post("/api/v1/session", input_stream=io.BytesIO(big), environ_base=streamed,
                                         headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json",
                                                  "X-CSRFToken": applicant_api.csrf_token()})
    assert response.status_code == 413 and response.get_json()["error"]
    small = b'{"email": "nobody@contoh.id", "password": "salah-sekali-1"}'
    response = applicant_api.client.post("/api/v1/session", input_stream=io.BytesIO(small), environ_base=streamed,
                                         headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json",
                                                  "X-CSRFToken": applicant_api.csrf_token()})
    assert response.status_code == 401  # read whole and judged: a wrong password, not a refused body


def test_a_registration_id_the_database_cannot_hold_is_not_found(app, applicant, applicant_api):
    """Found by schemathesis: an application_id beyond 64 bits in POST /attempts was an
    OverflowError inside the query (500); a boolean stood for registration 1. 2**31 overflowed
    PostgreSQL's INTEGER id (found by the PostgreSQL pass)."""
    for application_id in (2**31, 2**63, 2**70, -(2**64), True, 1.0, 0, -1):
        response = applicant_api.post("/attempts", {"application_id": application_id, "consent": True})
        assert response.status_code == 404, (application_id, response.get_json())
        assert response.get_json()["error"]


def test_a_question_form_without_its_explanation_field_is_a_422(app, staff):
    """Found by tests/test_form_fuzz.py: a missing (not empty) explanation_id was None in
    QuestionForm.to_data, a 500; tests/question_bank/test_editor.py has the full regression."""
    client = app.test_client()
    api = api_login(client, staff)
    response = client.post("/bank/new", data={"csrf_token": api.csrf_token(), "code": "FZ-1", "topic": "regulations",
                                              "classes": "A", "text_id": "Apa?", "option_a_id": "Ya",
                                              "option_b_id": "Tidak", "correct": "a"})
    assert response.status_code == 422
    assert "Isian ini wajib diisi." in response.get_data(as_text=True)


def test_a_nul_deep_inside_a_nested_body_is_found_without_exhausting_the_stack(app, applicant_api):
    depth = 350  # 700 levels: json.loads reads it, a recursive walk beside Flask's frames would not
    body = '{"n": [' * depth + '"\\u0000"' + "]}" * depth
    response = applicant_api.client.post("/api/v1/session", data=body, content_type="application/json",
                                         headers={"X-CSRFToken": applicant_api.csrf_token()})
    assert response.status_code == 400 and "NUL" in response.get_json()["error"]
