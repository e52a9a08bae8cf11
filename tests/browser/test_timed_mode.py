"""AVIS-style delivery in a real browser: an admin switches class A to a timer per
question; the applicant cannot go back, and a question whose time runs out moves on
by itself (the page follows the server's clock)."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.services import create_user, register_applicant
from browser.actions import sign_in
from core.extensions import db
from exam import services
from exam.models import Attempt

pytestmark = pytest.mark.browser
PASSWORD = "timed-mode-password"



def test_admin_sets_per_question_timer_and_applicant_cannot_go_back(live_server, browser):
    live = live_server
    with live.app.app_context():
        create_user(email="admin@t.id", password=PASSWORD, full_name="Admin", role="admin")
        register_applicant(full_name="Rina Wati", nik="3174011203950001", born=date(1995, 3, 12), email="rina@t.id",
                           password=PASSWORD, sim_class="A", held=[])

    admin = browser.new_context().new_page()
    sign_in(admin, live.url, "admin@t.id", PASSWORD)
    admin.goto(f"{live.url}/admin/blueprints/A")
    admin.select_option("#delivery_mode", "per_question")
    admin.fill("#seconds_per_question", "5")
    admin.locator("main button[type=submit]").click()
    expect(admin).to_have_url(re.compile(r"/admin/blueprints$"))
    admin.context.close()

    page = browser.new_context().new_page()
    sign_in(page, live.url, "rina@t.id", PASSWORD)
    page.click("a.start-exam")
    page.check("#consent")
    page.click("#start-button")
    expect(page).to_have_url(re.compile(r"/questions/1$"))
    expect(page.locator("#question-time-left")).to_be_visible()
    page.locator("label.option").first.click()
    page.click("#next-button")
    expect(page).to_have_url(re.compile(r"/questions/2$"))

    page.goto(re.sub(r"/questions/\d+$", "/questions/1", page.url))
    expect(page).to_have_url(re.compile(r"/questions/2$"))

    expect(page).to_have_url(re.compile(r"/questions/3$"), timeout=15000)
    with live.app.app_context():
        attempt = db.session.scalar(db.select(Attempt))
        services.settle(attempt)
        assert attempt.blueprint.seconds_per_question == 5
        assert attempt.items[0].choice is not None and attempt.items[1].choice is None
        assert attempt.current_position >= 2
