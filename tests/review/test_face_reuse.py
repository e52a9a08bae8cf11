"""One face behind several registrations (a stock photo passed off as many
applicants, or one person sitting for others): a reference photo whose face
matches another account's is recorded on both checks, flags both attempts
(face_reused, high), keeps the later one from being auto-cleared and sends the
earlier, already auto-cleared one back to the examiners. The applicant is not told."""
from review_helpers import jpeg, post_decision

from core.audit import AuditEntry
from helpers import api_login, post_check
from proctoring.models import ProctorFlag, SystemCheck
from proctoring.rules import FACE_REUSED
from review.models import PENDING, VALID, Review

STOCK_PHOTO = jpeg(signature=[0.25, 0.75, 3.0])
NEAR_COPY = jpeg(signature=[0.25, 0.75, 3.2])  # the same face, another shot (fake distance 0.2 < 0.6)


def flags_of(rows, attempt_id) -> list[tuple[str, str]]:
    return [(f.kind, f.severity) for f in rows(ProctorFlag, attempt_id=attempt_id)]


def verify(api, code) -> dict:
    return api.get(f"/verify/{code}").get_json()


def test_a_face_used_by_another_account_flags_both_and_reopens_the_cleared_one(app, sit, rows):
    first = sit(frames=[{}], photo=STOCK_PHOTO, full_name="Siti Rahma")
    assert rows(Review, attempt_id=first.attempt_id)[0].status == VALID
    assert verify(first.api, first.code)["certificate_status"] == "valid"

    second = sit(frames=[{}], photo=NEAR_COPY, full_name="Dewi Lestari")

    (later,) = rows(SystemCheck, user_id=second.account.id)
    (earlier,) = rows(SystemCheck, user_id=first.account.id)
    assert [m["user_id"] for m in later.face_matches] == [first.account.id]
    assert [m["user_id"] for m in earlier.face_matches] == [second.account.id]
    assert later.face_matches[0]["distance"] == earlier.face_matches[0]["distance"] == 0.2

    assert (FACE_REUSED, "high") in flags_of(rows, second.attempt_id)
    assert rows(Review, attempt_id=second.attempt_id)[0].status == PENDING  # not auto-cleared
    assert (FACE_REUSED, "high") in flags_of(rows, first.attempt_id)
    (reopened,) = rows(Review, attempt_id=first.attempt_id)
    assert reopened.status == PENDING and not reopened.auto_cleared and reopened.decision_count == 2
    assert verify(first.api, first.code)["certificate_status"] == "pending_review"
    assert [e.target_id for e in rows(AuditEntry, action="review.reopened")] == [first.public_id]


def test_the_applicant_is_not_told_of_the_match(app, sit, make_applicant):
    sit(frames=[{}], photo=STOCK_PHOTO)
    account = make_applicant()
    api = api_login(app.test_client(), account)
    reused = post_check(api, account.application_id, STOCK_PHOTO).get_json()
    fresh = post_check(api, account.application_id, jpeg()).get_json()
    assert reused["passed"] is fresh["passed"] is True
    assert sorted(reused) == sorted(fresh) and reused["reasons"] == fresh["reasons"] == []
    assert "match" not in str(reused) and "reuse" not in str(reused)


def test_different_faces_match_nobody(app, sit, rows):
    first, second = sit(frames=[{}]), sit(frames=[{}])
    assert all(not check.face_matches for check in rows(SystemCheck))
    assert FACE_REUSED not in {kind for kind, _ in flags_of(rows, second.attempt_id)}
    assert rows(Review, attempt_id=first.attempt_id)[0].status == VALID


def test_an_examiners_decision_is_not_reopened(app, sit, rows, examiner, web):
    first = sit(frames=[{}], photo=STOCK_PHOTO)
    assert rows(Review, attempt_id=first.attempt_id)[0].auto_cleared
    response = post_decision(web(examiner), first.public_id, outcome="valid", reason="no_issue", override="y",
                             override_reason="Checked the video myself.")
    assert response.status_code == 303
    sit(frames=[{}], photo=NEAR_COPY)
    (review,) = rows(Review, attempt_id=first.attempt_id)
    assert review.status == VALID and not review.auto_cleared  # an examiner looked: it stands
    assert (FACE_REUSED, "high") in flags_of(rows, first.attempt_id)  # and the new finding shows


def test_the_session_page_names_the_other_account(app, sit, examiner, web):
    first = sit(frames=[{}], photo=STOCK_PHOTO, full_name="Siti Rahma")
    second = sit(frames=[{}], photo=NEAR_COPY, full_name="Dewi Lestari")
    html = web(examiner).get(f"/review/sessions/{second.public_id}").get_data(as_text=True)
    assert 'id="face-matches"' in html and "Siti Rahma" in html and first.account.email in html
    assert f"/review/sessions/{first.public_id}" in html
    assert 'id="liveness-result" data-status="passed"' in html
