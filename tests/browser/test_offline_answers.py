"""Answers given while the connection or the database is down are kept by the page and
sent again when it comes back: in a real browser, the network switched off (Playwright's
offline mode), the answer requests blocked (page.route abort), and the real database
locked by another writer (the server answers 503 with Retry-After). Each time the
page says it will retry, nothing reaches the database, and once restored the last
choice is stored: no answer lost."""
import re
from datetime import date

import pytest
from databases import writes_blocked
from playwright.sync_api import expect

from accounts.services import register_applicant
from browser.actions import sign_in
from core.extensions import db
from exam.models import Attempt

pytestmark = pytest.mark.browser
PASSWORD = "offline-answers-password"
OFFLINE = "Offline — akan dicoba lagi"
SAVED = "Tersimpan"


def choices(app) -> list[int | None]:
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt))
        choices = [item.choice for item in attempt.items]
        db.session.remove()
        return choices


def choose(page, key: int) -> None:
    page.locator(f"label[for=choice-{key}]").click()


def test_answers_given_offline_or_while_the_database_is_locked_are_sent_when_it_is_back(live_server, browser):
    live = live_server
    with live.app.app_context():
        register_applicant(full_name="Dewi Lestari", nik="3174015204960001", born=date(1996, 4, 12),
                           email="dewi@t.id", password=PASSWORD, sim_class="A", held=[])
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, live.url, "dewi@t.id", PASSWORD)
    page.click("a.start-exam")
    page.check("#consent")
    page.click("#start-button")
    expect(page).to_have_url(re.compile(r"/questions/1$"))
    status = page.locator("#save-status")

    # 1. The network is gone: two choices on question 1, the second replaces the first.
    context.set_offline(True)
    choose(page, 0)
    expect(status).to_have_text(OFFLINE)
    choose(page, 2)
    expect(status).to_have_text(OFFLINE)
    page.wait_for_timeout(2000)
    assert choices(live.app)[0] is None
    context.set_offline(False)  # the page's "online" handler sends what it kept
    expect(status).to_have_text(SAVED)
    assert choices(live.app)[0] == 2

    # 2. The answer requests are blocked (a flaky proxy) while the pages still load.
    page.goto(re.sub(r"/questions/\d+$", "/questions/2", page.url))
    page.route("**/answer", lambda route: route.abort("connectionfailed"))
    choose(page, 1)
    expect(status).to_have_text(OFFLINE)
    page.wait_for_timeout(6000)  # a retry (every 5 s) is refused too
    assert choices(live.app)[1] is None
    page.unroute("**/answer")
    expect(status).to_have_text(SAVED)  # the next retry goes through
    assert choices(live.app)[1] == 1

    # 3. The database is locked by another writer: the server answers 503, the page keeps it.
    page.goto(re.sub(r"/questions/\d+$", "/questions/3", page.url))
    with writes_blocked(live.app.config["SQLALCHEMY_DATABASE_URI"]):
        with page.expect_response(lambda response: response.url.endswith("/answer")) as refused:
            choose(page, 3)
        assert refused.value.status == 503 and refused.value.headers["retry-after"].isdigit()
        expect(status).to_have_text(OFFLINE)
    expect(status).to_have_text(SAVED)
    assert choices(live.app)[:3] == [2, 1, 3]

    # Reloading shows every choice the server kept.
    for number, key in ((1, 2), (2, 1), (3, 3)):
        page.goto(re.sub(r"/questions/\d+$", f"/questions/{number}", page.url))
        expect(page.locator(f"#choice-{key}")).to_be_checked()
    context.close()
