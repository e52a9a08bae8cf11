"""The webcam proctor in a real browser with the real vision code: Chromium's fake
camera plays a Y4M video built from package photos (tests/browser/fake_camera.py).

1. A single still face: the camera check passes, the exam runs with frames every
   second (a few seconds offline lose none of them), and no face flag is raised.
2. The video switches from the applicant alone to two people, then to nobody (and
   the applicant copies with Ctrl+C and reloads the page): the attempt ends with
   multiple-faces, no-face and copy flags, evidence frames kept, and a higher risk
   score than the first run.
"""
import re
import time
from datetime import date

import pytest
from playwright.sync_api import expect

from browser.fake_camera import (
    applicant_frame,
    empty_frame,
    two_people_frame,
    write_y4m,
)
from core.extensions import db
from exam.models import Attempt
from proctoring.models import (
    BrowserEventRecord,
    Frame,
    ProctorFlag,
    ProctorSession,
    SystemCheck,
)

pytestmark = pytest.mark.browser
FACE_FLAGS = {"no_face", "multiple_faces", "identity_mismatch", "looking_away"}
# A still video cannot make the liveness step's movements: these runs take the photo
# alone, and tests/browser/test_liveness.py takes the movements.
PROCTORED = {
    "PROCTORING_REQUIRED": True, "PROCTOR_ANALYZER": "vision", "PROCTOR_SYNC_ANALYSIS": False,
    "PROCTOR_FRAME_INTERVAL_SECONDS": 1.0, "PROCTOR_FRAME_JITTER_SECONDS": 0.2, "PROCTOR_LIVENESS_REQUIRED": False,
}


@pytest.fixture
def proctored_server(tmp_path):
    from browser.conftest import serve

    with serve(tmp_path, bank_multiplier=2, **PROCTORED) as live:
        yield live


def register(page, base_url: str, email: str, serial: int) -> None:
    born = date(1994, 7, 12)
    page.goto(f"{base_url}/register")
    page.fill("#full_name", "Eileen Collins")
    page.fill("#nik", f"317401{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}")  # a woman
    page.fill("#date_of_birth", born.isoformat())
    page.select_option("#sex", "P")
    page.fill("#email", email)
    page.fill("#password", "kata-sandi-aman-1")
    page.fill("#confirm", "kata-sandi-aman-1")
    page.select_option("#sim_class", "A")
    page.check("#accept_terms")
    page.click("#register-button")
    expect(page).to_have_url(re.compile(r"/exam$"))


