"""Every route states who may use it; this walks every route x every role and checks
the answer against the table below. A new route without a row here fails the test."""
import re
from datetime import date

import pytest
from databases import database_uri

from accounts.services import create_user, register_applicant
from app import create_app
from core.access import ROLES
from core.extensions import db
from core.sim_classes import CLASS_CODES
from exam import services
from exam.blueprints import DEFAULT_TOPIC_COUNTS, ensure_default_blueprints
from helpers import question_data
from question_bank.services import upsert_question

ANON, APPLICANT, EXAMINER, STAFF, ADMIN, OTHER = "anonymous", "applicant", "examiner", "staff", "admin", "other_applicant"
CALLERS = (ANON, APPLICANT, EXAMINER, STAFF, ADMIN, OTHER)
PASSWORD = "route-test-password"


def expect(anon, applicant, examiner, staff, admin, other=None):
    return dict(zip(CALLERS, (anon, applicant, examiner, staff, admin, applicant if other is None else other)))


EVERYONE_200 = expect(200, 200, 200, 200, 200)
APPLICANT_ONLY = expect(302, 200, 403, 403, 403, 404)
API_APPLICANT_ONLY = expect(401, 200, 403, 403, 403, 404)
REVIEWERS_200 = expect(302, 403, 200, 403, 200, 403)  # examiners and admins
REVIEWERS_404 = expect(302, 403, 404, 403, 404, 403)

