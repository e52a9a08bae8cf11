"""Staff edit a question in the browser; the change shows in the next new exam
while an exam already started keeps the version it was given."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.services import create_user, register_applicant
from browser.actions import sign_in
from core.extensions import db
from exam import services
from exam.models import Attempt
from question_bank.models import Question

pytestmark = pytest.mark.browser
PASSWORD = "staff-browser-pass"



def position_of(app, public_id: str, code: str) -> int:
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        return next(i.position + 1 for i in attempt.items if i.version.question.code == code)


def start_exam(app, email: str, nik: str) -> str:
    with app.app_context():
        user = register_applicant(full_name="Dewi Lestari", nik=nik, born=date(1990, 1, 1), email=email,
                                  password=PASSWORD, sim_class="A", held=[])
        return services.start_attempt(user, services.latest_application(user, "A"), consent=True).public_id


def test_edit_reaches_new_exams_only(live_server_small_bank, browser):
    live = live_server_small_bank
    with live.app.app_context():
        create_user(email="staff@t.id", password=PASSWORD, full_name="Staf", role="staff")
        question_id = db.session.scalar(db.select(Question.id).where(Question.code == "GEN-0001"))
    before = start_exam(live.app, "before@t.id", "3174010101900001")

    staff = browser.new_context().new_page()
    sign_in(staff, live.url, "staff@t.id", PASSWORD)
    staff.goto(f"{live.url}/bank/{question_id}/edit")
    staff.fill("#text_id", "Versi baru: apa arti garis utuh?")
    expect(staff.locator('[data-slot="text-id"]')).to_have_text("Versi baru: apa arti garis utuh?")
    staff.click("#save-question")
    expect(staff).to_have_url(re.compile(rf"/bank/{question_id}$"))
    expect(staff.locator("h1")).to_contain_text("2")

    after = start_exam(live.app, "after@t.id", "3174010101900002")
    for email, public_id, expected in (("after@t.id", after, "Versi baru: apa arti garis utuh?"),
                                       ("before@t.id", before, "Pertanyaan uji nomor 1?")):
        applicant = browser.new_context().new_page()
        sign_in(applicant, live.url, email, PASSWORD)
        applicant.goto(f"{live.url}/exam/attempts/{public_id}/questions/{position_of(live.app, public_id, 'GEN-0001')}")
        expect(applicant.locator(".question-text")).to_have_text(expected)
        applicant.context.close()
    staff.context.close()
