"""Through the JSON API: per-question timing, blueprint versions, retakes and the deadline sweep."""
from datetime import timedelta

import pytest
from api_shared import QUESTIONS, attempt_row, set_mode

from exam.blueprints import DEFAULT_PASS_MARK, DEFAULT_TOPIC_COUNTS
from exam.models import PAGE_CHANGE_SECONDS
from exam.services import sweep_expired
from helpers import answer_key, api_login, paper_question_ids

# --------------------------------------------------------------------------- per-question mode


@pytest.fixture
def timed(app, bank, applicant, applicant_api):
    """An attempt in per-question mode, 15 seconds per question."""
    set_mode(app, "per_question", seconds_per_question=15)
    response = applicant_api.start(applicant.application_id)
    assert response.status_code == 201
    return response.get_json()


def test_per_question_attempt_is_timed_per_question(timed, clock):
    assert timed["delivery_mode"] == "per_question"
    assert timed["seconds_left"] == QUESTIONS * (15 + PAGE_CHANGE_SECONDS)
    assert timed["question_seconds_left"] == 15
    assert timed["question_deadline_at"] == (clock.now + timedelta(seconds=15)).isoformat() + "Z"


def test_per_question_cannot_go_back_or_skip_ahead(applicant_api, timed):
    public_id = timed["id"]
    assert applicant_api.question(public_id, 1).status_code == 200
    assert applicant_api.question(public_id, 2).status_code == 409
    assert applicant_api.answer(public_id, 1, 0).get_json()["attempt"]["current_position"] == 2
    assert applicant_api.question(public_id, 1).status_code == 409
    assert applicant_api.answer(public_id, 1, 1).status_code == 409
    assert applicant_api.answer(public_id, 3, 1).status_code == 409
    assert applicant_api.question(public_id, 2).status_code == 200


def test_per_question_flagging_is_refused(applicant_api, timed):
    assert applicant_api.flag(timed["id"], 1, True).status_code == 409


def test_per_question_timer_expiry_moves_on(app, applicant_api, timed, clock):
    public_id = timed["id"]
    step = 15 + PAGE_CHANGE_SECONDS  # a question's time plus the page-change allowance
    clock.advance(seconds=15)
    assert applicant_api.state(public_id).get_json()["current_position"] == 1  # still inside the allowance
    clock.advance(seconds=step - 15 + 1)
    state = applicant_api.state(public_id).get_json()
    assert state["current_position"] == 2 and state["question_seconds_left"] == 14
    clock.advance(seconds=2 * step)  # two more questions time out, one second into the fourth
    state = applicant_api.state(public_id).get_json()
    assert state["current_position"] == 4 and state["question_seconds_left"] == 14
    assert applicant_api.answer(public_id, 2, 0).status_code == 409
    assert applicant_api.answer(public_id, 4, 0).status_code == 200
    assert attempt_row(app, public_id)["choices"][:5] == [None, None, None, 0, None]


def test_per_question_answer_within_the_grace_period_counts(app, applicant_api, timed, clock):
    """A click sent just before the question's timer ran out arrives up to
    SUBMIT_GRACE_SECONDS late; it must still be saved."""
    public_id = timed["id"]
    clock.advance(seconds=16)
    response = applicant_api.answer(public_id, 1, 2)
    assert response.status_code == 200
    assert attempt_row(app, public_id)["choices"][0] == 2


def test_per_question_skip_moves_on(app, applicant_api, timed):
    public_id = timed["id"]
    response = applicant_api.skip(public_id, 1)
    assert response.status_code == 200 and response.get_json()["attempt"]["current_position"] == 2
    assert applicant_api.skip(public_id, 1).status_code == 409
    assert attempt_row(app, public_id)["choices"][0] is None


def test_per_question_last_answer_ends_the_exam(app, applicant_api, timed):
    public_id = timed["id"]
    key = answer_key(app, public_id)
    for number in range(1, QUESTIONS):
        assert applicant_api.answer(public_id, number, key[number - 1]).status_code == 200
    last = applicant_api.answer(public_id, QUESTIONS, key[-1])
    assert last.status_code == 200
    assert last.get_json()["attempt"]["state"] == "submitted"
    result = applicant_api.result(public_id).get_json()
    assert result["correct"] == QUESTIONS and result["passed"] is True and result["auto_submitted"] is False


def test_per_question_every_timer_expiring_submits(app, applicant_api, timed, clock):
    clock.advance(seconds=QUESTIONS * (15 + PAGE_CHANGE_SECONDS) + 1)
    state = applicant_api.state(timed["id"]).get_json()
    assert state["state"] == "submitted"
    assert attempt_row(app, timed["id"])["auto"] is True


