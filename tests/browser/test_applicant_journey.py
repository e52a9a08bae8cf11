"""The applicant's journey in a real browser: register, start, answer, reload and
resume, submit, see the result and open the public verification page."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import User
from core.extensions import db
from exam.models import Attempt

pytestmark = pytest.mark.browser


def nik_for(born: date) -> str:
    return f"317401{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0001"  # a woman's NIK


def register(page, base_url: str, email: str) -> None:
    born = date(1995, 3, 9)
    page.goto(f"{base_url}/register")
    page.fill("#full_name", "Siti Rahmawati")
    page.fill("#nik", nik_for(born))
    page.fill("#date_of_birth", born.isoformat())
    page.select_option("#sex", "P")
    page.fill("#email", email)
    page.fill("#password", "kata-sandi-aman-1")
    page.fill("#confirm", "kata-sandi-aman-1")
    page.select_option("#sim_class", "C")
    page.check("#accept_terms")
    page.click("#register-button")
    expect(page).to_have_url(re.compile(r"/exam$"))


def choose_option_by_text(page, pattern: str) -> None:
    page.locator("label.option", has_text=re.compile(pattern)).first.click()


def test_register_take_exam_reload_resume_submit_and_verify(live_server, page):
    register(page, live_server.url, "siti@example.id")
    page.click("a.start-exam")
    page.check("#consent")
    page.click("#start-button")
    expect(page).to_have_url(re.compile(r"/questions/1$"))

    # Answer the first 5 questions with the right answer (saved at once by fetch) and
    # move on with the keyboard, then reload mid-exam.
    for number in range(1, 6):
        expect(page.locator(".question-meta")).to_have_attribute("data-position", str(number))
        choose_option_by_text(page, r"Jawaban benar \d+")
        expect(page.locator("#save-status")).to_have_text("Tersimpan")
        page.locator("#next-button").click()
    expect(page).to_have_url(re.compile(r"/questions/6$"))
    choose_option_by_text(page, r"Jawaban benar \d+")
    expect(page.locator("#save-status")).to_have_text("Tersimpan")
    page.locator("#flagged").check()
    expect(page.locator('#nav-grid .cell[data-position="6"]')).to_have_class(re.compile("flagged"))

    page.reload()
    expect(page).to_have_url(re.compile(r"/questions/6$"))
    expect(page.locator("input[name=choice]:checked")).to_have_count(1)
    expect(page.locator("#flagged")).to_be_checked()
    answered = page.locator("#nav-grid .cell.answered")
    expect(answered).to_have_count(6)

    # A new visit to the exam resumes exactly where the applicant was.
    page.goto(f"{live_server.url}/exam")
    page.click("#resume-exam")
    expect(page).to_have_url(re.compile(r"/questions/6$"))

    # Answer the rest by keyboard (wrong answers for 7..30 except a few) via the grid.
    for number in range(7, 31):
        page.goto(re.sub(r"/questions/\d+$", f"/questions/{number}", page.url))
        page.keyboard.press("b" if number % 2 else "c")
        expect(page.locator("#save-status")).to_have_text("Tersimpan")

    with live_server.app.app_context():
        attempt = db.session.scalar(db.select(Attempt))
        chosen = [item.choice for item in attempt.items]
        expected_correct = sum(
            1 for item in attempt.items if item.choice is not None and item.option_order[item.choice] == item.version.correct_index
        )
    assert all(choice is not None for choice in chosen)

    page.click("#review-button")
    expect(page).to_have_url(re.compile(r"/review$"))
    page.click("#submit-button")
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.locator("#score")).to_have_attribute("data-correct", str(expected_correct))
    expect(page.locator("#outcome")).to_have_attribute("data-passed", "true" if expected_correct >= 21 else "false")
    code = page.locator("#verification-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)

    page.click("#verify-link")
    expect(page).to_have_url(re.compile(f"/verify/{code}$"))
    expect(page.locator("#verify-name")).to_have_text("S*** R********")
    expect(page.locator("#verify-outcome")).to_have_attribute("data-passed", "true" if expected_correct >= 21 else "false")

    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "siti@example.id"))
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.user_id == user.id))
        assert attempt.state == "submitted" and attempt.correct_count == expected_correct
