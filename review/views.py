"""Examiner and admin pages: the review queue, one session (timeline, evidence,
decision), single frames, the audit log and the reports dashboard.

Examiners decide; admins may look at everything but decide nothing. Opening a
session or a frame is written to the audit trail as evidence viewed."""
from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from core.access import ADMIN, EXAMINER, roles_required
from core.audit import record, verify_chain
from core.clock import local_today, now_utc
from core.errors import Conflict, NotFound, ValidationError, wants_json
from core.extensions import db
from core.sim_classes import SIM_CLASSES
from core.templating import localized
from proctoring import storage
from proctoring.analysis import AnalysisFailed, AnalyzerUnavailable, get_analyzer
from proctoring.labels import flag_kind_label
from proctoring.liveness import step_label as liveness_step_label
from proctoring.models import Frame
from review import audit_log, bp, reports, services
from review.charts import bar_chart, hbar_chart
from review.evidence import frame_context, reference_check, session_view
from review.forms import (
    AuditFilterForm,
    DecisionForm,
    FlagMarkForm,
    QueueFilterForm,
    ReleaseForm,
    ReportFilterForm,
)
from review.models import INVALID, REASONS, REASONS_FOR, VALID
from review.queue import QueueFilters
from review.queue import queue as load_queue
from review.status import certificate_status


@bp.app_template_filter("reason_label")
def reason_label(code: str | None) -> str:
    return localized(REASONS[code]) if code in REASONS else (code or "")


bp.add_app_template_filter(liveness_step_label, "liveness_step_label")


def _valid(field, default=None):
    """A filter field's value, or `default` when it did not validate."""
    return default if field.errors or field.data in (None, "") else field.data


# --------------------------------------------------------------------------- queue


@bp.route("/review")
@roles_required(EXAMINER, ADMIN)
def queue():
    form = QueueFilterForm(formdata=request.args)
    form.validate()
    filters = QueueFilters(date_from=_valid(form.date_from), date_to=_valid(form.date_to),
                           sim_class=_valid(form.sim_class, ""), outcome=_valid(form.outcome, ""),
                           flag_kind=_valid(form.flag_kind, ""), reviewed=_valid(form.reviewed, "unreviewed"),
                           page=_valid(form.page, 1))
    return render_template("review/queue.html", page=load_queue(filters), form=form, flag_label=flag_kind_label,
                           now=now_utc())


# --------------------------------------------------------------------------- one session


def _frame_href(public_id: str):
    return lambda frame_id: url_for("review.frame", public_id=public_id, frame_id=frame_id)


def _render_session(attempt, form: DecisionForm | None = None, status: int = 200):
    view = session_view(attempt, _frame_href(attempt.public_id))
    review = view.review
    now = now_utc()
    holder = review.claimed_by if review is not None and review.claim_holder(now) is not None else None
    if form is None:
        form = DecisionForm(formdata=None)
    form.expected.data = review.decision_count if review is not None else 0
    return render_template(
        "review/session.html", attempt=attempt, view=view, review=review, holder=holder, now=now, form=form,
        mark_form=FlagMarkForm(formdata=None), release_form=ReleaseForm(formdata=None),
        needs_override=review is not None and review.needs_override(current_user.id, now),
        reasons_for={VALID: REASONS_FOR[VALID], INVALID: REASONS_FOR[INVALID]},
        certificate=certificate_status(attempt, review)), status


@bp.route("/review/sessions/<public_id>")
@roles_required(EXAMINER, ADMIN)
def session(public_id: str):
    attempt = services.find_attempt(public_id)
    view = session_view(attempt, _frame_href(public_id))
    services.open_session(attempt, current_user, view.frame_ids)
    return _render_session(attempt)


