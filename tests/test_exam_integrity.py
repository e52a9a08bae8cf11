"""Exam integrity against an applicant who plays with the client: the time is the
server's whatever the client's clock, Date header or body claims, and a started
attempt cannot be started again (API, HTML form, a new session, after submitting)
to get a new paper. Replayed and concurrent submits, the deadline and one active
attempt have their own tests (test_api_flow.py, test_exam_concurrency.py)."""
from datetime import UTC, timedelta
from email.utils import format_datetime

from core.extensions import db
from exam.models import Attempt, AttemptItem
from helpers import api_login, app_context, csrf_from_html, form_login


def attempt_times(app, public_id: str):
    with app_context(app):
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        return attempt.started_at, attempt.deadline_at


def papers(app) -> list[tuple]:
    """Every attempt with its questions and option orders."""
    with app_context(app):
        return [(attempt.public_id, attempt.state,
                 [(item.question_version_id, tuple(item.option_order)) for item in attempt.items])
                for attempt in db.session.scalars(db.select(Attempt).order_by(Attempt.id))]


def test_the_client_clock_cannot_extend_the_time(app, applicant_api, started, clock):
    public_id = started["id"]
    started_at, deadline = attempt_times(app, public_id)
    claimed = started_at.replace(tzinfo=UTC)
    lying = {"Date": format_datetime(claimed, usegmt=True), "X-Client-Time": claimed.isoformat()}

    clock.advance(minutes=10)
    state = applicant_api.get(f"/attempts/{public_id}", headers=lying).get_json()
    assert state["seconds_left"] == 20 * 60 and state["deadline_at"] == deadline.isoformat() + "Z"

    clock.set(deadline + timedelta(seconds=app.config["SUBMIT_GRACE_SECONDS"] + 30))
    late = applicant_api.post(f"/attempts/{public_id}/questions/1/answer", headers=lying,
                              json={"option": 0, "answered_at": claimed.isoformat(), "seconds_left": 1200})
    assert late.status_code == 409 and late.get_json()["error"]
    state = applicant_api.get(f"/attempts/{public_id}", headers=lying).get_json()
    assert state["state"] == "submitted" and state["seconds_left"] == 0
    with app_context(app):
        assert db.session.scalar(db.select(db.func.count(AttemptItem.id)).where(AttemptItem.choice.is_not(None))) == 0


def test_a_started_attempt_cannot_be_started_again_for_a_new_paper(app, applicant, applicant_api, started):
    before = papers(app)
    assert len(before) == 1

    assert applicant_api.start(applicant.application_id).status_code == 409  # the same session, API

    client = app.test_client()  # a second browser, HTML form
    assert form_login(client, applicant.email).status_code == 302
    token = csrf_from_html(client.get("/exam").get_data(as_text=True))
    refused = client.post(f"/exam/applications/{applicant.application_id}/start",
                          data={"csrf_token": token, "consent": "y"})
    assert refused.status_code == 409

    fresh = api_login(app.test_client(), applicant)  # a new API session
    assert fresh.start(applicant.application_id).status_code == 409
    assert papers(app) == before

    assert applicant_api.submit(started["id"]).status_code == 200  # nothing answered: a fail
    assert fresh.start(applicant.application_id).status_code == 409  # a retake waits for another day
    after = papers(app)
    assert len(after) == 1 and after[0][0] == before[0][0] and after[0][2] == before[0][2]
