"""How an examiner's verdict bears on the retake rules: an invalidated pass counts
as a failed try (retake from the next day); invalid through a technical problem
voids the attempt (it does not count at all)."""
from datetime import timedelta

import pytest

from accounts.models import User
from core.clock import local_date
from core.extensions import db
from exam.models import Application, Attempt
from exam.retakes import OPEN, PASSED, WAIT, eligibility
from helpers import answer_key, app_context
from review.services import decide


@pytest.fixture
def passed_attempt(app, applicant, applicant_api, make_bank):
    make_bank()
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    for number, choice in enumerate(answer_key(app, public_id), start=1):
        applicant_api.answer(public_id, number, choice)
    assert applicant_api.submit(public_id).get_json()["passed"] is True
    return public_id


def status_after(app, clock, public_id, examiner, outcome, reason, days_later=0):
    with app_context(app):
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        if outcome:
            decide(attempt, db.session.get(User, examiner.id), outcome=outcome, reason=reason,
                   note="checked the evidence", override_reason="re-checked after a report")
        application = db.session.get(Application, attempt.application_id)
        return eligibility(application, local_date(clock.now) + timedelta(days=days_later)).status


def test_a_valid_pass_stays_passed(app, clock, passed_attempt, examiner):
    assert status_after(app, clock, passed_attempt, examiner, "valid", "no_issue") == PASSED


def test_an_invalidated_pass_counts_as_a_failed_try(app, clock, passed_attempt, examiner):
    assert status_after(app, clock, passed_attempt, examiner, "invalid", "another_person") == WAIT
    assert status_after(app, clock, passed_attempt, examiner, None, None, days_later=1) == OPEN


def test_a_technical_problem_voids_the_attempt(app, clock, passed_attempt, examiner):
    assert status_after(app, clock, passed_attempt, examiner, "invalid", "technical_problem") == OPEN
