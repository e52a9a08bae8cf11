"""Decisions on a session: reasons that fit the outcome, what the applicant then sees,
overrides, claims that keep two examiners from overwriting each other, flag marks,
and the audit entries all of it leaves."""
import pytest
from review_helpers import CLEAN, TWO_FACES, decision_form, post_decision

from accounts.models import User
from core.audit import AuditEntry, verify_chain
from core.errors import Conflict
from core.extensions import db
from exam.models import Attempt
from helpers import csrf_from_html
from review import services
from review.models import FlagMark, Review, ReviewDecision

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def risky(sit):
    """A passed exam with two frames showing a second face (high severity): pending review."""
    return sit([TWO_FACES, TWO_FACES, CLEAN], full_name="Ani Rahayu")


def review_of(rows, sat) -> Review:
    return rows(Review, attempt_id=sat.attempt_id)[0]


def audit(rows, action: str) -> list[AuditEntry]:
    return rows(AuditEntry, action=action)


# --------------------------------------------------------------------------- deciding


def test_an_examiner_invalidates_a_session_and_the_applicant_sees_why(app, risky, examiner, web, rows):
    assert review_of(rows, risky).status == "pending"
    client = web(examiner)
    response = post_decision(client, risky.public_id, outcome="invalid", reason="another_person",
                             note="A second person reads the questions aloud.")
    assert response.status_code == 303 and response.location.endswith("/review")

    review = review_of(rows, risky)
    assert (review.status, review.reason, review.decided_by_id, review.auto_cleared) == \
        ("invalid", "another_person", examiner.id, False)
    assert review.claimed_by_id is None  # deciding gives the claim back
    [entry] = audit(rows, "review.decision")
    assert entry.actor_id == examiner.id and entry.target_id == risky.public_id
    assert entry.details["outcome"] == "invalid" and entry.details["reason"] == "another_person"

    result = risky.api.result(risky.public_id).get_json()["review"]
    assert result["certificate_status"] == "invalidated" and result["reason"] == "another_person"
    assert result["reason_label"]["en"] == "Another person present"
    assert "note" not in result and "A second person" not in str(result)  # examiners' notes stay with them

    page = risky.api.client.get(f"/exam/attempts/{risky.public_id}/result").get_data(as_text=True)
    assert 'data-certificate="invalidated"' in page and 'data-reason="another_person"' in page
    assert "A second person" not in page


@pytest.mark.parametrize("outcome, reason", [
    ("invalid", "no_issue"),  # "no issue found" cannot invalidate
    ("valid", "another_person"),  # a reason for invalidating cannot clear
    ("valid", ""),  # a reason is required
    ("maybe", "no_issue"),
])
def test_the_reason_must_fit_the_outcome(risky, examiner, web, rows, outcome, reason):
    response = post_decision(web(examiner), risky.public_id, outcome=outcome, reason=reason)
    assert response.status_code == 422
    assert review_of(rows, risky).status == "pending" and rows(ReviewDecision) == []


def test_a_technical_problem_may_clear_or_invalidate(app, sit, examiner):
    first, second = sit([TWO_FACES, TWO_FACES]), sit([TWO_FACES, TWO_FACES], full_name="Eko Prasetyo")
    with app.app_context():
        user = db.session.get(User, examiner.id)
        for sat, outcome in ((first, "valid"), (second, "invalid")):
            review = services.decide(services.find_attempt(sat.public_id), user, outcome=outcome,
                                     reason="technical_problem", expected_count=0)
            assert review.status == outcome


def test_only_examiners_decide(app, risky, admin, web, rows):
    client = web(admin)
    page = client.get(f"/review/sessions/{risky.public_id}")
    assert page.status_code == 200 and 'id="decision-form"' not in page.get_data(as_text=True)
    response = client.post(f"/review/sessions/{risky.public_id}/decision",
                           data={"outcome": "valid", "reason": "no_issue", "expected": "0",
                                 "csrf_token": csrf_from_html(page.get_data(as_text=True))})
    assert response.status_code == 403 and review_of(rows, risky).status == "pending"


def test_an_exam_in_progress_cannot_be_decided(app, sit, examiner):
    running = sit([CLEAN], submit=False)
    with app.app_context(), pytest.raises(Conflict):
        services.decide(services.find_attempt(running.public_id), db.session.get(User, examiner.id),
                        outcome="valid", reason="no_issue")


