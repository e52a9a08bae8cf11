"""Applicant practice pages (not counted, explanation after each answer)."""
import re

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import APPLICANT, roles_required
from core.errors import ValidationError
from core.sim_classes import SIM_CLASSES
from exam import bp, practice
from exam.forms import PracticeAnswerForm, PracticeStartForm
from exam.services import latest_application


@bp.route("/practice", methods=["GET", "POST"])
@roles_required(APPLICANT)
def practice_home():
    form = PracticeStartForm()
    if request.method == "GET":
        application = latest_application(current_user)
        form.sim_class.data = application.sim_class if application else "A"
    if form.validate_on_submit():
        practice.start(current_user, form.sim_class.data)
        return redirect(url_for("exam.practice_question", number=1), code=303)
    practice.ensure_no_exam_running(current_user)
    return render_template("exam/practice_home.html", form=form, classes=SIM_CLASSES), \
        422 if request.method == "POST" else 200


@bp.route("/practice/<int:number>", methods=["GET", "POST"])
@roles_required(APPLICANT)
def practice_question(number: int):
    form = PracticeAnswerForm()
    if request.method == "POST":
        # ASCII digits only: "²" and "٣" pass str.isdigit() but int() refuses "²".
        if not form.validate_on_submit() or not re.fullmatch(r"[0-9]{1,2}", form.choice.data or ""):
            raise ValidationError(_("Choose an answer first."))
        item = practice.answer(current_user, number, int(form.choice.data))
    else:
        item = practice.question(current_user, number)
    correct, answered, total = practice.summary()
    return render_template("exam/practice_question.html", item=item, form=form, correct=correct,
                           answered=answered, total=total)
