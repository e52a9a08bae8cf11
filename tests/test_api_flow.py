"""The applicant's exam end to end through the JSON API (/api/v1)."""
from datetime import timedelta

import pytest
from api_shared import QUESTIONS, attempt_row

from core.extensions import db
from exam.blueprints import DEFAULT_PASS_MARK, DEFAULT_TOPIC_COUNTS
from exam.models import Attempt
from exam.services import mask_name
from helpers import Api, answer_key, wrong_choice

# --------------------------------------------------------------------------- session and listing


def test_applicant_lists_applications(applicant_api, applicant, bank):
    response = applicant_api.get("/applications")
    assert response.status_code == 200
    assert response.get_json() == {"applications": [{
        "id": applicant.application_id, "sim_class": "A", "status": "open", "may_start": True,
        "retakes_used": 0, "retakes_allowed": 2, "retake_window_closes": None,
    }]}


def test_anonymous_caller_gets_401_json(api):
    response = api.get("/applications")
    assert response.status_code == 401 and response.get_json()["status"] == 401


@pytest.mark.parametrize("role", ["examiner", "staff", "admin"])
def test_staff_side_roles_cannot_use_the_applicant_api(app, make_user, role):
    api = Api(app.test_client())
    account = make_user(role)
    assert api.login(account.email, account.password).status_code == 200
    assert api.get("/applications").status_code == 403
    assert api.post("/attempts", {"application_id": 1, "consent": True}).status_code == 403


def test_api_responses_are_not_cached(applicant_api, started):
    response = applicant_api.state(started["id"])
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"


# --------------------------------------------------------------------------- start


@pytest.mark.parametrize("body", [
    {},
    {"consent": False},
    {"consent": "yes"},
    {"consent": 1},
    {"consent": None},
], ids=["missing", "false", "string", "one", "null"])
def test_start_without_consent_is_refused(applicant_api, applicant, bank, app, body):
    response = applicant_api.post("/attempts", {"application_id": applicant.application_id, **body})
    assert response.status_code == 422
    assert response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0


@pytest.mark.parametrize("application_id", [999, "1", None, 1.0])
def test_start_with_an_unknown_application_is_404(applicant_api, bank, application_id):
    response = applicant_api.post("/attempts", {"application_id": application_id, "consent": True})
    assert response.status_code == 404


def test_start_with_someone_elses_application_is_404(adversary_api, applicant, bank):
    assert adversary_api.start(applicant.application_id).status_code == 404


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]"])
def test_start_needs_a_json_object(applicant_api, bank, raw):
    response = applicant_api.post("/attempts", data=raw, content_type="application/json")
    assert response.status_code == 400


def test_start_with_consent_draws_the_paper(started, clock):
    assert started["state"] == "in_progress"
    assert started["question_count"] == QUESTIONS
    assert started["pass_mark"] == DEFAULT_PASS_MARK
    assert started["delivery_mode"] == "free"
    assert started["seconds_left"] == 30 * 60
    assert started["deadline_at"] == (clock.now + timedelta(minutes=30)).isoformat() + "Z"
    assert [item["position"] for item in started["items"]] == list(range(1, QUESTIONS + 1))
    assert not any(item["answered"] or item["flagged"] for item in started["items"])


def test_a_second_start_while_in_progress_is_409(applicant_api, applicant, started):
    assert applicant_api.start(applicant.application_id).status_code == 409


def test_start_fails_cleanly_when_the_bank_is_short(applicant_api, applicant, make_bank):
    make_bank(topic_counts={**DEFAULT_TOPIC_COUNTS, "first_aid": 1})
    response = applicant_api.start(applicant.application_id)
    assert response.status_code == 409 and response.get_json()["error"]


# --------------------------------------------------------------------------- questions and answers


def test_every_question_is_served_and_answers_are_saved_at_once(app, applicant_api, started):
    public_id = started["id"]
    for number in range(1, QUESTIONS + 1):
        response = applicant_api.question(public_id, number)
        assert response.status_code == 200
        question = response.get_json()["question"]
        assert question["position"] == number and question["choice"] is None
        assert len(question["options"]) == 4
        assert [o["key"] for o in question["options"]] == [0, 1, 2, 3]
        assert question["text"]["id"] and question["text"]["en"]
        assert response.get_json()["attempt"]["current_position"] == number

        choice = number % 4
        saved = applicant_api.answer(public_id, number, choice)
        assert saved.status_code == 200 and saved.get_json()["saved"] is True
        # A fresh GET (no client-side state) shows the saved choice.
        assert applicant_api.question(public_id, number).get_json()["question"]["choice"] == choice

    assert attempt_row(app, public_id)["choices"] == [n % 4 for n in range(1, QUESTIONS + 1)]
    state = applicant_api.state(public_id).get_json()
    assert all(item["answered"] for item in state["items"])


