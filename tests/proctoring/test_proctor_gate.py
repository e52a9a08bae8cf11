"""The camera check and the start gate: an exam starts only after a recent passing
check, which becomes the attempt's reference."""
import pytest
from proctor_helpers import FRONT, PNG, SECOND, jpeg, pass_check, post_check

from core.extensions import db
from exam.models import Attempt
from helpers import api_login, csrf_from_html, form_login
from proctoring import storage
from proctoring.models import ProctorSession, SystemCheck


def photos(app) -> list[str]:
    with app.test_request_context():
        return storage.files_under(storage.CHECKS)


# --------------------------------------------------------------------------- the check


def test_a_good_photo_passes_and_is_kept_as_the_reference(app, proctored, applicant, applicant_api, rows):
    response = post_check(applicant_api, applicant.application_id, jpeg())
    assert response.status_code == 201
    body = response.get_json()
    assert body["passed"] is True and body["reasons"] == [] and body["faces"] == 1
    assert body["face_size"] == 0.4 and body["brightness"] == 128.0
    (check,) = rows(SystemCheck)
    assert check.passed and check.signature[:2] == [0.0, 1.0] and check.photo_path
    assert photos(app) == [check.photo_path]


@pytest.mark.parametrize(("scenario", "codes"), [
    ({"faces": []}, ["no_face"]),
    ({"faces": [FRONT, SECOND]}, ["multiple_faces"]),
    ({"faces": [{**FRONT, "box": [0.45, 0.4, 0.1, 0.14]}]}, ["face_too_small"]),
    ({"brightness": 30}, ["too_dark"]),
    ({"brightness": 240}, ["too_bright"]),
    ({"faces": [{**FRONT, "yaw": 35.0}]}, ["not_facing_camera"]),
    ({"faces": [{**FRONT, "box": [0.45, 0.4, 0.1, 0.14]}], "brightness": 30}, ["face_too_small", "too_dark"]),
])
def test_a_failed_check_says_why_and_keeps_no_photo(app, proctored, applicant, applicant_api, rows, scenario, codes):
    response = post_check(applicant_api, applicant.application_id, jpeg(**scenario))
    assert response.status_code == 201
    body = response.get_json()
    assert body["passed"] is False
    assert [r["code"] for r in body["reasons"]] == codes
    assert all(r["message"] and r["message"] != r["code"] for r in body["reasons"])
    (check,) = rows(SystemCheck)
    assert not check.passed and check.reasons == codes and check.photo_path is None and check.signature is None
    assert photos(app) == []


def test_the_preview_gives_feedback_and_stores_nothing(app, proctored, applicant, applicant_api, rows):
    response = post_check(applicant_api, applicant.application_id, jpeg(brightness=20), preview=True)
    assert response.status_code == 200
    assert [r["code"] for r in response.get_json()["reasons"]] == ["too_dark"]
    assert rows(SystemCheck) == [] and photos(app) == []


@pytest.mark.parametrize(("data", "status"), [(PNG, 415), (b"", 400), (jpeg()[:1000], 422)])
def test_a_bad_picture_is_refused(app, proctored, applicant, applicant_api, rows, data, status):
    assert post_check(applicant_api, applicant.application_id, data).status_code == status
    assert rows(SystemCheck) == []


def test_an_unreadable_picture_is_422(proctored, applicant, applicant_api, rows):
    response = post_check(applicant_api, applicant.application_id, jpeg(fail=True))
    assert response.status_code == 422 and rows(SystemCheck) == []


def test_someone_elses_registration_is_not_found(app, proctored, applicant, adversary, rows):
    intruder = api_login(app.test_client(), adversary)
    assert post_check(intruder, applicant.application_id, jpeg()).status_code == 404
    assert post_check(intruder, applicant.application_id, jpeg(), preview=True).status_code == 404
    assert rows(SystemCheck) == []


def test_a_missing_analyzer_is_503(app, proctored, applicant, applicant_api, monkeypatch):
    from proctoring.analysis import AnalyzerUnavailable

    def unavailable(_app):
        raise AnalyzerUnavailable("no vision packages")

    monkeypatch.setattr("proctoring.services.get_analyzer", unavailable)
    response = post_check(applicant_api, applicant.application_id, jpeg())
    assert response.status_code == 503 and response.get_json()["error"]


# --------------------------------------------------------------------------- the gate


def test_no_check_no_exam(proctored, bank, applicant, applicant_api, rows):
    response = applicant_api.start(applicant.application_id)
    assert response.status_code == 409 and response.get_json()["error"]
    assert rows(Attempt) == []


def test_a_failed_check_does_not_open_the_gate(proctored, bank, applicant, applicant_api, rows):
    post_check(applicant_api, applicant.application_id, jpeg(faces=[]))
    assert applicant_api.start(applicant.application_id).status_code == 409
    assert rows(Attempt) == []


