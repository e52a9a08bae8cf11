"""Staff pages for the question bank: list and filters, editor with live preview,
retire/restore, history with diffs, image uploads, import and export."""
from flask import Response, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import ADMIN, ROLES, STAFF, roles_required
from core.errors import PlatformError, ValidationError
from core.sim_classes import SIM_CLASSES
from question_bank import bp, cues, editing
from question_bank.forms import (
    GroupForm,
    ImportChoicesForm,
    ImportConfirmForm,
    ImportForm,
    QuestionForm,
    StatusForm,
)
from question_bank.images import STATIC_IMAGES, bundled_image_path, image_url, store_upload, upload_folder
from question_bank.models import ACTIVE, PRACTICE, RETIRED, TOPICS
from question_bank.statistics import item_statistics
from question_bank.transfer import FORMATS, export_bank
from question_bank.transfer import pending as pending_imports
from question_bank.transfer.common import size_problem

EDITORS = (STAFF, ADMIN)


def _filters() -> editing.SearchFilters:
    args = request.args
    return editing.SearchFilters(
        text=args.get("q", "").strip()[:100], topic=args.get("topic", "") if args.get("topic") in TOPICS else "",
        sim_class=args.get("sim_class", "") if args.get("sim_class") in SIM_CLASSES else "",
        status=args.get("status", ""), has_image=args.get("has_image", ""),
        missing_language=args.get("missing_language") == "1",
    )


@bp.route("/bank")
@roles_required(*EDITORS)
def question_list():
    filters = _filters()
    page = editing.search(filters, request.args.get("page", 1, type=int))
    stats = item_statistics([q.id for q in page.questions])
    page_args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("question_bank/list.html", page=page, filters=filters, stats=stats,
                           topics=TOPICS, classes=SIM_CLASSES, page_args=page_args)


def _image_from(form: QuestionForm, keep: str | None) -> str | None:
    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        return store_upload(upload.read())
    chosen = form.image.data or None
    if chosen and chosen.startswith("upload/") and chosen != keep:
        raise ValidationError(_("Choose a bundled image or upload a new one."))
    return chosen


def _editor_cues(form: QuestionForm, question=None) -> list[str]:
    """Cue warnings for the question in the editor (nothing for an empty new form)."""
    if not (form.text_id.data or "").strip():
        return []
    data = form.to_data(form.image.data or None)
    if question is not None:
        data["code"] = question.code
    group = question.exclusion_group if question is not None else None
    return [cues.cue_message(cue) for cue in editing.question_cue_warnings(data, group)]


def _render_editor(form: QuestionForm, question=None, status: int = 200):
    return render_template("question_bank/edit.html", form=form, question=question,
                           current_image=image_url(form.image.data or None),
                           cue_warnings=_editor_cues(form, question)), status


