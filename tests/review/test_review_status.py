"""Auto-clearing at submission and by the sweep, and how a review changes what the
result page, the public verification page and the API say about a certificate."""
from types import SimpleNamespace

import pytest
from review_helpers import CLEAN, LOOKING_AWAY, TWO_FACES, post_decision

from core.audit import AuditEntry
from core.extensions import db
from proctoring.models import QUEUED, Frame, ProctorSession
from review import services
from review.models import INVALID, PENDING, VALID, Review
from review.status import (
    CERTIFICATE_VALID,
    INVALIDATED,
    NOT_PASSED,
    PENDING_REVIEW,
    certificate_status,
)

pytestmark = pytest.mark.usefixtures("clock")


def review_of(rows, sat) -> Review:
    return rows(Review, attempt_id=sat.attempt_id)[0]


def risk(rows, sat) -> int:
    return rows(ProctorSession, attempt_id=sat.attempt_id)[0].risk_score


@pytest.mark.parametrize("passed, status, expected", [
    (True, None, PENDING_REVIEW), (True, PENDING, PENDING_REVIEW), (True, VALID, CERTIFICATE_VALID),
    (True, INVALID, INVALIDATED), (False, None, NOT_PASSED), (False, VALID, NOT_PASSED), (False, INVALID, INVALIDATED),
])
def test_certificate_status(passed, status, expected):
    review = None if status is None else SimpleNamespace(status=status)
    assert certificate_status(SimpleNamespace(passed=passed), review) == expected


# --------------------------------------------------------------------------- auto-clear


def test_a_clean_exam_is_cleared_by_the_system_at_submission(sit, rows):
    sat = sit([CLEAN, CLEAN, CLEAN])
    review = review_of(rows, sat)
    assert (review.status, review.reason, review.auto_cleared, review.decided_by_id) == (VALID, "no_issue", True, None)
    [entry] = rows(AuditEntry, action="review.auto_clear")
    assert entry.actor_id is None and entry.target_id == sat.public_id
    assert entry.details == {"by": "system", "risk": 0, "threshold": 10}
    assert sat.api.get(f"/verify/{sat.code}").get_json()["certificate_status"] == "valid"


def test_a_low_flag_below_the_threshold_is_cleared_and_above_it_is_not(app, sit, rows, runner):
    """Looking away is a low-severity flag. The same exam is cleared or left for an
    examiner depending on REVIEW_AUTO_CLEAR_BELOW (risk must be strictly below it)."""
    app.config["REVIEW_AUTO_CLEAR_BELOW"] = 0  # nothing is cleared at submission
    sat = sit([LOOKING_AWAY] * 4 + [CLEAN])
    score = risk(rows, sat)
    assert score > 0 and review_of(rows, sat).status == PENDING

    app.config["REVIEW_AUTO_CLEAR_BELOW"] = score
    result = runner.invoke(args=["auto-clear"])
    assert result.exit_code == 0 and "auto-cleared 0" in result.output
    assert review_of(rows, sat).status == PENDING

    app.config["REVIEW_AUTO_CLEAR_BELOW"] = score + 1
    result = runner.invoke(args=["auto-clear"])
    assert f"Checked 1 exam(s) awaiting review with a risk below {score + 1}; auto-cleared 1" in result.output
    assert review_of(rows, sat).auto_cleared
    assert runner.invoke(args=["auto-clear"]).output.startswith("Checked 0")


def test_a_high_severity_flag_is_never_auto_cleared(app, sit, rows):
    app.config["REVIEW_AUTO_CLEAR_BELOW"] = 101  # any score
    sat = sit([TWO_FACES, TWO_FACES])
    assert review_of(rows, sat).status == PENDING
    with app.app_context():
        check = services.auto_clear_eligibility(services.find_attempt(sat.public_id))
    assert check.high_flags == 1 and not check.eligible


def test_frames_still_waiting_for_analysis_hold_the_auto_clear(app, sit, rows, clock):
    sat = sit([CLEAN], submit=False)
    with app.app_context():
        db.session.add(Frame(attempt_id=sat.attempt_id, sequence=99, client_time=clock.now, captured_at=clock.now,
                             received_at=clock.now, byte_size=1, width=640, height=480, path=None, status=QUEUED))
        db.session.commit()
    sat.api.submit(sat.public_id)
    assert review_of(rows, sat).status == PENDING
    with app.app_context():
        frame = db.session.scalar(db.select(Frame).where(Frame.sequence == 99))
        frame.status = "failed"
        db.session.commit()
        assert services.auto_clear_pending().cleared == 1
    assert review_of(rows, sat).auto_cleared


