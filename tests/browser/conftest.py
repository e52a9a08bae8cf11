"""Real-browser fixtures: the app served on loopback in a thread, and Debian's Chromium
driven by Playwright (never a downloaded browser)."""
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from databases import database_uri
from werkzeug.serving import make_server

from app import create_app
from core.extensions import db
from core.sim_classes import CLASS_CODES
from exam.blueprints import DEFAULT_TOPIC_COUNTS, ensure_default_blueprints
from question_bank.services import upsert_question

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def generated_question(number: int, topic: str) -> dict:
    return {
        "code": f"GEN-{number:04d}", "topic": topic, "classes": list(CLASS_CODES), "image": None,
        "text": {"id": f"Pertanyaan uji nomor {number}?", "en": f"Test question number {number}?"},
        "options": [
            {"id": f"Jawaban benar {number}", "en": f"Right answer {number}", "correct": True},
            {"id": "Jawaban salah pertama", "en": "First wrong answer", "correct": False},
            {"id": "Jawaban salah kedua", "en": "Second wrong answer", "correct": False},
            {"id": "Jawaban salah ketiga", "en": "Third wrong answer", "correct": False},
        ],
        "explanation": {"id": "Penjelasan.", "en": "Explanation."}, "reference": "Uji",
    }


@contextmanager
def serve(tmp_path, bank_multiplier: int, **config):
    """The app on 127.0.0.1 with a generated bank of `bank_multiplier` x each topic's
    blueprint count (1 puts every question on every paper). `config` overrides the
    app's settings (webcam proctoring is off unless PROCTORING_REQUIRED=True is given:
    see tests/conftest.py)."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "browser-test", "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path, "b.db"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"), "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
        "REGISTER_NIK_PREFIX_LIMIT": 10_000, **config,
    })
    with app.app_context():
        db.create_all()
        number = 0
        for topic, count in DEFAULT_TOPIC_COUNTS.items():
            for _ in range(count * bank_multiplier):
                number += 1
                upsert_question(generated_question(number, topic))
        db.session.commit()
        ensure_default_blueprints()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield type("Live", (), {"url": f"http://127.0.0.1:{server.server_port}", "app": app})
    finally:
        server.shutdown()
        thread.join()
        app.extensions["proctor_pool"].shutdown(wait=True)


@pytest.fixture
def live_server(tmp_path):
    with serve(tmp_path, bank_multiplier=2) as live:
        yield live


@pytest.fixture
def live_server_small_bank(tmp_path):
    with serve(tmp_path, bank_multiplier=1) as live:
        yield live


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required for browser tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def camera_browser():
    """`camera_browser(video)`: Chromium whose webcam plays `video` (a .y4m file, looped)
    and whose camera permission is granted. Closed at the end of the test."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required for browser tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = []

        def launch(video: Path):
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                      f"--use-file-for-fake-video-capture={video}"])
            launched.append(browser)
            return browser

        yield launch
        for browser in launched:
            browser.close()