def test_a_passing_check_opens_the_gate_and_becomes_the_reference(proctored, bank, applicant, applicant_api, rows):
    check_id = pass_check(applicant_api, applicant.application_id)["check"]
    response = applicant_api.start(applicant.application_id)
    assert response.status_code == 201
    (attempt,) = rows(Attempt)
    (session,) = rows(ProctorSession)
    assert session.attempt_id == attempt.id and session.check_id == check_id and session.risk_score == 0
    assert rows(SystemCheck, id=check_id)[0].attempt_id == attempt.id


def test_the_latest_check_counts(proctored, bank, applicant, applicant_api, rows):
    pass_check(applicant_api, applicant.application_id)
    post_check(applicant_api, applicant.application_id, jpeg(brightness=10))
    assert applicant_api.start(applicant.application_id).status_code == 409


def test_a_check_is_used_once(proctored, bank, applicant, applicant_api, rows, clock):
    pass_check(applicant_api, applicant.application_id)
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    applicant_api.submit(public_id)
    clock.advance(days=1)  # a retake, next day
    assert applicant_api.start(applicant.application_id).status_code == 409
    pass_check(applicant_api, applicant.application_id)
    assert applicant_api.start(applicant.application_id).status_code == 201


def test_an_old_check_has_expired(proctored, bank, applicant, applicant_api, rows, clock):
    pass_check(applicant_api, applicant.application_id)
    clock.advance(minutes=31)
    assert applicant_api.start(applicant.application_id).status_code == 409
    assert rows(Attempt) == []


def test_proctoring_switched_off_needs_no_check(app, bank, applicant, applicant_api, rows):
    app.config["PROCTORING_REQUIRED"] = False
    assert applicant_api.start(applicant.application_id).status_code == 201
    assert rows(ProctorSession) == []


def test_the_service_raises_system_check_required(app_ctx, proctored, bank, applicant):
    from accounts.models import User
    from exam import services
    from exam.models import Application
    from proctoring.gate import SystemCheckRequired

    user = db.session.get(User, applicant.id)
    with pytest.raises(SystemCheckRequired) as error:
        services.start_attempt(user, db.session.get(Application, applicant.application_id), consent=True)
    assert error.value.status == 409


# --------------------------------------------------------------------------- the start page


def test_the_start_page_shows_the_check_and_holds_the_start_button(app, proctored, bank, applicant, client):
    form_login(client, applicant.email, applicant.password)
    html = client.get(f"/exam/applications/{applicant.application_id}/start").get_data(as_text=True)
    assert 'id="system-check"' in html and 'data-required="true"' in html
    assert 'id="check-video"' in html and "js/proctor-check.js" in html
    assert 'id="start-button" disabled data-needs-check="true"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline scripts or styles


def test_posting_the_start_form_without_a_check_is_refused(app, proctored, bank, applicant, client, rows):
    form_login(client, applicant.email, applicant.password)
    page = client.get(f"/exam/applications/{applicant.application_id}/start").get_data(as_text=True)
    response = client.post(f"/exam/applications/{applicant.application_id}/start",
                           data={"csrf_token": csrf_from_html(page), "consent": "y"})
    assert response.status_code == 409 and rows(Attempt) == []


def test_without_proctoring_the_start_page_says_so(app, bank, applicant, client):
    app.config["PROCTORING_REQUIRED"] = False
    form_login(client, applicant.email, applicant.password)
    html = client.get(f"/exam/applications/{applicant.application_id}/start").get_data(as_text=True)
    assert 'data-required="false"' in html and "proctor-check.js" not in html
    assert 'id="start-button">' in html


# --------------------------------------------------------------------------- the exam pages


def test_exam_pages_load_the_proctor_with_its_settings(app, exam, client, applicant):
    form_login(client, applicant.email, applicant.password)
    for path in (f"/exam/attempts/{exam.public_id}/questions/1", f"/exam/attempts/{exam.public_id}/review"):
        html = client.get(path).get_data(as_text=True)
        assert 'id="proctor-script"' in html and "js/proctor.js" in html and "js/exam.js" in html
        assert f'data-frames-url="/api/v1/attempts/{exam.public_id}/frames"' in html
        assert f'data-events-url="/api/v1/attempts/{exam.public_id}/events"' in html
        assert 'data-interval="5.0"' in html and 'data-jitter="1.5"' in html and 'data-next-sequence="1"' in html
        assert "<script>" not in html and "style=" not in html


def test_the_next_sequence_follows_the_frames_received(app, exam, client, applicant):
    exam.frame(sequence=41)
    form_login(client, applicant.email, applicant.password)
    html = client.get(f"/exam/attempts/{exam.public_id}/questions/1").get_data(as_text=True)
    assert 'data-next-sequence="42"' in html


def test_unsupervised_exam_pages_have_no_proctor(app, bank, applicant, applicant_api, client):
    app.config["PROCTORING_REQUIRED"] = False
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    form_login(client, applicant.email, applicant.password)
    html = client.get(f"/exam/attempts/{public_id}/questions/1").get_data(as_text=True)
    assert "proctor.js" not in html and "js/exam.js" in html