# (endpoint, method, path template, json body or None, expected status per caller). Walked in order:
# the last rows change state (submit, sign out), so they come after the rows that read it.
ROUTES = [
    ("static", "GET", "/static/css/app.css", None, EVERYONE_200),
    ("accounts.index", "GET", "/", None, expect(200, 302, 302, 302, 302)),
    ("accounts.login", "GET", "/login", None, EVERYONE_200),
    ("accounts.register", "GET", "/register", None, EVERYONE_200),
    ("accounts.staff_home", "GET", "/staff", None, expect(302, 403, 200, 200, 200, 403)),
    ("accounts.admin_users", "GET", "/admin/users", None, expect(302, 403, 403, 403, 200, 403)),
    ("accounts.admin_user_update", "POST", "/admin/users/999", {"role": "staff"}, expect(302, 403, 403, 403, 404, 403)),
    ("exam.admin_blueprints", "GET", "/admin/blueprints", None, expect(302, 403, 403, 403, 200, 403)),
    ("exam.admin_blueprint_edit", "GET", "/admin/blueprints/A", None, expect(302, 403, 403, 403, 200, 403)),
    ("question_bank.question_list", "GET", "/bank", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.question_new", "GET", "/bank/new", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.question_detail", "GET", "/bank/1", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.question_edit", "GET", "/bank/1/edit", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.question_history", "GET", "/bank/1/history", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.question_status", "POST", "/bank/1/status", {"status": "active"}, expect(302, 403, 403, 303, 303, 403)),
    ("question_bank.question_group", "POST", "/bank/1/group", {"exclusion_group": "g"}, expect(302, 403, 403, 303, 303, 403)),
    ("question_bank.cue_report", "GET", "/bank/cues", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.bank_import", "GET", "/bank/import", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.bank_import_preview", "GET", "/bank/import/no-such-token", None, expect(302, 403, 403, 404, 404, 403)),
    ("question_bank.bank_import_choose", "POST", "/bank/import/no-such-token", {}, expect(302, 403, 403, 404, 404, 403)),
    ("question_bank.bank_import_confirm", "POST", "/bank/import/no-such-token/confirm", {},
     expect(302, 403, 403, 404, 404, 403)),
    ("question_bank.bank_export", "GET", "/bank/export.csv", None, expect(302, 403, 403, 200, 200, 403)),
    ("question_bank.uploaded_image", "GET", "/question-images/missing.png", None, expect(302, 404, 404, 404, 404, 404)),
    ("question_bank.bundled_image", "GET", "/question-images/b/0123456789abcdef01234567.svg", None,
     expect(302, 404, 404, 404, 404, 404)),
    ("exam.dashboard", "GET", "/exam", None, expect(302, 200, 403, 403, 403, 200)),
    ("exam.new_application", "POST", "/exam/applications", {}, expect(302, 422, 403, 403, 403, 422)),
    ("exam.start", "GET", "/exam/applications/{application}/start", None, APPLICANT_ONLY),
    ("exam.resume", "GET", "/exam/attempts/{attempt}", None, expect(302, 302, 403, 403, 403, 404)),
    ("exam.question", "GET", "/exam/attempts/{attempt}/questions/1", None, APPLICANT_ONLY),
    ("exam.review", "GET", "/exam/attempts/{attempt}/review", None, APPLICANT_ONLY),
    ("exam.result", "GET", "/exam/attempts/{attempt}/result", None, expect(302, 302, 403, 403, 403, 404)),
    ("exam.slip", "GET", "/exam/attempts/{attempt}/slip", None, expect(302, 302, 403, 403, 403, 404)),
    ("exam.practice_home", "GET", "/practice", None, expect(302, 409, 403, 403, 403, 200)),
    ("exam.practice_question", "GET", "/practice/1", None, expect(302, 409, 403, 403, 403, 404)),
    ("exam.verify_lookup", "GET", "/verify", None, EVERYONE_200),
    ("exam.verify", "GET", "/verify/{code}", None, EVERYONE_200),
    ("exam_api.openapi", "GET", "/api/v1/openapi.json", None, EVERYONE_200),
    ("exam_api.session_info", "GET", "/api/v1/session", None, EVERYONE_200),
    ("exam_api.sign_in", "POST", "/api/v1/session", {}, expect(400, 400, 400, 400, 400)),
    ("exam_api.applications", "GET", "/api/v1/applications", None, expect(401, 200, 403, 403, 403, 200)),
    ("exam_api.start_attempt", "POST", "/api/v1/attempts", {}, expect(401, 404, 403, 403, 403, 404)),
    ("exam_api.attempt_state", "GET", "/api/v1/attempts/{attempt}", None, API_APPLICANT_ONLY),
    ("exam_api.get_question", "GET", "/api/v1/attempts/{attempt}/questions/1", None, API_APPLICANT_ONLY),
    ("exam_api.answer", "POST", "/api/v1/attempts/{attempt}/questions/1/answer", {"option": 0}, API_APPLICANT_ONLY),
    ("exam_api.flag", "POST", "/api/v1/attempts/{attempt}/questions/1/flag", {"flagged": True}, API_APPLICANT_ONLY),
    ("exam_api.skip", "POST", "/api/v1/attempts/{attempt}/questions/1/skip", None, expect(401, 409, 403, 403, 403, 404)),
    ("exam_api.result", "GET", "/api/v1/attempts/{attempt}/result", None, expect(401, 409, 403, 403, 403, 404)),
    ("exam_api.verify", "GET", "/api/v1/verify/{code}", None, EVERYONE_200),
    ("health.healthz", "GET", "/healthz", None, EVERYONE_200),
    # Proctoring. The world's attempt is not webcam-supervised (PROCTORING_REQUIRED is off in
    # tests), so its owner gets 409 for frames and events; bodies are empty, so checks are 400.
    ("proctoring.attempts", "GET", "/proctoring/attempts", None, expect(302, 403, 200, 403, 200, 403)),
    ("proctoring.report", "GET", "/proctoring/attempts/{attempt}", None, expect(302, 403, 404, 403, 404, 403)),
    ("proctoring.evidence", "GET", "/proctoring/evidence/1.jpg", None, expect(302, 403, 404, 403, 404, 403)),
    ("proctoring_api.post_frame", "POST", "/api/v1/attempts/{attempt}/frames", None,
     expect(401, 409, 403, 403, 403, 404)),
    ("proctoring_api.post_events", "POST", "/api/v1/attempts/{attempt}/events", {"events": []},
     expect(401, 409, 403, 403, 403, 404)),
    ("proctoring_api.system_check", "POST", "/api/v1/applications/{application}/system-check", None,
     expect(401, 400, 403, 403, 403, 404)),
    ("proctoring_api.liveness_frame", "POST", "/api/v1/system-checks/1/liveness", None,
     expect(401, 404, 403, 403, 403, 404)),
    ("proctoring_api.system_check_preview", "POST", "/api/v1/applications/{application}/system-check/preview",
     None, expect(401, 400, 403, 403, 403, 404)),
    ("review.queue", "GET", "/review", None, REVIEWERS_200),
    ("review.session", "GET", "/review/sessions/{attempt}", None, REVIEWERS_200),
    ("review.frame", "GET", "/review/sessions/{attempt}/frames/999", None, REVIEWERS_404),
    ("review.frame_image", "GET", "/review/sessions/{attempt}/frames/999.jpg", None, REVIEWERS_404),
    ("review.reference_photo", "GET", "/review/sessions/{attempt}/reference.jpg", None, REVIEWERS_404),
    ("review.decide", "POST", "/review/sessions/{attempt}/decision", {}, expect(302, 403, 422, 403, 403, 403)),
    ("review.mark_flag", "POST", "/review/sessions/{attempt}/flags/999", {}, expect(302, 403, 422, 403, 403, 403)),
    ("review.release", "POST", "/review/sessions/{attempt}/release", {}, expect(302, 403, 409, 403, 403, 403)),
    ("review.reports_dashboard", "GET", "/review/reports", None, REVIEWERS_200),
    ("review.reports_export", "GET", "/review/reports.csv", None, REVIEWERS_200),
    ("review.audit", "GET", "/admin/audit", None, expect(302, 403, 403, 403, 200, 403)),
    ("review.audit_export", "GET", "/admin/audit.csv", None, expect(302, 403, 403, 403, 200, 403)),
    ("exam.submit", "POST", "/exam/attempts/{attempt}/submit", {}, expect(302, 303, 403, 403, 403, 404)),
    # submitted already by the HTML row above: a replayed submit returns the same result
    ("exam_api.submit", "POST", "/api/v1/attempts/{attempt}/submit", None, expect(401, 200, 403, 403, 403, 404)),
    ("accounts.set_language", "POST", "/language/en", {}, expect(303, 303, 303, 303, 303)),
    ("exam_api.sign_out", "DELETE", "/api/v1/session", None, expect(401, 200, 200, 200, 200)),
    # after the API sign-out above, that session's CSRF token is gone with it
    ("accounts.logout", "POST", "/logout", {}, expect(302, 400, 400, 400, 400)),
]


def nik(born: date, serial: int) -> str:
    return f"317401{born.day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@pytest.fixture
def world(tmp_path):
    """An app with a bank, one account per role, an applicant's open attempt and a
    submitted attempt (for verification)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "routes", "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path, "r.db")})
    with app.app_context(), app.test_request_context():
        db.create_all()
        number = 0
        for topic, count in DEFAULT_TOPIC_COUNTS.items():
            for _ in range(count * 2):
                number += 1
                upsert_question(question_data(topic=topic, classes=CLASS_CODES, code=f"R-{number}"))
        db.session.commit()
        ensure_default_blueprints()
        for role in (EXAMINER, STAFF, ADMIN):
            create_user(email=f"{role}@t.id", password=PASSWORD, full_name=role.title(), role=role)
        born = date(1990, 4, 2)
        owner = register_applicant(full_name="Ani Owner", nik=nik(born, 1), born=born, email="applicant@t.id",
                                   password=PASSWORD, sim_class="A", held=[])
        register_applicant(full_name="Other Person", nik=nik(born, 2), born=born, email="other_applicant@t.id",
                           password=PASSWORD, sim_class="A", held=[])
        verifier = register_applicant(full_name="Vera Done", nik=nik(born, 3), born=born, email="vera@t.id",
                                      password=PASSWORD, sim_class="A", held=[])
        done = services.start_attempt(verifier, services.latest_application(verifier, "A"), consent=True)
        services.submit(done)
        application = services.latest_application(owner, "A")
        attempt = services.start_attempt(owner, application, consent=True)
        values = {"application": application.id, "attempt": attempt.public_id, "code": done.verification_code}
    return app, values


def signed_in_client(app, caller: str):
    client = app.test_client()
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    if caller != ANON:
        response = client.post("/api/v1/session", json={"email": f"{caller}@t.id", "password": PASSWORD},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 200, response.get_json()
        token = response.get_json()["csrf_token"]
    return client, token


def test_every_route_has_a_row_and_declares_its_roles(world):
    app, _ = world
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == {row[0] for row in ROUTES}
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            declared = getattr(view, "allowed_roles", None)
            assert declared == "public" or (declared and set(declared) <= set(ROLES)), endpoint


@pytest.mark.parametrize("caller", CALLERS)
def test_route_answers_match_the_table(world, caller):
    app, values = world
    client, token = signed_in_client(app, caller)
    answers = {}
    for endpoint, method, path, body, expected in ROUTES:
        url = path.format(**values)
        kwargs = {"headers": {"X-CSRFToken": token, "Accept": "application/json" if "/api/" in url else "text/html"}}
        if body is not None:
            kwargs["json" if "/api/" in url else "data"] = body
        response = client.open(url, method=method, **kwargs)
        answers[endpoint] = response.status_code
        response.close()
        if response.status_code in (302, 303) and expected[caller] in (302, 303) and endpoint != "static":
            assert not re.search(r"//", response.location.split("://", 1)[-1]), response.location
    assert answers == {endpoint: expected[caller] for endpoint, _, _, _, expected in ROUTES}
