"""The audit trail: `flask verify-audit` finds the first tampered entry, blueprint
changes are recorded, and admins browse and export the log."""
import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from core.audit import AuditEntry, record, verify_chain
from core.extensions import db
from exam.blueprints import (
    DEFAULT_TOPIC_COUNTS,
    ensure_default_blueprints,
    update_blueprint,
)
from helpers import csrf_from_html

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def entries(app, examiner, admin, clock):
    """Five entries: three by the examiner, one by the system, one by the admin, a minute apart."""
    with app.app_context():
        for number, (action, actor) in enumerate((
                ("review.decision", examiner.id), ("evidence.view_session", examiner.id),
                ("review.flag_mark", examiner.id), ("review.auto_clear", None), ("user.role_change", admin.id))):
            record(action, actor_id=actor, target_type="attempt", target_id=f"a{number}",
                   details={"n": number, "note": "=HYPERLINK(\"http://evil\")" if number == 0 else "ok"})
            db.session.commit()
            clock.advance(minutes=1)
    return 5


def test_verify_audit_passes_on_an_intact_chain(runner, entries):
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0 and "intact: 5 entries" in result.output


def test_verify_audit_reports_the_first_tampered_row(app, runner, entries):
    with app.app_context():
        db.session.execute(text("UPDATE audit_entries SET details = :d WHERE id = 3"), {"d": '{"n": 99}'})
        db.session.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "BROKEN at entry 3" in result.output and "modified" in result.output
    with app.app_context():
        report = verify_chain()
    assert (report.first_broken_id, report.checked) == (3, 2)


def test_verify_audit_finds_a_deleted_row_and_a_rewritten_link(app, runner, entries):
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entries WHERE id = 2"))
        db.session.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1 and "BROKEN at entry 3" in result.output and "missing" in result.output

    with app.app_context():  # re-number it away, and the link to the entry before no longer fits
        db.session.execute(text("UPDATE audit_entries SET id = 2 WHERE id = 3"))
        db.session.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1 and "BROKEN at entry 2" in result.output


def test_a_blueprint_change_is_recorded(app, admin, make_bank, rows):
    make_bank()
    with app.app_context():
        ensure_default_blueprints()
        update_blueprint("A", topic_counts=dict(DEFAULT_TOPIC_COUNTS), pass_mark=22, delivery_mode="free",
                         duration_seconds=25 * 60, seconds_per_question=15, by_user_id=admin.id)
    [entry] = rows(AuditEntry, action="blueprint.update")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin.id, "blueprint", "A")
    assert entry.details["version"] == 2 and entry.details["previous_version"] == 1
    assert entry.details["changed"] == {"pass_mark": {"from": 21, "to": 22},
                                        "duration_seconds": {"from": 1800, "to": 1500}}


def test_a_blueprint_change_through_the_admin_page_is_recorded(app, admin, make_bank, web, rows):
    make_bank()
    client = web(admin)
    page = client.get("/admin/blueprints/A").get_data(as_text=True)
    form = {"csrf_token": csrf_from_html(page), "delivery_mode": "free", "duration_minutes": "30",
            "seconds_per_question": "15", "pass_mark": "20", **{f"topic_{t}": str(c) for t, c in DEFAULT_TOPIC_COUNTS.items()}}
    assert client.post("/admin/blueprints/A", data=form).status_code == 303
    [entry] = rows(AuditEntry, action="blueprint.update")
    assert entry.actor_id == admin.id and entry.details["changed"] == {"pass_mark": {"from": 21, "to": 20}}


# --------------------------------------------------------------------------- browsing and export


def listed(client, **args) -> list[str]:
    html = client.get("/admin/audit", query_string=args).get_data(as_text=True)
    return re.findall(r'<tr data-action="([^"]+)"', html)


def test_admins_browse_newest_first_with_filters(app, entries, admin, examiner, web, clock):
    client = web(admin)
    everything = listed(client)
    assert everything == ["user.role_change", "review.auto_clear", "review.flag_mark", "evidence.view_session",
                          "review.decision"]
    assert listed(client, action="review.decision") == ["review.decision"]
    assert listed(client, action="review.") == ["review.auto_clear", "review.flag_mark", "review.decision"]
    assert set(listed(client, actor=examiner.email)) == {"review.decision", "evidence.view_session",
                                                        "review.flag_mark"}
    assert listed(client, actor="system") == ["review.auto_clear"]
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert listed(client, date_from=tomorrow) == []
    assert web(examiner).get("/admin/audit").status_code == 403


def test_the_log_pages(app, entries, admin, web):
    app.config["AUDIT_PAGE_SIZE"] = 2
    client = web(admin)
    pages = [listed(client, page=n) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [2, 2, 1, 1]  # past the end: the last page
    app.config["AUDIT_PAGE_SIZE"] = 50
    assert pages[0] + pages[1] + pages[2] == listed(client)


def test_the_admin_page_verifies_the_chain(app, entries, admin, web):
    client = web(admin)
    assert 'data-intact="true"' in client.get("/admin/audit?verify=1").get_data(as_text=True)
    with app.app_context():
        db.session.execute(text("UPDATE audit_entries SET action = 'review.nothing' WHERE id = 1"))
        db.session.commit()
    html = client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert 'data-intact="false"' in html


def test_the_csv_export(app, entries, admin, examiner, web, rows):
    client = web(admin)
    response = client.get("/admin/audit.csv", query_string={"actor": examiner.email})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:6] == ["id", "at_utc", "actor_id", "actor_email", "actor_role", "action"]
    assert [row[5] for row in table[1:]] == ["review.decision", "evidence.view_session", "review.flag_mark"]
    assert all(row[3] == examiner.email for row in table[1:])
    first = dict(zip(table[0], table[1]))
    assert first["details"].startswith("{") and "HYPERLINK" in first["details"]
    with app.app_context():
        assert first["entry_hash"] == db.session.get(AuditEntry, 1).entry_hash
    [export] = rows(AuditEntry, action="audit.export")  # the export itself is an admin action
    assert export.actor_id == admin.id and export.details == {"actor": examiner.email}
    assert web(examiner).get("/admin/audit.csv").status_code == 403


def test_csv_cells_cannot_run_as_formulas(app, admin, web):
    with app.app_context():
        record("question.edit", actor_id=admin.id, target_type="question", target_id="=cmd|' /C calc'!A0")
        db.session.commit()
    table = list(csv.reader(io.StringIO(web(admin).get("/admin/audit.csv").get_data(as_text=True))))
    assert table[1][7] == "'=cmd|' /C calc'!A0"
