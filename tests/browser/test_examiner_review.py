"""An examiner reviews in a real browser: the queue puts the riskiest exam first;
on its session page the examiner steps through the flags with j / k, confirms one
with c, jumps to a flag from the timeline, invalidates the exam with i and a reason;
the applicant then sees the outcome on the result page, and the public page says
the result is invalidated.

Exams are sat on the server side with the fake analyzer (frames carry what it
should see), under a frozen clock so frames, events and answers spread over minutes.
"""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.services import create_user, register_applicant
from core.extensions import db
from exam import services as exam_services
from exam.models import Attempt
from helpers import FROZEN_START
from proctoring import services as proctor_services
from proctoring.analysis import embed_fake_scenario
from proctoring.models import ProctorFlag

pytestmark = pytest.mark.browser
PASSWORD = "review-browser-pass"
JPEG = (Path(__file__).resolve().parent.parent / "proctoring" / "data" / "frame_640x480.jpg").read_bytes()
FRONT = {"box": [0.3, 0.2, 0.4, 0.55], "confidence": 0.98, "yaw": 0.0, "pitch": 0.0}
SECOND = {"box": [0.75, 0.3, 0.15, 0.2], "confidence": 0.9, "yaw": 5.0, "pitch": 0.0}


@pytest.fixture
def review_server(tmp_path, clock):
    from browser.conftest import serve

    # The camera check is taken in the services (the photo only: the liveness step has its own tests).
    with serve(tmp_path, bank_multiplier=1, PROCTORING_REQUIRED=True, PROCTOR_ANALYZER="fake",
               PROCTOR_SYNC_ANALYSIS=True, PROCTOR_LIVENESS_REQUIRED=False) as live:
        clock.install()  # the views were imported by create_app
        yield live


def sit(app, clock, serial: int, name: str, frames: list[dict], events: list[tuple[str, int]]) -> str:
    """Register, pass the camera check, sit the exam (all answers right, a clean frame
    every 5 s while answering), submit."""
    with app.app_context():
        born = date(1991, 5, 17)
        user = register_applicant(full_name=name, nik=f"317401{born.day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}",
                                  born=born, email=f"applicant{serial}@t.id", password=PASSWORD, sim_class="A", held=[])
        application = exam_services.latest_application(user, "A")
        check, _ = proctor_services.run_system_check(user, application, JPEG)
        assert check.passed
        attempt = exam_services.start_attempt(user, application, consent=True)
        start = clock.now
        for sequence, scenario in enumerate(frames, start=1):
            clock.advance(seconds=5)
            data = embed_fake_scenario(JPEG, **scenario) if scenario else JPEG
            proctor_services.ingest_frame(attempt, data, sequence, clock.now)
        if events:
            clock.set(max(clock.now, start + timedelta(seconds=max(s for _, s in events))))
            proctor_services.ingest_events(attempt, [
                {"id": f"e{n}", "type": kind, "at": (start + timedelta(seconds=s)).isoformat() + "Z"}
                for n, (kind, s) in enumerate(events)])
        sequence, last_frame = len(frames), clock.now
        for item in attempt.items:
            clock.advance(seconds=3)
            if clock.now - last_frame >= timedelta(seconds=5):  # the camera keeps sending clean frames
                sequence, last_frame = sequence + 1, clock.now
                proctor_services.ingest_frame(attempt, JPEG, sequence, clock.now)
            exam_services.answer(attempt, item.position, item.option_order.index(item.version.correct_index))
        exam_services.submit(attempt)
        return attempt.public_id