# --------------------------------------------------------------------------- blueprint versions and retakes


def test_blueprint_change_does_not_alter_a_drawn_paper(app, applicant_api, started):
    public_id = started["id"]
    questions_before = paper_question_ids(app, public_id)
    set_mode(app, "free", topic_counts={"signs": 5}, pass_mark=5, duration_seconds=600)

    state = applicant_api.state(public_id).get_json()
    assert state["pass_mark"] == DEFAULT_PASS_MARK and state["question_count"] == QUESTIONS
    assert state["seconds_left"] == 30 * 60
    assert paper_question_ids(app, public_id) == questions_before

    key = answer_key(app, public_id)
    for number in range(1, 6):  # enough for the new blueprint, far too few for the old one
        applicant_api.answer(public_id, number, key[number - 1])
    result = applicant_api.submit(public_id).get_json()
    assert result["pass_mark"] == DEFAULT_PASS_MARK and result["total"] == QUESTIONS
    assert result["passed"] is False


def test_new_blueprint_applies_to_the_next_attempt(app, applicant_api, applicant, bank, clock):
    set_mode(app, "free", topic_counts={"signs": 5}, pass_mark=4, duration_seconds=600)
    started = applicant_api.start(applicant.application_id).get_json()
    assert started["question_count"] == 5 and started["pass_mark"] == 4 and started["seconds_left"] == 600


def test_retake_draws_unseen_questions_when_the_bank_allows(app, applicant_api, applicant, make_bank, clock):
    make_bank(per_topic=2 * max(DEFAULT_TOPIC_COUNTS.values()))  # room for two papers without a repeat
    first = applicant_api.start(applicant.application_id).get_json()["id"]
    assert applicant_api.submit(first).get_json()["passed"] is False
    clock.advance(days=1)

    applications = applicant_api.get("/applications").get_json()["applications"]
    assert applications[0]["may_start"] is True and applications[0]["retake_window_closes"] == "2026-03-20"
    retake = applicant_api.start(applicant.application_id)
    assert retake.status_code == 201
    assert not set(paper_question_ids(app, first)) & set(paper_question_ids(app, retake.get_json()["id"]))


def test_retake_reuses_questions_when_the_bank_is_exact(app, applicant_api, applicant, bank, clock):
    first = applicant_api.start(applicant.application_id).get_json()["id"]
    applicant_api.submit(first)
    clock.advance(days=1)
    retake = applicant_api.start(applicant.application_id).get_json()["id"]
    assert sorted(paper_question_ids(app, first)) == sorted(paper_question_ids(app, retake))


def test_retake_on_the_same_day_is_409(applicant_api, applicant, started):
    applicant_api.submit(started["id"])
    assert applicant_api.get("/applications").get_json()["applications"][0]["status"] == "wait"
    assert applicant_api.start(applicant.application_id).status_code == 409


def test_expired_attempt_does_not_block_the_next_days_retake(app, applicant_api, applicant, started, clock):
    clock.advance(days=1)
    listing = applicant_api.get("/applications").get_json()["applications"][0]
    assert listing["status"] == "open" and listing["may_start"] is True
    assert applicant_api.start(applicant.application_id).status_code == 201
    assert attempt_row(app, started["id"])["auto"] is True


# --------------------------------------------------------------------------- sweeping


def test_sweep_expired_submits_overdue_attempts(app, bank, make_applicant, clock):
    public_ids = []
    for _ in range(2):
        account = make_applicant()
        public_ids.append(api_login(app.test_client(), account).start(account.application_id).get_json()["id"])
    deadline = attempt_row(app, public_ids[0])["deadline"]

    clock.set(deadline + timedelta(seconds=2))  # inside the grace period
    with app.app_context():
        assert sweep_expired() == 0
    clock.set(deadline + timedelta(seconds=3))
    with app.app_context():
        assert sweep_expired() == 2
        assert sweep_expired() == 0
    for public_id in public_ids:
        row = attempt_row(app, public_id)
        assert row["state"] == "submitted" and row["auto"] is True


def test_sweep_expired_command(app, runner, started, clock):
    clock.set(attempt_row(app, started["id"])["deadline"] + timedelta(minutes=1))
    result = runner.invoke(args=["sweep-expired"])
    assert result.exit_code == 0, result.output
    assert "Submitted 1 expired exam(s)." in result.output
    assert attempt_row(app, started["id"])["state"] == "submitted"


def test_sweep_leaves_running_attempts_alone(app, runner, started):
    result = runner.invoke(args=["sweep-expired"])
    assert "Submitted 0 expired exam(s)." in result.output
    assert attempt_row(app, started["id"])["state"] == "in_progress"