def test_an_answer_can_be_changed(applicant_api, started):
    public_id = started["id"]
    applicant_api.answer(public_id, 3, 0)
    applicant_api.answer(public_id, 3, 2)
    assert applicant_api.question(public_id, 3).get_json()["question"]["choice"] == 2


def test_questions_can_be_visited_in_any_order(applicant_api, started):
    public_id = started["id"]
    for number in (5, 1, QUESTIONS, 2):
        response = applicant_api.question(public_id, number)
        assert response.status_code == 200
        assert response.get_json()["attempt"]["current_position"] == number


def test_flag_and_unflag(applicant_api, started):
    public_id = started["id"]
    response = applicant_api.flag(public_id, 4, True)
    assert response.status_code == 200 and response.get_json()["question"]["flagged"] is True
    state = applicant_api.state(public_id).get_json()
    assert [item["position"] for item in state["items"] if item["flagged"]] == [4]
    applicant_api.flag(public_id, 4, False)
    assert not any(item["flagged"] for item in applicant_api.state(public_id).get_json()["items"])


@pytest.mark.parametrize("flagged", ["yes", 1, None])
def test_flag_needs_a_boolean(applicant_api, started, flagged):
    assert applicant_api.flag(started["id"], 1, flagged).status_code == 400


@pytest.mark.parametrize(("number", "body", "status"), [
    (1, {"option": 4}, 422),
    (1, {"option": -1}, 422),
    (1, {"option": 99}, 422),
    (1, {"option": "1"}, 400),
    (1, {"option": 1.0}, 400),
    (1, {"option": True}, 400),
    (1, {"option": None}, 400),
    (1, {}, 400),
    (0, {"option": 1}, 404),
    (QUESTIONS + 1, {"option": 1}, 404),
])
def test_invalid_answers_are_refused(app, applicant_api, started, number, body, status):
    response = applicant_api.post(f"/attempts/{started['id']}/questions/{number}/answer", body)
    assert response.status_code == status
    assert response.get_json()["error"]
    assert attempt_row(app, started["id"])["choices"] == [None] * QUESTIONS


@pytest.mark.parametrize("number", [0, QUESTIONS + 1])
def test_question_out_of_range_is_404(applicant_api, started, number):
    assert applicant_api.question(started["id"], number).status_code == 404


def test_unknown_attempt_is_404(applicant_api, bank):
    assert applicant_api.state("0" * 32).status_code == 404


def test_skip_is_only_for_per_question_mode(applicant_api, started):
    assert applicant_api.skip(started["id"], 1).status_code == 409


# --------------------------------------------------------------------------- another applicant


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/attempts/{id}", None),
    ("get", "/attempts/{id}/questions/1", None),
    ("post", "/attempts/{id}/questions/1/answer", {"option": 0}),
    ("post", "/attempts/{id}/questions/1/flag", {"flagged": True}),
    ("post", "/attempts/{id}/submit", None),
    ("get", "/attempts/{id}/result", None),
])
def test_another_applicants_attempt_is_404(app, adversary_api, started, method, path, body):
    url = path.format(id=started["id"])
    response = adversary_api.get(url) if method == "get" else adversary_api.post(url, body)
    assert response.status_code == 404
    row = attempt_row(app, started["id"])
    assert row["state"] == "in_progress" and row["choices"] == [None] * QUESTIONS


# --------------------------------------------------------------------------- deadline


def test_answer_within_the_grace_period_is_accepted(applicant_api, started, clock, app):
    clock.set(attempt_row(app, started["id"])["deadline"] + timedelta(seconds=2))
    assert applicant_api.answer(started["id"], 1, 0).status_code == 200


def test_answer_after_the_deadline_is_refused_and_the_attempt_submitted(app, applicant_api, started, clock):
    public_id = started["id"]
    key = answer_key(app, public_id)
    for number in (1, 2, 3):
        applicant_api.answer(public_id, number, key[number - 1])
    applicant_api.answer(public_id, 4, wrong_choice(key[3]))

    clock.set(attempt_row(app, public_id)["deadline"] + timedelta(seconds=3))
    late = applicant_api.answer(public_id, 5, key[4])

    assert late.status_code == 409
    assert late.get_json()["error"]
    row = attempt_row(app, public_id)
    assert row["state"] == "submitted" and row["auto"] is True
    assert row["choices"][:5] == [key[0], key[1], key[2], wrong_choice(key[3]), None]
    result = applicant_api.result(public_id).get_json()
    assert result["auto_submitted"] is True
    assert result["correct"] == 3 and result["passed"] is False
    assert result["submitted_at"] == row["deadline"].isoformat() + "Z"


