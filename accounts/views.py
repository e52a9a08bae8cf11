from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from accounts import admin, bp, services
from accounts.forms import LoginForm, RegistrationForm, UserAdminForm
from core.access import ADMIN, APPLICANT, EXAMINER, ROLES, STAFF, public, roles_required
from core.errors import PlatformError, ValidationError
from core.extensions import db, limiter

HOME_BY_ROLE = {
    APPLICANT: "exam.dashboard",
    ADMIN: "exam.admin_blueprints",
    STAFF: "question_bank.question_list",
    EXAMINER: "review.queue",
}


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for(HOME_BY_ROLE[current_user.role]))
    return render_template("index.html")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except PlatformError as error:
            flash(error.message, "error")
            status = error.status
        else:
            session.clear()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for(HOME_BY_ROLE[user.role]))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@roles_required(*ROLES)
def logout():
    services.end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.index"))


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _too_many_registrations() -> str:
    return _("Too many registrations from your network. Please try again later.")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"], error_message=_too_many_registrations)
@public
def register():
    form = RegistrationForm()
    status = 200
    if form.validate_on_submit():
        held = []
        if form.held_class.data:
            if not form.held_issued_on.data or not form.held_number.data:
                form.held_class.errors.append(_("Give the issue date and number of the SIM you hold."))
                return render_template("accounts/register.html", form=form), 422
            held.append(services.HeldClass(form.held_class.data, form.held_issued_on.data, form.held_number.data.strip()))
        try:
            user = services.register_applicant(
                full_name=form.full_name.data, nik=form.nik.data, born=form.date_of_birth.data,
                email=form.email.data, password=form.password.data, sim_class=form.sim_class.data, held=held,
                sex=form.sex.data,
            )
        except PlatformError as error:
            flash(error.message, "error")
            status = error.status
        else:
            session.clear()
            login_user(user)
            flash(_("Your account is ready. Welcome!"), "success")
            return redirect(url_for("exam.dashboard"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/register.html", form=form), status


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "error")
        return redirect(url_for("accounts.index")), 303
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("accounts.index"), code=303)


@bp.route("/staff")
@roles_required(STAFF, EXAMINER, ADMIN)
def staff_home():
    return render_template("accounts/staff_home.html")


@bp.route("/admin/users")
@roles_required(ADMIN)
def admin_users():
    text, role = request.args.get("q", "").strip()[:100], request.args.get("role", "")
    users, total = admin.list_users(text, role, request.args.get("page", 1, type=int))
    return render_template("accounts/admin_users.html", users=users, total=total, text=text, role=role,
                           roles=ROLES, form=UserAdminForm())


@bp.route("/admin/users/<int:user_id>", methods=["POST"])
@roles_required(ADMIN)
def admin_user_update(user_id: int):
    form = UserAdminForm()
    if not form.validate_on_submit():
        raise ValidationError(_("The form has expired; reload the page and try again."), status=400)
    if form.role.data:
        admin.change_role(user_id, form.role.data, current_user)
    if form.active.data in ("0", "1"):
        admin.set_active(user_id, form.active.data == "1", current_user)
    flash(_("Account updated."), "success")
    return redirect(url_for("accounts.admin_users"), code=303)