def sign_in(browser, base_url: str, email: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def test_examiner_steps_through_flags_and_invalidates_the_top_risk_exam(review_server, browser, clock):
    live = review_server
    clock.set(FROZEN_START)
    two = {"faces": [FRONT, SECOND]}
    risky = sit(live.app, clock, 1, "Rudi Berisiko", [{}, two, two, two, {"faces": []}, {"faces": []}, {}],
                [("tab_hidden", 50), ("tab_visible", 95), ("copy", 60)])
    medium = sit(live.app, clock, 2, "Maya Sedang", [{"faces": []}, {"faces": []}, {}], [])
    sit(live.app, clock, 3, "Bersih Sekali", [{}, {}], [])  # auto-cleared at submission
    with live.app.app_context():
        create_user(email="examiner@t.id", password=PASSWORD, full_name="Penguji Satu", role="examiner")
        attempt_id = db.session.scalar(db.select(Attempt.id).where(Attempt.public_id == risky))
        flag_ids = list(db.session.scalars(db.select(ProctorFlag.id).where(ProctorFlag.attempt_id == attempt_id)
                                           .order_by(ProctorFlag.started_at, ProctorFlag.id)))
    assert len(flag_ids) >= 3

    examiner = sign_in(browser, live.url, "examiner@t.id")
    problems = []
    examiner.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    examiner.goto(f"{live.url}/review")
    rows = examiner.locator("#queue-table tbody tr")
    expect(rows).to_have_count(2)  # the clean exam was cleared by the system
    expect(rows.first).to_have_attribute("data-attempt", risky)
    expect(rows.nth(1)).to_have_attribute("data-attempt", medium)
    rows.first.locator("a.open-session").click()
    expect(examiner).to_have_url(re.compile(rf"/review/sessions/{risky}$"))
    expect(examiner.locator("#claim-banner")).to_have_class(re.compile("claim-mine"))
    expect(examiner.locator(".flag-card")).to_have_count(len(flag_ids))
    expect(examiner.locator("#session-timeline")).to_be_visible()

    # j / k step through the flags; the current card has the focus.
    cards = examiner.locator(".flag-card")
    examiner.keyboard.press("j")
    expect(cards.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    expect(cards.nth(0)).to_be_focused()
    examiner.keyboard.press("j")
    examiner.keyboard.press("j")
    expect(cards.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
    expect(examiner.locator("#flag-position")).to_have_text(f"#3 / {len(flag_ids)}")
    examiner.keyboard.press("k")
    expect(cards.nth(1)).to_be_focused()
    examiner.keyboard.press("c")  # confirm the current flag, without leaving the page
    expect(cards.nth(1)).to_have_attribute("data-mark", "confirmed")
    expect(cards.nth(1).locator(".flag-mark-state")).to_contain_text("Penguji Satu")

    # The timeline's marks jump to their flag.
    examiner.locator(f'#session-timeline a[href="#flag-{flag_ids[-1]}"]').first.click()
    expect(examiner).to_have_url(re.compile(rf"#flag-{flag_ids[-1]}$"))
    expect(cards.nth(len(flag_ids) - 1)).to_have_class(re.compile(r"\bcurrent\b"))

    # Evidence pictures load from proctoring's overlay URL (and the reference photo from ours).
    evidence = examiner.locator(".frame-evidence img").first
    evidence.scroll_into_view_if_needed()
    examiner.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=evidence.element_handle())
    assert "/proctoring/evidence/" in evidence.get_attribute("src")
    examiner.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=examiner.locator("#reference-photo").element_handle())

    # i: invalid, with the focus on the reason; reasons that do not fit are disabled.
    examiner.keyboard.press("i")
    expect(examiner.locator("#outcome-invalid")).to_be_checked()
    expect(examiner.locator("#reason")).to_be_focused()
    expect(examiner.locator('#reason option[value="no_issue"]')).to_be_disabled()
    examiner.select_option("#reason", "another_person")
    examiner.fill("#note", "A second person sits beside the applicant.")
    examiner.click("#decide-button")
    expect(examiner).to_have_url(re.compile(r"/review$"))
    expect(examiner.locator(".flash-success")).to_be_visible()
    expect(examiner.locator("#queue-table tbody tr")).to_have_count(1)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems

    # The applicant sees the outcome and the reason category; the public page says invalidated.
    applicant = sign_in(browser, live.url, "applicant1@t.id")
    applicant.goto(f"{live.url}/exam/attempts/{risky}/result")
    expect(applicant.locator("#review-status")).to_have_attribute("data-certificate", "invalidated")
    expect(applicant.locator("#review-reason")).to_have_attribute("data-reason", "another_person")
    expect(applicant.locator("#review-reason")).to_have_text("Ada orang lain")
    code = applicant.locator("#verification-code").inner_text().strip()
    applicant.click("#verify-link")
    expect(applicant).to_have_url(re.compile(f"/verify/{code}$"))
    expect(applicant.locator("#verify-status")).to_have_attribute("data-status", "invalidated")
    examiner.context.close()
    applicant.context.close()
