"""The liveness step in a real browser with the real vision code. Chromium's fake
camera plays Eileen Collins (scikit-image's astronaut) facing the camera, then her
head re-rendered turned to her left, facing again, then tipped up (looped); the
server asks for exactly those movements (the random challenge is fixed here, the
video cannot follow instructions), so the check passes and the exam starts. The
same photo held still — a stock photo before the camera — never gets past the
step: it times out and the start button stays disabled."""
import re

import pytest
from playwright.sync_api import expect

from browser.fake_camera import applicant_frame, turned_frames, write_y4m
from browser.test_proctoring import open_check
from core.extensions import db
from proctoring import liveness
from proctoring.analysis import LEFT, UP
from proctoring.models import SystemCheck

pytestmark = pytest.mark.browser
CONFIG = {"PROCTORING_REQUIRED": True, "PROCTOR_ANALYZER": "vision", "PROCTOR_SYNC_ANALYSIS": False,
          "PROCTOR_LIVENESS_SECONDS": 20}


@pytest.fixture
def server(tmp_path, monkeypatch):
    from browser.conftest import serve

    monkeypatch.setattr(liveness, "new_challenge", lambda length: liveness.Progress((LEFT, UP)))
    with serve(tmp_path, bank_multiplier=2, **CONFIG) as live:
        yield live


def take_photo_until_accepted(page, attempts: int = 4) -> None:
    """The looped video may be mid-movement when the photo is taken: then the photo is
    refused (not facing the camera) and taken again, as an applicant would. Returns
    once the photo and the movements are decided (the photo button is back)."""
    for _ in range(attempts):
        expect(page.locator("#check-face")).to_have_attribute("data-state", "ok", timeout=30000)
        page.click("#take-photo-button")
        expect(page.locator("#check-result")).not_to_have_attribute("data-passed", "", timeout=30000)
        page.wait_for_function("() => !document.getElementById('take-photo-button').disabled", timeout=60000)
        if page.locator('#check-result li[data-code="not_facing_camera"]').count() == 0:
            return
    raise AssertionError("no reference photo was accepted")


def checks(app) -> list[SystemCheck]:
    with app.app_context():
        return db.session.scalars(db.select(SystemCheck).order_by(SystemCheck.id)).all()


def test_following_the_movements_opens_the_exam(server, camera_browser, tmp_path):
    turned = turned_frames()
    video = write_y4m(tmp_path / "moving.y4m", [(applicant_frame(), 4.0), (turned["left"], 1.2),
                                                (applicant_frame(), 1.2), (turned["up"], 1.2)])
    context, page = open_check(camera_browser(video), server, "gerak@example.id", 11)
    expect(page.locator("#start-button")).to_be_disabled()
    take_photo_until_accepted(page)
    expect(page.locator("#check-result")).to_have_attribute("data-passed", "true", timeout=30000)
    expect(page.locator("#start-button")).to_be_enabled()
    last = checks(server.app)[-1]
    assert last.passed and last.liveness_status == "passed" and last.liveness["done"] == 2
    page.check("#consent")
    page.click("#start-button")
    expect(page).to_have_url(re.compile(r"/questions/1$"))
    context.close()


def test_a_still_photo_never_passes_the_movements(server, camera_browser, tmp_path):
    video = write_y4m(tmp_path / "still.y4m", [(applicant_frame(), 1.0)])
    context, page = open_check(camera_browser(video), server, "diam@example.id", 12)
    expect(page.locator("#check-face")).to_have_attribute("data-state", "ok", timeout=30000)
    page.click("#take-photo-button")
    expect(page.locator("#check-liveness")).to_be_visible(timeout=30000)
    expect(page.locator("#check-liveness")).to_have_attribute("data-instruction", re.compile("turn_left"))
    expect(page.locator("#check-result")).to_have_attribute("data-passed", "false", timeout=60000)
    expect(page.locator('#check-result li[data-code="timed_out"]')).to_have_count(1)
    expect(page.locator("#start-button")).to_be_disabled()
    last = checks(server.app)[-1]
    assert last.passed and last.liveness_status == "failed" and last.liveness["done"] == 0
    assert last.liveness_frames >= 10  # it kept sending frames; none showed a movement
    context.close()
