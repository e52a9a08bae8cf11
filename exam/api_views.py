"""The applicant flow as a versioned JSON API (/api/v1). Described in `openapi.py`.

Authentication is the same signed session cookie as the web pages; every
state-changing request carries the CSRF token from GET /api/v1/session in the
`X-CSRFToken` header.
"""
from flask import jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from accounts.services import authenticate, end_sessions
from core.access import APPLICANT, ROLES, public, roles_required
from core.clock import local_date, local_today, now_utc
from core.errors import NotFound, ValidationError, request_json
from core.extensions import DATABASE_ID_MAX, db
from exam import api, services
from exam.models import Application
from exam.openapi import openapi_document
from exam.presenters import attempt_payload, question_payload, result_payload
from exam.retakes import eligibility
from review.status import review_summary


def json_body() -> dict:
    """The request's JSON object; 400 for anything else, including nesting too deep to parse."""
    body = request_json()
    if not isinstance(body, dict):
        raise ValidationError(_("The request body must be a JSON object."), status=400)
    return body


def database_id(value) -> int | None:
    """`value` when it is an id the database can hold; None for anything else (a bool, a
    float, a number beyond the id column's range, which the database refuses with an overflow)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DATABASE_ID_MAX:
        return value
    return None


def user_payload() -> dict | None:
    if not current_user.is_authenticated:
        return None
    return {"email": current_user.email, "full_name": current_user.full_name, "role": current_user.role}


@api.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


@api.get("/session")
@public
def session_info():
    return jsonify(user=user_payload(), csrf_token=generate_csrf())


@api.post("/session")
@public
def sign_in():
    body = json_body()
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        raise ValidationError(_("Give an e-mail address and a password."), status=400)
    user = authenticate(email, password, request.remote_addr or "")
    session.clear()  # no pre-login session (or CSRF token) survives the sign-in
    login_user(user)
    return jsonify(user=user_payload(), csrf_token=generate_csrf())


@api.delete("/session")
@roles_required(*ROLES)
def sign_out():
    end_sessions(current_user)
    logout_user()
    session.clear()
    return jsonify(user=None)


@api.get("/applications")
@roles_required(APPLICANT)
def applications():
    services.current_attempt(current_user)  # settles an attempt whose deadline has passed
    today = local_today()
    rows = db.session.scalars(db.select(Application).where(Application.user_id == current_user.id)
                              .order_by(Application.id.desc())).all()
    payload = []
    for application in rows:
        status = eligibility(application, today)
        payload.append({
            "id": application.id, "sim_class": application.sim_class, "status": status.status,
            "may_start": status.may_start, "retakes_used": status.retakes_used,
            "retakes_allowed": status.retakes_allowed,
            "retake_window_closes": status.window_closes.isoformat() if status.window_closes else None,
        })
    return jsonify(applications=payload)


@api.post("/attempts")
@roles_required(APPLICANT)
def start_attempt():
    body = json_body()
    application_id = database_id(body.get("application_id"))
    application = db.session.get(Application, application_id) if application_id else None
    if application is None or application.user_id != current_user.id:
        raise NotFound(_("Registration not found."))
    attempt = services.start_attempt(current_user, application, consent=body.get("consent") is True)
    return jsonify(attempt_payload(attempt)), 201


@api.get("/attempts/<public_id>")
@roles_required(APPLICANT)
def attempt_state(public_id: str):
    return jsonify(attempt_payload(services.load_attempt(public_id, current_user)))


def _open_attempt(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    attempt.ensure_open(now_utc(), services.grace_seconds())
    return attempt


@api.get("/attempts/<public_id>/questions/<int:number>")
@roles_required(APPLICANT)
def get_question(public_id: str, number: int):
    attempt = _open_attempt(public_id)
    item = attempt.item(number - 1)
    services.go_to(attempt, number - 1)
    return jsonify(question=question_payload(item), attempt=attempt_payload(attempt))


@api.post("/attempts/<public_id>/questions/<int:number>/answer")
@roles_required(APPLICANT)
def answer(public_id: str, number: int):
    choice = json_body().get("option")
    if not isinstance(choice, int) or isinstance(choice, bool):
        raise ValidationError(_("Give the chosen option as a number."), status=400)
    attempt = services.load_attempt(public_id, current_user)
    item = services.answer(attempt, number - 1, choice)
    return jsonify(saved=True, question=question_payload(item), attempt=attempt_payload(attempt))


@api.post("/attempts/<public_id>/questions/<int:number>/skip")
@roles_required(APPLICANT)
def skip(public_id: str, number: int):
    attempt = services.load_attempt(public_id, current_user)
    services.skip(attempt, number - 1)
    return jsonify(attempt=attempt_payload(attempt))


@api.post("/attempts/<public_id>/questions/<int:number>/flag")
@roles_required(APPLICANT)
def flag(public_id: str, number: int):
    flagged = json_body().get("flagged")
    if not isinstance(flagged, bool):
        raise ValidationError(_("Give `flagged` as true or false."), status=400)
    attempt = services.load_attempt(public_id, current_user)
    item = services.flag(attempt, number - 1, flagged)
    return jsonify(saved=True, question=question_payload(item), attempt=attempt_payload(attempt))


@api.post("/attempts/<public_id>/submit")
@roles_required(APPLICANT)
def submit(public_id: str):
    """Submit; an attempt already closed by its deadline answers with its result."""
    attempt = services.load_attempt(public_id, current_user)
    if not (attempt.auto_submitted and not attempt.is_open):
        services.submit(attempt)
    return jsonify(result_payload(attempt))


@api.get("/attempts/<public_id>/result")
@roles_required(APPLICANT)
def result(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    if attempt.is_open:
        raise ValidationError(_("The exam is still in progress; the result is available after submission."), status=409)
    return jsonify(result_payload(attempt))


@api.get("/verify/<code>")
@public
def verify(code: str):
    attempt = services.find_by_verification_code(code)
    review = review_summary(attempt)
    return jsonify(
        name=services.mask_name(attempt.user.full_name), sim_class=attempt.application.sim_class,
        date=local_date(attempt.submitted_at).isoformat(), passed=attempt.passed, score=attempt.score,
        review_status=review["status"], certificate_status=review["certificate_status"],
    )
