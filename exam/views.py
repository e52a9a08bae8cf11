"""Applicant pages: dashboard, instructions and consent, one question per page,
review, submission, result, printable slip, and the public verification page."""
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import NewApplicationForm
from accounts.services import eligibility_problem, held_licences
from core.access import APPLICANT, public, roles_required
from core.clock import local_today
from core.errors import PlatformError, ValidationError
from core.extensions import db
from core.sim_classes import SIM_CLASSES
from exam import bp, services
from exam.blueprints import current_blueprint
from exam.forms import ConsentForm, QuestionForm, SubmitForm, VerifyForm
from exam.models import Application
from exam.presenters import attempt_payload, question_payload, result_payload
from exam.retakes import eligibility
from review.status import review_summary


def _own_application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != current_user.id:
        abort(404)
    return application


@bp.route("/exam")
@roles_required(APPLICANT)
def dashboard():
    attempt = services.current_attempt(current_user)
    applications = db.session.scalars(
        db.select(Application).where(Application.user_id == current_user.id).order_by(Application.id.desc())
    ).all()
    today = local_today()
    rows = [(a, eligibility(a, today), current_blueprint(a.sim_class)) for a in applications]
    return render_template("exam/dashboard.html", attempt=attempt, rows=rows,
                           new_form=NewApplicationForm(), classes=SIM_CLASSES)


@bp.route("/exam/applications", methods=["POST"])
@roles_required(APPLICANT)
def new_application():
    form = NewApplicationForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Choose a SIM class."))
    problem = eligibility_problem(form.sim_class.data, current_user.date_of_birth, held_licences(current_user),
                                  local_today())
    if problem:
        raise ValidationError(problem)
    services.register_again(current_user, form.sim_class.data)
    flash(_("You are registered for the SIM %(label)s theory exam.", label=SIM_CLASSES[form.sim_class.data].label),
          "success")
    return redirect(url_for("exam.dashboard"), code=303)


@bp.route("/exam/applications/<int:application_id>/start", methods=["GET", "POST"])
@roles_required(APPLICANT)
def start(application_id: int):
    application = _own_application(application_id)
    form = ConsentForm()
    status = eligibility(application, local_today())
    blueprint = current_blueprint(application.sim_class)
    if form.validate_on_submit():
        attempt = services.start_attempt(current_user, application, consent=form.consent.data)
        return redirect(url_for("exam.question", public_id=attempt.public_id, number=1), code=303)
    if request.method == "POST":
        flash(_("Please read the rules and give your consent before starting."), "error")
    return render_template("exam/start.html", application=application, status=status, blueprint=blueprint,
                           form=form, sim=SIM_CLASSES[application.sim_class]), 200 if request.method == "GET" else 422


@bp.route("/exam/attempts/<public_id>")
@roles_required(APPLICANT)
def resume(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    if not attempt.is_open:
        return redirect(url_for("exam.result", public_id=public_id))
    return redirect(url_for("exam.question", public_id=public_id, number=attempt_payload(attempt)["current_position"]))


@bp.route("/exam/attempts/<public_id>/questions/<int:number>", methods=["GET", "POST"])
@roles_required(APPLICANT)
def question(public_id: str, number: int):
    attempt = services.load_attempt(public_id, current_user)
    if not attempt.is_open:
        flash(_("Your exam has been submitted."), "info")
        return redirect(url_for("exam.result", public_id=public_id))
    form = QuestionForm()
    if request.method == "POST":
        return _handle_question_post(attempt, number, form)
    if attempt.per_question and number != attempt.current_position + 1:
        return redirect(url_for("exam.question", public_id=public_id, number=attempt.current_position + 1))
    item = attempt.item(number - 1)
    services.go_to(attempt, number - 1)
    return render_template("exam/question.html", attempt=attempt, state=attempt_payload(attempt),
                           question=question_payload(item), form=form)


def _option_number(value: str) -> int:
    """The chosen option from the form; 400 when it is not a small plain number."""
    if not re.fullmatch(r"[0-9]{1,2}", value):
        raise ValidationError(_("That answer option does not exist."), status=400)
    return int(value)


def _handle_question_post(attempt, number: int, form: QuestionForm):
    """The no-JavaScript path: save the choice and flag, then go where the button says."""
    if not form.validate_on_submit():
        raise ValidationError(_("The answer could not be read. Reload the page and try again."))
    position = number - 1
    action = form.action.data or "next"
    try:
        if form.choice.data is not None and form.choice.data != "":
            services.answer(attempt, position, _option_number(form.choice.data))
        elif attempt.per_question and action == "next":
            services.skip(attempt, position)
        if not attempt.per_question and attempt.is_open:
            services.flag(attempt, position, bool(form.flagged.data))
    except PlatformError as error:
        flash(error.message, "error")
        return redirect(url_for("exam.resume", public_id=attempt.public_id), code=303)
    if not attempt.is_open:
        return redirect(url_for("exam.result", public_id=attempt.public_id), code=303)
    if attempt.per_question:
        return redirect(url_for("exam.resume", public_id=attempt.public_id), code=303)
    targets = {"prev": number - 1, "next": number + 1}
    if action == "review" or (action == "next" and number == len(attempt.items)):
        return redirect(url_for("exam.review", public_id=attempt.public_id), code=303)
    if action.startswith("goto:") and re.fullmatch(r"[0-9]{1,4}", action[5:]):
        target = int(action[5:])
    else:
        target = targets.get(action, number)
    target = min(max(target, 1), len(attempt.items))
    return redirect(url_for("exam.question", public_id=attempt.public_id, number=target), code=303)


@bp.route("/exam/attempts/<public_id>/review")
@roles_required(APPLICANT)
def review(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    if not attempt.is_open:
        return redirect(url_for("exam.result", public_id=public_id))
    return render_template("exam/review.html", attempt=attempt, state=attempt_payload(attempt), form=SubmitForm())


@bp.route("/exam/attempts/<public_id>/submit", methods=["POST"])
@roles_required(APPLICANT)
def submit(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    if not SubmitForm().validate_on_submit():
        raise ValidationError(_("The submission could not be confirmed. Reload the page and try again."))
    if attempt.is_open:
        services.submit(attempt)
    return redirect(url_for("exam.result", public_id=public_id), code=303)


@bp.route("/exam/attempts/<public_id>/result")
@roles_required(APPLICANT)
def result(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    if attempt.is_open:
        return redirect(url_for("exam.resume", public_id=public_id))
    status = eligibility(attempt.application, local_today())
    return render_template("exam/result.html", attempt=attempt, result=result_payload(attempt), status=status)


@bp.route("/exam/attempts/<public_id>/slip")
@roles_required(APPLICANT)
def slip(public_id: str):
    attempt = services.load_attempt(public_id, current_user)
    if attempt.is_open:
        return redirect(url_for("exam.resume", public_id=public_id))
    return render_template("exam/slip.html", attempt=attempt, result=result_payload(attempt))


@bp.route("/verify", methods=["GET", "POST"])
@public
def verify_lookup():
    form = VerifyForm()
    if form.validate_on_submit():
        return redirect(url_for("exam.verify", code=form.code.data.strip().upper()), code=303)
    return render_template("exam/verify_lookup.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/verify/<code>")
@public
def verify(code: str):
    attempt = services.find_by_verification_code(code)
    return render_template("exam/verify.html", attempt=attempt, masked_name=services.mask_name(attempt.user.full_name),
                           review=review_summary(attempt))