# --------------------------------------------------------------------------- overrides


def test_a_second_decision_needs_an_override_with_a_reason(risky, examiner, examiner2, web, rows):
    assert post_decision(web(examiner), risky.public_id, outcome="valid", reason="no_issue").status_code == 303
    other = web(examiner2)

    refused = post_decision(other, risky.public_id, outcome="invalid", reason="aids_or_device")
    assert refused.status_code == 409 and "override" in refused.get_data(as_text=True)
    no_reason = post_decision(other, risky.public_id, outcome="invalid", reason="aids_or_device", override="y",
                              override_reason="  ")
    assert no_reason.status_code == 409
    assert review_of(rows, risky).status == "valid"

    done = post_decision(other, risky.public_id, outcome="invalid", reason="aids_or_device", override="y",
                         override_reason="A phone is visible on the desk in frame 2.")
    assert done.status_code == 303
    review = review_of(rows, risky)
    assert (review.status, review.decided_by_id, review.decision_count) == ("invalid", examiner2.id, 2)
    history = rows(ReviewDecision, review_id=review.id)
    assert [(d.outcome, d.previous_status, d.override_reason is not None) for d in history] == \
        [("valid", "pending", False), ("invalid", "valid", True)]
    [entry] = audit(rows, "review.override")
    assert entry.actor_id == examiner2.id
    assert entry.details["previous"]["status"] == "valid" and entry.details["previous"]["by"] == examiner.id
    assert entry.details["override_reason"].startswith("A phone")


def test_a_decision_made_meanwhile_is_not_overwritten(risky, examiner, examiner2, web, rows):
    """The second examiner's page still shows 'pending' when the first decides: the
    form's expected count no longer matches, even with an override ticked."""
    second = web(examiner2)
    stale = decision_form(second, risky.public_id)
    assert post_decision(web(examiner), risky.public_id, outcome="invalid", reason="another_person",
                         override="y", override_reason="taking over").status_code == 303
    response = second.post(f"/review/sessions/{risky.public_id}/decision",
                           data={**stale, "outcome": "valid", "reason": "no_issue", "override": "y",
                                 "override_reason": "I think it is fine"})
    assert response.status_code == 409
    assert review_of(rows, risky).status == "invalid" and len(rows(ReviewDecision)) == 1


def test_a_concurrent_write_is_caught_by_the_database(app, risky, examiner, examiner2):
    """Both examiners loaded the review at count 0; the second commit fails at the
    database (version counter) and becomes a Conflict, not a silent overwrite."""
    with app.app_context():
        attempt = services.find_attempt(risky.public_id)
        services.review_for(attempt)
        db.session.commit()
        seen = services.review_for(attempt)
        assert seen.decision_count == 0
        with app.app_context():  # another request, another session
            other = services.find_attempt(risky.public_id)
            services.decide(other, db.session.get(User, examiner2.id), outcome="invalid", reason="left_exam",
                            expected_count=0)
        with pytest.raises(Conflict):
            services.decide(attempt, db.session.get(User, examiner.id), outcome="valid", reason="no_issue",
                            expected_count=0)
    with app.app_context():
        review = db.session.scalar(db.select(Review))
        assert (review.status, review.decided_by_id, review.decision_count) == ("invalid", examiner2.id, 1)
        assert verify_chain().intact


# --------------------------------------------------------------------------- claims


def test_opening_a_session_claims_it_and_others_see_who_has_it(risky, examiner, examiner2, web, rows, clock):
    first = web(examiner)
    assert first.get(f"/review/sessions/{risky.public_id}").status_code == 200
    review = review_of(rows, risky)
    assert review.claimed_by_id == examiner.id and review.claim_expires_at > clock.now

    queue = web(examiner2).get("/review").get_data(as_text=True)
    assert examiner.full_name in queue
    page = web(examiner2).get(f"/review/sessions/{risky.public_id}").get_data(as_text=True)
    assert f'data-holder="{examiner.email}"' in page and 'id="override-box"' in page
    assert review_of(rows, risky).claimed_by_id == examiner.id  # the second examiner did not take it


