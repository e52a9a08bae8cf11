"""Admin pages for exam blueprints (one per SIM class, versioned)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import ADMIN, roles_required
from core.errors import ValidationError
from core.sim_classes import SIM_CLASSES
from exam import bp
from exam.blueprints import current_blueprint, current_blueprints, update_blueprint
from exam.forms import BlueprintForm
from exam.services import candidates_for
from question_bank.models import TOPICS


@bp.route("/admin/blueprints")
@roles_required(ADMIN)
def admin_blueprints():
    blueprints = current_blueprints()
    availability = {b.sim_class: {t: len(c) for t, c in candidates_for(b.sim_class).items()} for b in blueprints}
    return render_template("exam/admin_blueprints.html", blueprints=blueprints, availability=availability,
                           topics=TOPICS, classes=SIM_CLASSES)


def _topic_counts_from(form_data) -> dict[str, int]:
    counts = {}
    for topic in TOPICS:
        raw = form_data.get(f"topic_{topic}", "0").strip() or "0"
        if not raw.isdigit():
            raise ValidationError(_("The number of questions for each topic must be a whole number."))
        counts[topic] = int(raw)
    return counts


@bp.route("/admin/blueprints/<sim_class>", methods=["GET", "POST"])
@roles_required(ADMIN)
def admin_blueprint_edit(sim_class: str):
    if sim_class not in SIM_CLASSES:
        abort(404)
    blueprint = current_blueprint(sim_class)
    form = BlueprintForm(obj=blueprint, duration_minutes=blueprint.duration_seconds // 60)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                update_blueprint(
                    sim_class, topic_counts=_topic_counts_from(request.form), pass_mark=form.pass_mark.data,
                    delivery_mode=form.delivery_mode.data, duration_seconds=form.duration_minutes.data * 60,
                    seconds_per_question=form.seconds_per_question.data, by_user_id=current_user.id,
                )
            except ValidationError as error:
                flash(error.message, "error")
                status = 422
            else:
                flash(_("Blueprint saved as a new version. Exams already started keep their old paper."), "success")
                return redirect(url_for("exam.admin_blueprints"), code=303)
        else:
            status = 422
    availability = {t: len(c) for t, c in candidates_for(sim_class).items()}
    return render_template("exam/admin_blueprint_edit.html", blueprint=blueprint, form=form, topics=TOPICS,
                           availability=availability, sim=SIM_CLASSES[sim_class],
                           counts=_shown_counts(blueprint)), status


def _shown_counts(blueprint) -> dict[str, str | int]:
    """What the topic inputs show: the posted values after an error, else the blueprint's."""
    if request.method == "POST":
        return {topic: request.form.get(f"topic_{topic}", "0") for topic in TOPICS}
    return {topic: blueprint.topic_counts.get(topic, 0) for topic in TOPICS}