@bp.route("/bank/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def question_new():
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = editing.create_question(form.to_data(_image_from(form, None)), current_user.id)
        except PlatformError as error:
            flash(error.message, "error")
            return _render_editor(form, status=error.status)
        flash(_("Question %(code)s created.", code=question.code), "success")
        return redirect(url_for("question_bank.question_detail", question_id=question.id), code=303)
    return _render_editor(form, status=422 if request.method == "POST" else 200)


@bp.route("/bank/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def question_edit(question_id: int):
    question = editing.get_question(question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(editing.version_as_data(question.current_version, question.code))
    else:
        form.code.data = question.code
    if form.validate_on_submit():
        try:
            version = editing.edit_question(question, form.to_data(_image_from(form, question.current_version.image)),
                                            current_user.id)
        except PlatformError as error:
            flash(error.message, "error")
            return _render_editor(form, question, error.status)
        if version is None:
            flash(_("Nothing changed."), "info")
        else:
            flash(_("Saved as version %(n)s. Exams already drawn keep their version.", n=version.number), "success")
        return redirect(url_for("question_bank.question_detail", question_id=question.id), code=303)
    return _render_editor(form, question, 422 if request.method == "POST" else 200)


@bp.route("/bank/<int:question_id>")
@roles_required(*EDITORS)
def question_detail(question_id: int):
    question = editing.get_question(question_id)
    stats = item_statistics([question.id]).get(question.id)
    version_stats = stats.versions.get(question.current_version_id) if stats else None
    return render_template("question_bank/detail.html", question=question, version=question.current_version,
                           stats=stats, version_stats=version_stats, status_form=StatusForm(), image_url=image_url,
                           status_moves=status_moves(question.status), members=editing.group_members(question),
                           group_form=GroupForm(exclusion_group=question.exclusion_group))


def status_moves(status: str) -> list[tuple[str, str, str]]:
    """The status changes offered on a question's page: (target, button label, style)."""
    moves = {
        ACTIVE: [(PRACTICE, _("Move to the practice pool"), "button-secondary"), (RETIRED, _("Retire"), "button-danger")],
        PRACTICE: [(ACTIVE, _("Put on exams (its answer was shown in practice)"), "button-secondary"),
                   (RETIRED, _("Retire"), "button-danger")],
        RETIRED: [(ACTIVE, _("Restore"), "")],
    }
    return moves.get(status, [])


@bp.route("/bank/cues")
@roles_required(*EDITORS)
def cue_report():
    report = editing.cue_report()
    codes = editing.question_ids()
    return render_template("question_bank/cues.html", report=report, topics=TOPICS, limits=cues, codes=codes)


@bp.route("/bank/<int:question_id>/history")
@roles_required(*EDITORS)
def question_history(question_id: int):
    question = editing.get_question(question_id)
    versions = {v.number: v for v in question.versions}
    newest = max(versions)
    to_number = request.args.get("to", newest, type=int)
    from_number = request.args.get("from", max(to_number - 1, 1), type=int)
    if to_number not in versions or from_number not in versions:
        abort(404)
    diff = editing.version_diff(versions[from_number], versions[to_number])
    return render_template("question_bank/history.html", question=question, versions=question.versions,
                           diff=diff, from_number=from_number, to_number=to_number)


@bp.route("/bank/<int:question_id>/group", methods=["POST"])
@roles_required(*EDITORS)
def question_group(question_id: int):
    question = editing.get_question(question_id)
    form = GroupForm()
    if not form.validate_on_submit():
        message = "; ".join(str(e) for e in form.exclusion_group.errors) or _("The form has expired; reload the page and try again.")
        raise ValidationError(message, status=422 if form.exclusion_group.errors else 400)
    editing.set_exclusion_group(question, form.exclusion_group.data, current_user.id)
    flash(_("Exclusion group of %(code)s saved.", code=question.code), "success")
    return redirect(url_for("question_bank.question_detail", question_id=question.id), code=303)


@bp.route("/bank/<int:question_id>/status", methods=["POST"])
@roles_required(*EDITORS)
def question_status(question_id: int):
    question = editing.get_question(question_id)
    if not StatusForm().validate_on_submit():
        raise ValidationError(_("The form has expired; reload the page and try again."), status=400)
    editing.set_status(question, request.form.get("status", ""), current_user.id)
    flash(_("Question %(code)s is now %(status)s.", code=question.code, status=question.status), "success")
    return redirect(url_for("question_bank.question_detail", question_id=question.id), code=303)


@bp.errorhandler(413)
def import_too_large(error):
    if request.endpoint != "question_bank.bank_import":
        return error
    problem = size_problem()
    flash(problem.reason, "error")
    return render_template("question_bank/import.html", form=ImportForm(formdata=None), problems=[problem]), 413


@bp.route("/bank/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def bank_import():
    form = ImportForm()
    problems, status = [], 200
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            flash(_("Choose a file to import."), "error")
            status = 400
        else:
            try:
                pending = pending_imports.start(current_user.id, form.format.data, upload.filename, upload.read(),
                                                form.language.data)
            except pending_imports.NothingToImport as refused:
                problems, status = refused.problems, refused.status
                flash(refused.message, "error")
            else:
                return redirect(url_for("question_bank.bank_import_preview", token=pending.token), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("question_bank/import.html", form=form, problems=problems), status


def _render_preview(pending, status: int = 200):
    choices = ImportChoicesForm(formdata=None, classes=pending.options["classes"],
                                language=pending.options["untagged"])
    return render_template("question_bank/import_preview.html", pending=pending, plan=pending.plan,
                           choices=choices, confirm=ImportConfirmForm(formdata=None), topics=TOPICS,
                           counts=preview_counts(pending.plan), status_labels=status_labels()), status


def status_labels() -> dict[str, str]:
    return {ACTIVE: _("Active"), RETIRED: _("Retired"), PRACTICE: _("Practice pool")}


def preview_counts(plan: dict) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "unchanged": 0, "refused": 0}
    for question in plan["questions"]:
        counts[question["action"]] += 1
    return counts


@bp.route("/bank/import/<token>")
@roles_required(*EDITORS)
def bank_import_preview(token: str):
    return _render_preview(pending_imports.for_preview(token, current_user.id))


@bp.route("/bank/import/<token>", methods=["POST"])
@roles_required(*EDITORS)
def bank_import_choose(token: str):
    pending = pending_imports.get(token, current_user.id)
    form = ImportChoicesForm()
    if not form.validate_on_submit():
        raise ValidationError(_("The form has expired; reload the page and try again."), status=400)
    mapping = {category["path"]: request.form.get(f"category-{number}", "")
               for number, category in enumerate(pending.plan["categories"])}
    pending_imports.choose(pending, mapping, list(form.classes.data or []), form.language.data)
    flash(_("The preview shows your choices."), "info")
    return redirect(url_for("question_bank.bank_import_preview", token=token), code=303)


@bp.route("/bank/import/<token>/confirm", methods=["POST"])
@roles_required(*EDITORS)
def bank_import_confirm(token: str):
    pending = pending_imports.get(token, current_user.id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        raise ValidationError(_("The form has expired; reload the page and try again."), status=400)
    try:
        report = pending_imports.confirm(pending, current_user.id, bool(form.skip_refused.data))
    except PlatformError as error:
        flash(error.message, "error")
        return _render_preview(pending, error.status)
    flash(_("Imported: %(c)s new, %(u)s updated, %(n)s unchanged.", c=report.created, u=report.updated,
            n=report.unchanged), "success")
    if report.warnings:
        flash(_("The bank now has %(n)s test-taking cue warning(s): see the cue report.", n=len(report.warnings)),
              "warning")
    return redirect(url_for("question_bank.bank_import"), code=303)


@bp.route("/bank/export.<fmt>")
@roles_required(*EDITORS)
def bank_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    spec = FORMATS[fmt]
    return Response(export_bank(fmt), mimetype=spec.mimetype,
                    headers={"Content-Disposition": f"attachment; filename=sim-question-bank.{spec.extension}"})


@bp.route("/question-images/b/<alias>")
@roles_required(*ROLES)
def bundled_image(alias: str):
    image = bundled_image_path(alias)
    if image is None:
        abort(404)
    return send_from_directory(STATIC_IMAGES, image, max_age=86400, mimetype="image/svg+xml")


@bp.route("/question-images/<name>")
@roles_required(*ROLES)
def uploaded_image(name: str):
    return send_from_directory(upload_folder(), name, max_age=86400)