def test_a_claimed_or_decided_exam_is_left_alone(app, sit, rows, examiner, web):
    app.config["REVIEW_AUTO_CLEAR_BELOW"] = 0
    sat = sit([CLEAN])
    web(examiner).get(f"/review/sessions/{sat.public_id}")  # claims it
    app.config["REVIEW_AUTO_CLEAR_BELOW"] = 10
    with app.app_context():
        assert services.auto_clear_pending().cleared == 0
    assert review_of(rows, sat).status == PENDING


def test_an_auto_cleared_exam_can_still_be_opened_and_overridden(sit, rows, examiner, web):
    sat = sit([CLEAN])
    client = web(examiner)
    page = client.get(f"/review/sessions/{sat.public_id}").get_data(as_text=True)
    assert 'data-status="valid"' in page and 'id="override-box"' in page
    assert post_decision(client, sat.public_id, outcome="invalid", reason="identity_mismatch").status_code == 409
    response = post_decision(client, sat.public_id, outcome="invalid", reason="identity_mismatch", override="y",
                             override_reason="The face differs from the reference photo.")
    assert response.status_code == 303 and review_of(rows, sat).status == INVALID
    assert rows(AuditEntry, action="review.override")[0].details["previous"]["auto"] is True


def test_an_unsupervised_exam_is_cleared_at_submission(app, make_bank, applicant, applicant_api, rows):
    make_bank()
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    result = applicant_api.submit(public_id).get_json()
    assert result["review"]["status"] == VALID and result["review"]["auto_cleared"] is True


def test_an_exam_submitted_by_the_sweep_is_reviewed_too(app, sit, rows, runner, clock):
    sat = sit([TWO_FACES, TWO_FACES], submit=False)
    clock.advance(hours=2)
    result = runner.invoke(args=["sweep-expired"])
    assert "Submitted 1 expired exam(s)." in result.output
    assert review_of(rows, sat).status == PENDING  # opened by the submission, waiting for an examiner


def test_a_rolled_back_submission_opens_no_review(app, sit, rows):
    sat = sit([CLEAN], submit=False)
    with app.app_context():
        attempt = services.find_attempt(sat.public_id)
        attempt.state = "submitted"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert rows(Review, attempt_id=sat.attempt_id) == []


# --------------------------------------------------------------------------- what everyone sees


def verify_page(app, code) -> str:
    return app.test_client().get(f"/verify/{code}").get_data(as_text=True)


def test_a_passed_result_is_pending_until_cleared_then_invalidated(app, sit, examiner, examiner2, web):
    sat = sit([TWO_FACES, TWO_FACES, CLEAN])
    api_verify = app.test_client().get(f"/api/v1/verify/{sat.code}").get_json()
    assert api_verify["passed"] is True and api_verify["certificate_status"] == "pending_review"
    assert api_verify["review_status"] == "pending"
    assert 'id="verify-status" data-status="pending_review"' in verify_page(app, sat.code)
    result_page = sat.api.client.get(f"/exam/attempts/{sat.public_id}/result").get_data(as_text=True)
    assert 'data-certificate="pending_review"' in result_page

    post_decision(web(examiner), sat.public_id, outcome="valid", reason="no_issue")
    assert app.test_client().get(f"/api/v1/verify/{sat.code}").get_json()["certificate_status"] == "valid"
    assert 'data-status="valid"' in verify_page(app, sat.code)
    assert sat.api.result(sat.public_id).get_json()["review"]["certificate_status"] == "valid"

    post_decision(web(examiner2), sat.public_id, outcome="invalid", reason="aids_or_device", override="y",
                  override_reason="A phone appears in the later frames.")
    answer = app.test_client().get(f"/api/v1/verify/{sat.code}").get_json()
    assert answer["certificate_status"] == "invalidated" and answer["review_status"] == "invalid"
    public = verify_page(app, sat.code)
    assert 'data-status="invalidated"' in public
    assert "aids_or_device" not in public and "phone" not in public  # the public page gives no reason
    result = sat.api.result(sat.public_id).get_json()["review"]
    assert result["reason"] == "aids_or_device" and result["certificate_status"] == "invalidated"


def test_a_failed_result_stays_not_passed_unless_invalidated(app, sit, examiner, web):
    sat = sit([TWO_FACES, TWO_FACES], correct=3)
    assert app.test_client().get(f"/api/v1/verify/{sat.code}").get_json()["certificate_status"] == "not_passed"
    post_decision(web(examiner), sat.public_id, outcome="invalid", reason="another_person")
    assert app.test_client().get(f"/api/v1/verify/{sat.code}").get_json()["certificate_status"] == "invalidated"