@bp.route("/review/sessions/<public_id>/decision", methods=["POST"])
@roles_required(EXAMINER)
def decide(public_id: str):
    attempt = services.find_attempt(public_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_session(attempt, form, 422)
    try:
        services.decide(attempt, current_user, outcome=form.outcome.data, reason=form.reason.data,
                        note=form.note.data or "", expected_count=form.expected.data,
                        override_reason=form.override_reason.data if form.override.data else None)
    except (Conflict, ValidationError) as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_session(attempt, form, error.status)
    flash(_("Decision saved: %(outcome)s.", outcome=_("valid") if form.outcome.data == VALID else _("invalid")),
          "success")
    return redirect(url_for("review.queue"), code=303)


@bp.route("/review/sessions/<public_id>/flags/<int:flag_id>", methods=["POST"])
@roles_required(EXAMINER)
def mark_flag(public_id: str, flag_id: int):
    attempt = services.find_attempt(public_id)
    form = FlagMarkForm()
    if not form.validate_on_submit():
        raise ValidationError(_("Choose confirmed or dismissed."))
    mark = services.mark_flag(attempt, flag_id, form.verdict.data, current_user)
    if wants_json():
        return jsonify(flag=flag_id, verdict=mark.verdict, marked_by=current_user.full_name)
    return redirect(url_for("review.session", public_id=public_id, _anchor=f"flag-{flag_id}"), code=303)


@bp.route("/review/sessions/<public_id>/release", methods=["POST"])
@roles_required(EXAMINER)
def release(public_id: str):
    attempt = services.find_attempt(public_id)
    if not ReleaseForm().validate_on_submit():
        raise ValidationError(_("The form has expired; reload the page and try again."), status=400)
    services.release(attempt, current_user)
    flash(_("You released the session; another examiner may take it."), "info")
    return redirect(url_for("review.queue"), code=303)


# --------------------------------------------------------------------------- frames and the reference photo


def _attempt_frame(attempt, frame_id: int) -> Frame:
    frame = db.session.get(Frame, frame_id)
    if frame is None or frame.attempt_id != attempt.id:
        raise NotFound(_("This frame is not part of this session."))
    return frame


@bp.route("/review/sessions/<public_id>/frames/<int:frame_id>")
@roles_required(EXAMINER, ADMIN)
def frame(public_id: str, frame_id: int):
    attempt = services.find_attempt(public_id)
    context = frame_context(attempt, frame_id)
    if context is None:
        raise NotFound(_("This frame is not part of this session."))
    services.record_frame_view(attempt, _attempt_frame(attempt, frame_id), current_user)
    view = session_view(attempt, _frame_href(public_id))
    flags = [v for v in view.flags if frame_id in v.flag.frame_ids]
    return render_template("review/frame.html", attempt=attempt, view=view, frame=context[0], before=context[1],
                           after=context[2], flags=flags)


def _jpeg(data: bytes) -> Response:
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/review/sessions/<public_id>/frames/<int:frame_id>.jpg")
@roles_required(EXAMINER, ADMIN)
def frame_image(public_id: str, frame_id: int):
    """Any stored frame of the session (evidence or context), with the analysis drawn
    on it unless `?raw=1`. Evidence frames are also served by `proctoring.evidence`."""
    frame = _attempt_frame(services.find_attempt(public_id), frame_id)
    if frame.path is None:
        raise NotFound(_("This picture is no longer kept."))
    try:
        data = storage.read(frame.path)
    except FileNotFoundError as error:
        raise NotFound(_("This picture is no longer kept.")) from error
    if request.args.get("raw") != "1" and frame.result is not None:
        try:
            data = get_analyzer(current_app._get_current_object()).draw_overlay(data, frame.result)
        except (AnalysisFailed, AnalyzerUnavailable):
            current_app.logger.warning("Overlay failed for frame %s; serving it as taken", frame_id)
    return _jpeg(data)


@bp.route("/review/sessions/<public_id>/reference.jpg")
@roles_required(EXAMINER, ADMIN)
def reference_photo(public_id: str):
    """The reference photo from the camera check the attempt started with."""
    check = reference_check(services.find_attempt(public_id))
    if check is None or check.photo_path is None:
        raise NotFound(_("There is no reference photo for this exam."))
    try:
        return _jpeg(storage.read(check.photo_path))
    except FileNotFoundError as error:
        raise NotFound(_("There is no reference photo for this exam.")) from error


# --------------------------------------------------------------------------- audit log


def _audit_filters() -> tuple[AuditFilterForm, audit_log.AuditFilters]:
    form = AuditFilterForm(formdata=request.args)
    form.validate()
    return form, audit_log.AuditFilters(action=_valid(form.action, ""), actor=_valid(form.actor, ""),
                                        date_from=_valid(form.date_from), date_to=_valid(form.date_to),
                                        page=_valid(form.page, 1))


@bp.route("/admin/audit")
@roles_required(ADMIN)
def audit():
    form, filters = _audit_filters()
    chain = verify_chain() if request.args.get("verify") == "1" else None
    return render_template("review/audit.html", form=form, filters=filters, page=audit_log.browse(filters),
                           actions=audit_log.actions(), chain=chain)


@bp.route("/admin/audit.csv")
@roles_required(ADMIN)
def audit_export():
    _form, filters = _audit_filters()
    record("audit.export", actor_id=current_user.id, target_type="audit", details=filters.args())
    db.session.commit()
    response = Response(stream_with_context(audit_log.export_csv(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{now_utc():%Y%m%d-%H%M%S}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- reports


def _report() -> tuple[ReportFilterForm, reports.Report]:
    form = ReportFilterForm(formdata=request.args)
    form.validate()
    start, end = reports.default_range(local_today())
    report = reports.build_report(_valid(form.date_from, start), _valid(form.date_to, end))
    form.date_from.data, form.date_to.data = report.date_from, report.date_to
    return form, report


@bp.route("/review/reports")
@roles_required(EXAMINER, ADMIN)
def reports_dashboard():
    form, report = _report()
    charts = {
        "per_day": bar_chart([(day.strftime("%d/%m"), count) for day, count in report.per_day]),
        "pass_rates": hbar_chart([(f"SIM {SIM_CLASSES[r.sim_class].label}", r.rate * 100) for r in report.pass_rates],
                                 fmt="{:.0f}%", max_value=100),
        "flag_rates": hbar_chart([(flag_kind_label(r.kind), r.rate * 100) for r in report.flag_rates],
                                 fmt="{:.0f}%", max_value=100),
    }
    return render_template("review/reports.html", form=form, report=report, charts=charts,
                           flag_label=flag_kind_label)


@bp.route("/review/reports.csv")
@roles_required(EXAMINER, ADMIN)
def reports_export():
    _form, report = _report()
    response = Response(reports.report_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="report-{report.date_from.isoformat()}-{report.date_to.isoformat()}.csv"')
    return response
