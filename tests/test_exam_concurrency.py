"""Exam integrity under concurrency: parallel starts, submits, and answers racing a
submit, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

Each caller is its own signed-in test client on its own thread, released together by a
barrier, so the requests really overlap inside the application and the database."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app
from core.extensions import db
from exam.models import IN_PROGRESS, Attempt
from exam.services import grade_attempt
from helpers import api_login
from helpers import testing_config as base_config

CALLERS = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path, clock):
    config = base_config(tmp_path)
    if request.param == "postgresql":
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
    else:  # SQLite, also in the suite's PostgreSQL pass
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'concurrency.db'}"
    application = create_app(config)
    clock.install()
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def together(app, account, call, count: int = CALLERS) -> list:
    """Run `call(api, index)` from `count` separately signed-in clients at the same moment."""
    apis = [api_login(app.test_client(), account) for _ in range(count)]
    for api in apis:
        api.csrf_token()
    barrier = threading.Barrier(count)

    def run(index: int):
        barrier.wait()
        return call(apis[index], index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_starts_give_one_attempt(app, bank, applicant):
    responses = together(app, applicant, lambda api, _: api.start(applicant.application_id))

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (CALLERS - 1), [r.get_json() for r in responses]
    with app.app_context():
        open_attempts = db.session.scalar(select(func.count(Attempt.id)).where(
            Attempt.application_id == applicant.application_id, Attempt.state == IN_PROGRESS))
        assert open_attempts == 1
        assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_parallel_submits_give_one_result_and_one_code(app, bank, applicant, applicant_api):
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    applicant_api.answer(public_id, 1, 0)

    responses = together(app, applicant, lambda api, _: api.submit(public_id))

    assert [r.status_code for r in responses] == [200] * CALLERS
    codes = {r.get_json()["verification_code"] for r in responses}
    assert len(codes) == 1
    assert applicant_api.get(f"/api/v1/verify/{codes.pop()}").status_code == 200


def test_answers_racing_a_submit_are_either_refused_or_graded(app, bank, applicant, applicant_api):
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    questions = 30

    def call(api, index):
        if index == 0:
            return [api.submit(public_id)]
        return [api.answer(public_id, number, 0) for number in range(index, questions + 1, CALLERS - 1)]

    replies = [reply for batch in together(app, applicant, call) for reply in batch]

    submitted = replies[0].get_json()
    acknowledged = {int(r.get_json()["question"]["position"]) for r in replies[1:] if r.status_code == 200}
    assert all(r.status_code in (200, 409) for r in replies[1:])
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        stored = {item.position + 1 for item in attempt.items if item.choice is not None}
        assert stored == acknowledged  # every answer said "saved" is there, and no other
        assert grade_attempt(attempt).correct == attempt.correct_count == submitted["correct"]
        assert all(item.answered_at <= attempt.submitted_at for item in attempt.items if item.answered_at)


def test_simultaneous_audit_appends_all_land_and_keep_the_chain(app):
    """Different applicants submitting at the same moment each append to the audit
    chain: every append commits, with ids 1..n and the chain intact (on PostgreSQL a
    row lock on the last entry let two appends take the same id: 500s on submit)."""
    from core.audit import AuditEntry, record, verify_chain

    barrier = threading.Barrier(CALLERS)

    def append(index: int) -> None:
        with app.app_context():
            barrier.wait()
            record("exam.submitted", actor_id=None, target_type="attempt", target_id=index)
            db.session.commit()

    with ThreadPoolExecutor(CALLERS) as pool:
        list(pool.map(append, range(CALLERS)))  # re-raises a failed append
    with app.app_context():
        ids = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        assert ids == list(range(1, CALLERS + 1))
        assert verify_chain().intact
