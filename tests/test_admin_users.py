"""Admin account management: role changes and deactivation are audited and take effect."""
from accounts.models import User
from core.audit import AuditEntry, verify_chain
from core.extensions import db
from helpers import app_context, csrf_from_html, form_login


def admin_client(app, admin):
    client = app.test_client()
    assert form_login(client, admin.email).status_code == 302
    return client


def update(client, user_id, **fields):
    token = csrf_from_html(client.get("/admin/users").get_data(as_text=True))
    return client.post(f"/admin/users/{user_id}", data={"csrf_token": token, **fields})


def test_role_change_is_applied_and_audited(app, admin, examiner):
    client = admin_client(app, admin)
    assert update(client, examiner.id, role="staff").status_code == 303
    with app_context(app):
        assert db.session.get(User, examiner.id).role == "staff"
        entry = db.session.scalar(db.select(AuditEntry))
        assert (entry.action, entry.actor_id, entry.details["from"], entry.details["to"]) == \
            ("user.role_change", admin.id, "examiner", "staff")
        assert verify_chain().intact


def test_admin_cannot_change_own_account_and_bad_roles_are_refused(app, admin, examiner):
    client = admin_client(app, admin)
    assert update(client, admin.id, role="applicant").status_code == 409
    assert update(client, examiner.id, role="superuser").status_code == 422
    with app_context(app):
        assert db.session.get(User, admin.id).role == "admin"
        assert db.session.get(User, examiner.id).role == "examiner"
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_deactivated_account_cannot_sign_in(app, admin, staff):
    client = admin_client(app, admin)
    assert update(client, staff.id, active="0").status_code == 303
    assert form_login(app.test_client(), staff.email).status_code == 401
    assert update(client, staff.id, active="1").status_code == 303
    assert form_login(app.test_client(), staff.email).status_code == 302