def open_check(browser, live, email: str, serial: int):
    """A new applicant on the exam's start page with the camera on: (context, page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(20000)
    register(page, live.url, email, serial)
    page.click("a.start-exam")
    expect(page.locator("#check-camera")).to_have_attribute("data-state", "ok")
    return context, page


def frames_received(app, public_id: str) -> int:
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        return db.session.scalar(db.select(db.func.count(Frame.id)).where(Frame.attempt_id == attempt.id))


def take_supervised_exam(browser, live, email: str, serial: int, frames_wanted: int, misbehave: bool = False,
                         offline_seconds: float = 0) -> str:
    """Register, pass the camera check, start, stay on the questions until the server
    has `frames_wanted` frames, submit. Returns the attempt's public id. `misbehave`:
    copy with Ctrl+C and reload the page on the way; `offline_seconds`: lose the
    connection for that long once the first frames have arrived."""
    # The system check: camera on, live feedback, reference photo checked on the server.
    context, page = open_check(browser, live, email, serial)
    expect(page.locator("#start-button")).to_be_disabled()
    expect(page.locator("#check-face")).to_have_attribute("data-state", "ok", timeout=30000)
    page.click("#take-photo-button")
    expect(page.locator("#check-result")).to_have_attribute("data-passed", "true", timeout=30000)
    expect(page.locator("#start-button")).to_be_enabled()
    page.check("#consent")
    page.click("#start-button")
    expect(page).to_have_url(re.compile(r"/questions/1$"))
    public_id = re.search(r"/attempts/([0-9a-f]+)/", page.url).group(1)

    page.locator("label.option").first.click()
    expect(page.locator("#save-status")).to_have_text("Tersimpan")
    if misbehave:
        page.keyboard.press("Control+c")
        page.reload()
        expect(page.locator("#proctor-script")).to_have_count(1)
    deadline = time.monotonic() + frames_wanted * 3 + 30
    if offline_seconds:
        while frames_received(live.app, public_id) < 2:
            assert time.monotonic() < deadline, "no frames arrived"
            page.wait_for_timeout(250)
        context.set_offline(True)
        page.wait_for_timeout(offline_seconds * 1000)
        context.set_offline(False)
    while frames_received(live.app, public_id) < frames_wanted:
        assert time.monotonic() < deadline, f"only {frames_received(live.app, public_id)} frames arrived"
        page.wait_for_timeout(500)
    page.click("#review-button")
    page.click("#submit-button")
    expect(page).to_have_url(re.compile(r"/result$"))
    context.close()
    live.app.extensions["proctor_pool"].shutdown(wait=True)  # every queued frame analysed
    return public_id


def outcome(app, public_id: str) -> dict:
    with app.app_context():
        attempt = db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))
        session = db.session.scalar(db.select(ProctorSession).where(ProctorSession.attempt_id == attempt.id))
        frames = db.session.scalars(db.select(Frame).where(Frame.attempt_id == attempt.id)).all()
        flags = db.session.scalars(db.select(ProctorFlag).where(ProctorFlag.attempt_id == attempt.id)).all()
        events = db.session.scalars(db.select(BrowserEventRecord.kind)
                                    .where(BrowserEventRecord.attempt_id == attempt.id)).all()
        check = db.session.get(SystemCheck, session.check_id)
        return {
            "risk": session.risk_score, "kinds": {f.kind for f in flags}, "flags": flags, "events": set(events),
            "statuses": {f.status for f in frames}, "frames": len(frames),
            "sequences": sorted(f.sequence for f in frames),
            "longest_delay": max((f.received_at - f.captured_at).total_seconds() for f in frames),
            "evidence": [f for f in frames if f.is_evidence], "kept": [f for f in frames if f.path],
            "check_passed": check.passed, "attempt_state": attempt.state,
        }


def test_still_face_then_two_faces_and_nobody(proctored_server, camera_browser, tmp_path):
    live = proctored_server
    still = write_y4m(tmp_path / "still.y4m", [(applicant_frame(), 1.0)])
    first = take_supervised_exam(camera_browser(still), live, "collins1@example.id", 1, frames_wanted=8,
                                 offline_seconds=3.5)
    calm = outcome(live.app, first)
    # Frames taken while offline were queued and sent later: no sequence number is missing.
    assert calm["sequences"] == list(range(1, max(calm["sequences"]) + 1))
    assert calm["longest_delay"] >= 2
    assert calm["check_passed"] and calm["attempt_state"] == "submitted"
    assert calm["statuses"] == {"analyzed"} and calm["frames"] >= 8
    assert not calm["kinds"] & FACE_FLAGS, calm["kinds"]
    assert calm["evidence"] == [] and calm["kept"] == []  # clean frames are deleted once analysed

    # Alone for 6 s (the camera check happens here), two people for 4 s, nobody for 5 s; looped.
    story = write_y4m(tmp_path / "story.y4m",
                      [(applicant_frame(), 6.0), (two_people_frame(), 4.0), (empty_frame(), 5.0)])
    second = take_supervised_exam(camera_browser(story), live, "collins2@example.id", 2, frames_wanted=18,
                                  misbehave=True)
    busy = outcome(live.app, second)
    assert busy["check_passed"] and busy["statuses"] == {"analyzed"}
    assert {"multiple_faces", "no_face"} <= busy["kinds"], busy["kinds"]
    multi = [f for f in busy["flags"] if f.kind == "multiple_faces"]
    assert all(f.severity == "high" and f.confidence >= 0.6 for f in multi)
    assert all(f.count >= 2 for f in busy["flags"] if f.kind == "no_face")
    evidence_ids = {frame_id for f in busy["flags"] for frame_id in f.frame_ids}
    assert evidence_ids and {f.id for f in busy["evidence"]} == evidence_ids
    assert "copy_paste" in busy["kinds"] and {"copy", "shortcut", "page_reload"} <= busy["events"]
    assert busy["risk"] > calm["risk"]
