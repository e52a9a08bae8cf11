"""Fixtures for the review tests: supervised exams sat through the real API (camera
check, frames the fake analyzer "sees", browser events, answers, submission), so
flags, evidence and risk scores come from proctoring's own rules.

No __init__.py here on purpose: it would make this folder a package named `review`
that shadows the application's. Helpers live in review_helpers.py.
"""
from datetime import timedelta

import pytest
from review_helpers import Sat, event, jpeg, post_frame

from core.extensions import db
from helpers import answer_key, api_login, form_login, pass_check, wrong_choice


@pytest.fixture
def proctored(app):
    app.config.update(PROCTORING_REQUIRED=True, PROCTOR_ANALYZER="fake", PROCTOR_SYNC_ANALYSIS=True)
    return app


@pytest.fixture
def bank(make_bank):
    return make_bank(classes=("A", "C"))


@pytest.fixture
def sit(app, proctored, bank, make_applicant, clock):
    """`sit(frames=[scenario, ...], events=[(kind, seconds), ...], correct=30, sim_class="A",
    full_name=..., submit=True, camera=True)`: an applicant sits a supervised exam. Each
    frame is a dict for the fake analyzer ({} = one clean frontal face), five seconds
    after the one before; events are (type, seconds after the start). While answering,
    the camera goes on sending a clean frame every 5 s unless `camera=False`; one answer
    every `answer_seconds`; `photo` is the reference photo (default: a face of its own).
    Returns a `Sat`."""
    def run(frames=(), events=(), *, correct: int = 30, sim_class: str = "A", full_name: str = "Budi Santoso",
            submit: bool = True, camera: bool = True, answer_seconds: float = 2, photo: bytes | None = None) -> Sat:
        account = make_applicant(sim_class=sim_class, full_name=full_name)
        api = api_login(app.test_client(), account)
        pass_check(api, account.application_id, photo)
        started = api.start(account.application_id)
        assert started.status_code == 201, started.get_json()
        public_id = started.get_json()["id"]
        start = clock.now
        for sequence, scenario in enumerate(frames, start=1):
            clock.advance(seconds=5)
            response = post_frame(api, public_id, jpeg(**scenario), sequence, clock.now)
            assert response.status_code == 202, response.get_json()
        if events:
            items = [event(kind, start, seconds, number) for number, (kind, seconds) in enumerate(events)]
            clock.set(max(clock.now, start + timedelta(seconds=max(seconds for _, seconds in events))))
            response = api.post(f"/attempts/{public_id}/events", {"events": items})
            assert response.status_code == 202, response.get_json()
        sequence, last_frame = len(frames), clock.now
        for number, right in enumerate(answer_key(app, public_id), start=1):
            clock.advance(seconds=answer_seconds)
            if camera and clock.now - last_frame >= timedelta(seconds=5):
                sequence, last_frame = sequence + 1, clock.now
                assert post_frame(api, public_id, jpeg(), sequence, clock.now).status_code == 202
            choice = right if number <= correct else wrong_choice(right)
            assert api.answer(public_id, number, choice).status_code == 200
        if submit:
            assert api.submit(public_id).status_code == 200
        with app.app_context():
            from exam.models import Attempt

            attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
            code, attempt_id = attempt.verification_code, attempt.id
        return Sat(account, api, public_id, attempt_id, code)

    return run


@pytest.fixture
def web(app):
    """`web(account)`: a test client signed in through the real login form."""
    def signed_in(account):
        client = app.test_client()
        response = form_login(client, account.email, account.password)
        assert response.status_code == 302, response.status_code
        return client

    return signed_in


@pytest.fixture
def rows(app):
    """`rows(Model, **filters)`: the model's rows (a short app context of its own)."""
    def read(model, **filters):
        with app.app_context():
            return db.session.scalars(db.select(model).filter_by(**filters)).all()

    return read


@pytest.fixture
def examiner2(make_user):
    return make_user("examiner", full_name="Second Examiner")