def test_reading_an_expired_attempt_submits_it(app, applicant_api, started, clock):
    clock.set(attempt_row(app, started["id"])["deadline"] + timedelta(minutes=5))
    state = applicant_api.state(started["id"]).get_json()
    assert state["state"] == "submitted" and state["seconds_left"] == 0
    assert applicant_api.question(started["id"], 1).status_code == 409


# --------------------------------------------------------------------------- submit and verify


def test_submit_gives_the_result_and_a_verification_code(app, api, applicant_api, applicant, started):
    public_id = started["id"]
    key = answer_key(app, public_id)
    for number in range(1, QUESTIONS + 1):
        choice = key[number - 1] if number <= DEFAULT_PASS_MARK else wrong_choice(key[number - 1])
        assert applicant_api.answer(public_id, number, choice).status_code == 200

    response = applicant_api.submit(public_id)

    assert response.status_code == 200
    result = response.get_json()
    assert result["correct"] == DEFAULT_PASS_MARK and result["total"] == QUESTIONS
    assert result["score"] == 70 and result["passed"] is True and result["auto_submitted"] is False
    assert sum(t["total"] for t in result["by_topic"]) == QUESTIONS
    assert sum(t["correct"] for t in result["by_topic"]) == DEFAULT_PASS_MARK
    assert {t["topic"]: t["total"] for t in result["by_topic"]} == DEFAULT_TOPIC_COUNTS
    code = result["verification_code"]
    assert len(code) == 11 and code[5] == "-"
    assert result["verification_url"].endswith(f"/verify/{code}")

    assert applicant_api.result(public_id).get_json() == result
    replay = applicant_api.submit(public_id)
    assert replay.status_code == 200 and replay.get_json() == result  # idempotent: one result, one code
    assert applicant_api.answer(public_id, 1, 0).status_code == 409

    verified = api.get(f"/verify/{code.lower()}")
    assert verified.status_code == 200
    assert verified.get_json() == {"name": "B*** S******", "sim_class": "A", "date": "2026-03-02",
                                   "passed": True, "score": 70, "review_status": "valid",
                                   "certificate_status": "valid"}
    assert applicant.full_name not in verified.get_data(as_text=True)


def test_one_below_the_pass_mark_fails(app, applicant_api, started):
    public_id = started["id"]
    key = answer_key(app, public_id)
    for number in range(1, DEFAULT_PASS_MARK):
        applicant_api.answer(public_id, number, key[number - 1])
    result = applicant_api.submit(public_id).get_json()
    assert result["correct"] == DEFAULT_PASS_MARK - 1 and result["passed"] is False


def test_result_before_submission_is_409(applicant_api, started):
    assert applicant_api.result(started["id"]).status_code == 409


@pytest.mark.parametrize("code", ["AAAAA-BBBBB", "nothing", "ABCDE"])
def test_unknown_verification_code_is_404(api, code):
    response = api.get(f"/verify/{code}")
    assert response.status_code == 404 and response.get_json()["error"]


@pytest.mark.parametrize(("name", "masked"), [
    ("Budi Santoso", "B*** S******"),
    ("Siti", "S***"),
    ("  Ni   Luh  Putu ", "N* L** P***"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# --------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/attempts", {"application_id": 1, "consent": True}),
    ("post", "/attempts/{id}/questions/1/answer", {"option": 0}),
    ("post", "/attempts/{id}/questions/1/flag", {"flagged": True}),
    ("post", "/attempts/{id}/submit", None),
    ("delete", "/session", None),
])
@pytest.mark.parametrize("token", [None, "forged", "another session"])
def test_state_changing_requests_without_a_valid_csrf_header_are_400_json(app, applicant_api, started, method, path,
                                                                          body, token):
    url = path.format(id=started["id"])
    headers = {} if token is None else {"X-CSRFToken": Api(app.test_client()).csrf_token()
                                        if token == "another session" else "forged." + "A" * 40}
    if method == "post":
        response = applicant_api.post(url, body, csrf=False, headers=headers)
    else:
        response = applicant_api.delete(url, csrf=False, headers=headers)
    assert response.status_code == 400
    assert response.is_json and response.get_json()["status"] == 400 and response.get_json()["error"]
    assert attempt_row(app, started["id"])["state"] == "in_progress"


def test_wrong_csrf_token_is_400(applicant_api, started):
    response = applicant_api.post(f"/attempts/{started['id']}/submit", csrf=False,
                                  headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400


def test_sign_in_needs_the_csrf_header(api, applicant):
    response = api.post("/session", {"email": applicant.email, "password": applicant.password}, csrf=False)
    assert response.status_code == 400
    assert api.get("/session").get_json()["user"] is None