def test_a_claimed_session_needs_an_override_until_the_claim_expires(app, risky, examiner, examiner2, web, rows,
                                                                      clock):
    web(examiner).get(f"/review/sessions/{risky.public_id}")
    second = web(examiner2)
    assert post_decision(second, risky.public_id, outcome="valid", reason="no_issue").status_code == 409

    clock.advance(minutes=app.config["REVIEW_CLAIM_MINUTES"] + 1)
    response = post_decision(second, risky.public_id, outcome="valid", reason="no_issue")
    assert response.status_code == 303
    review = review_of(rows, risky)
    assert review.decided_by_id == examiner2.id and audit(rows, "review.override") == []


def test_overriding_a_claim_is_recorded(risky, examiner, examiner2, web, rows):
    web(examiner).get(f"/review/sessions/{risky.public_id}")
    response = post_decision(web(examiner2), risky.public_id, outcome="invalid", reason="identity_mismatch",
                             override="y", override_reason="The first examiner is off sick.")
    assert response.status_code == 303
    [entry] = audit(rows, "review.override")
    assert entry.details["previous"]["claimed_by"] == examiner.id and entry.details["previous"]["status"] == "pending"


def test_the_holder_may_release_the_claim(risky, examiner, examiner2, web, rows):
    first = web(examiner)
    page = first.get(f"/review/sessions/{risky.public_id}").get_data(as_text=True)
    assert 'id="claim-banner"' in page and "claim-mine" in page
    response = first.post(f"/review/sessions/{risky.public_id}/release", data={"csrf_token": csrf_from_html(page)})
    assert response.status_code == 303 and review_of(rows, risky).claimed_by_id is None
    assert len(audit(rows, "review.release")) == 1
    again = web(examiner2).post(f"/review/sessions/{risky.public_id}/release",
                                data={"csrf_token": csrf_from_html(page)})
    assert again.status_code in (400, 409)


# --------------------------------------------------------------------------- flag marks


def flag_ids(app, sat) -> list[int]:
    from proctoring.models import ProctorFlag

    with app.app_context():
        return list(db.session.scalars(db.select(ProctorFlag.id).where(ProctorFlag.attempt_id == sat.attempt_id)))


def test_flags_are_confirmed_or_dismissed(app, risky, examiner, web, rows):
    client = web(examiner)
    page = client.get(f"/review/sessions/{risky.public_id}").get_data(as_text=True)
    token = csrf_from_html(page)
    [flag_id] = flag_ids(app, risky)
    url = f"/review/sessions/{risky.public_id}/flags/{flag_id}"
    assert client.post(url, data={"csrf_token": token, "verdict": "confirmed"}).status_code == 303
    answer = client.post(url, data={"csrf_token": token, "verdict": "dismissed"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json()["verdict"] == "dismissed"
    [mark] = rows(FlagMark)
    assert (mark.verdict, mark.flag_kind, mark.marked_by_id) == ("dismissed", "multiple_faces", examiner.id)
    assert [e.details["verdict"] for e in audit(rows, "review.flag_mark")] == ["confirmed", "dismissed"]
    html = client.get(f"/review/sessions/{risky.public_id}").get_data(as_text=True)
    assert 'data-mark="dismissed"' in html

    assert client.post(url, data={"csrf_token": token, "verdict": "maybe"}).status_code == 422
    assert client.post(f"/review/sessions/{risky.public_id}/flags/99999",
                       data={"csrf_token": token, "verdict": "confirmed"}).status_code == 404


def test_another_examiners_claim_blocks_marks(app, risky, examiner, examiner2, web):
    web(examiner).get(f"/review/sessions/{risky.public_id}")
    second = web(examiner2)
    token = csrf_from_html(second.get(f"/review/sessions/{risky.public_id}").get_data(as_text=True))
    [flag_id] = flag_ids(app, risky)
    response = second.post(f"/review/sessions/{risky.public_id}/flags/{flag_id}",
                           data={"csrf_token": token, "verdict": "dismissed"})
    assert response.status_code == 409


def test_every_review_action_keeps_the_chain_intact(app, risky, examiner, examiner2, web, runner):
    post_decision(web(examiner), risky.public_id, outcome="valid", reason="no_issue")
    post_decision(web(examiner2), risky.public_id, outcome="invalid", reason="left_exam", override="y",
                  override_reason="tab switching for 40 s")
    with app.app_context():
        actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
        assert verify_chain().intact
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == risky.public_id))
        assert attempt.state == "submitted"
    assert actions.count("evidence.view_session") == 2
    assert actions[-1] == "review.override" and "review.decision" in actions
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
