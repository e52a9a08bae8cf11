"""Test helpers that are not fixtures: the frozen clock, NIKs, records returned
by the factories, the JSON API client and the HTML login helper.

Tests import these by name (`from helpers import Api, nik_for`); the fixtures
that build on them live in `conftest.py`.
"""
import itertools
import re
import secrets
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from databases import database_uri
from flask import Flask, has_app_context
from flask.testing import FlaskClient

import core.clock
from core.extensions import db
from proctoring.analysis import embed_fake_scenario

REAL_NOW_UTC = core.clock.now_utc
PASSWORD = "correct-horse-battery-staple"
# A Monday, 09:00 in Jakarta: every test starts here unless it moves the clock.
FROZEN_START = datetime(2026, 3, 2, 2, 0, 0)
API = "/api/v1"


# --------------------------------------------------------------------------- clock


class FrozenClock:
    """Stands in for `core.clock.now_utc` in every module that imported it by name."""

    def __init__(self, start: datetime, monkeypatch: pytest.MonkeyPatch):
        self.now = start
        self._monkeypatch = monkeypatch
        self._patched: set[str] = set()

    def __call__(self) -> datetime:
        return self.now

    def install(self) -> None:
        """Patch `now_utc` in every loaded module that imported it by name.
        Called again after `create_app`, which imports the views lazily.

        A module first imported while `core.clock` is patched picks up a
        FrozenClock (this test's or, if nobody undid it, an earlier one's) rather
        than the real function; it is reset to the real one first, so that undoing
        the patch at teardown leaves the real function behind."""
        for name, module in list(sys.modules.items()):
            current = getattr(module, "now_utc", None)
            if name in self._patched or not (current is REAL_NOW_UTC or isinstance(current, FrozenClock)):
                continue
            module.now_utc = REAL_NOW_UTC
            self._monkeypatch.setattr(module, "now_utc", self)
            self._patched.add(name)

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return self.now

    def advance(self, **delta) -> datetime:
        """Move time forward, e.g. `clock.advance(minutes=15, seconds=1)`."""
        self.now += timedelta(**delta)
        return self.now

    def today(self) -> date:
        return self.now.date()


@contextmanager
def app_context(app: Flask):
    """Reuse the test's app context if it has one, else open a short one."""
    if has_app_context():
        yield
    else:
        with app.app_context():
            yield


# --------------------------------------------------------------------------- NIK and dates


_serials = itertools.count(1)


def nik_for(born: date, female: bool = False, province: int = 31, serial: int | None = None) -> str:
    """A valid NIK: province (11-94), regency, district, DDMMYY (+40 on the day
    for women), then a 4-digit serial (unique per call unless given)."""
    day = born.day + 40 if female else born.day
    number = next(_serials) % 10000 if serial is None else serial
    return f"{province:02d}7401{day:02d}{born.month:02d}{born.year % 100:02d}{number:04d}"


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 Feb for a 29 Feb start)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    password: str
    full_name: str
    role: str
    application_id: int | None = None
    nik: str | None = None


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    code: str
    version_id: int
    topic: str
    classes: tuple[str, ...]
    correct_index: int
    correct_token: str
    explanation_token: str
    data: dict = field(repr=False, hash=False, compare=False)


_codes = itertools.count(1)


def question_data(*, topic: str = "regulations", classes=("A",), code: str | None = None, option_count: int = 4,
                  correct_index: int = 0, image: str | None = None) -> dict:
    """A valid question in the data-file format. The correct option's text alone
    carries `KEY-<token>` and the explanation `EXPLAIN-<token>`, so a test can
    tell them apart in any output."""
    code = code or f"T-{next(_codes):05d}"
    token = secrets.token_hex(6)
    options = [
        {"id": f"Pilihan salah {i} untuk {code}", "en": f"Wrong option {i} for {code}", "correct": False}
        for i in range(option_count)
    ]
    options[correct_index] = {"id": f"Jawaban KEY-{token}", "en": f"Answer KEY-{token}", "correct": True}
    return {
        "code": code,
        "topic": topic,
        "classes": list(classes),
        "image": image,
        "text": {"id": f"Pertanyaan {code}?", "en": f"Question {code}?"},
        "options": options,
        "explanation": {"id": f"Penjelasan EXPLAIN-{token}", "en": f"Explanation EXPLAIN-{token}"},
        "reference": "UU No. 22 Tahun 2009",
    }


def correct_token_of(data: dict) -> str:
    return "KEY-" + next(o["en"] for o in data["options"] if o["correct"]).split("KEY-")[1]


# --------------------------------------------------------------------------- JSON API


class Api:
    """JSON calls to /api/v1 with the CSRF header on every state-changing request."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self._csrf: str | None = None

    @staticmethod
    def url(path: str) -> str:
        return path if path.startswith("/api/") else API + path

    def csrf_token(self) -> str:
        if self._csrf is None:
            self._csrf = self.client.get(self.url("/session")).get_json()["csrf_token"]
        return self._csrf

    def _headers(self, csrf: bool, headers: dict | None) -> dict:
        headers = dict(headers or {})
        if csrf:
            headers["X-CSRFToken"] = self.csrf_token()
        return headers

    def get(self, path: str, **kwargs):
        return self.client.get(self.url(path), **kwargs)

    def post(self, path: str, json=None, *, csrf: bool = True, headers: dict | None = None, **kwargs):
        return self.client.post(self.url(path), json=json, headers=self._headers(csrf, headers), **kwargs)

    def delete(self, path: str, *, csrf: bool = True, headers: dict | None = None, **kwargs):
        return self.client.delete(self.url(path), headers=self._headers(csrf, headers), **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post("/session", {"email": email, "password": password})
        if response.status_code == 200:
            self._csrf = response.get_json()["csrf_token"]
        return response

    # exam shortcuts

    def start(self, application_id: int, consent=True):
        return self.post("/attempts", {"application_id": application_id, "consent": consent})

    def state(self, public_id: str):
        return self.get(f"/attempts/{public_id}")

    def question(self, public_id: str, number: int):
        return self.get(f"/attempts/{public_id}/questions/{number}")

    def answer(self, public_id: str, number: int, option):
        return self.post(f"/attempts/{public_id}/questions/{number}/answer", {"option": option})

    def skip(self, public_id: str, number: int):
        return self.post(f"/attempts/{public_id}/questions/{number}/skip")

    def flag(self, public_id: str, number: int, flagged):
        return self.post(f"/attempts/{public_id}/questions/{number}/flag", {"flagged": flagged})

    def submit(self, public_id: str):
        return self.post(f"/attempts/{public_id}/submit")

    def result(self, public_id: str):
        return self.get(f"/attempts/{public_id}/result")


def api_login(client: FlaskClient, account: Account) -> Api:
    """Sign `account` in on `client` through POST /api/v1/session; fails the test if refused."""
    api = Api(client)
    response = api.login(account.email, account.password)
    assert response.status_code == 200, response.get_json()
    return api


# --------------------------------------------------------------------------- HTML forms


CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=[\"']csrf_token[\"'][^>]*>", re.IGNORECASE)
VALUE_ATTR = re.compile(r"\bvalue=[\"']([^\"']+)[\"']", re.IGNORECASE)


def csrf_from_html(html: str) -> str:
    """The value of the page's hidden `csrf_token` input."""
    tag = CSRF_INPUT.search(html)
    assert tag, "the page has no csrf_token input"
    value = VALUE_ATTR.search(tag.group(0))
    assert value, "the csrf_token input has no value"
    return value.group(1)


def form_login(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str | None = None):
    """Sign in through the real /login page: read its CSRF token, post the form.
    Needs templates/accounts/login.html."""
    page = client.get("/login")
    assert page.status_code == 200, page.status_code
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data={"email": email, "password": password,
                                  "csrf_token": csrf_from_html(page.get_data(as_text=True))})


# --------------------------------------------------------------------------- exam oracles


def _attempt(public_id: str):
    from exam.models import Attempt

    return db.session.scalar(db.select(Attempt).where(Attempt.public_id == public_id))


def answer_key(app: Flask, public_id: str) -> list[int]:
    """The displayed option that is correct for each question of an attempt, read
    on the server side (a test oracle, never from the API)."""
    with app_context(app):
        return [item.option_order.index(item.version.correct_index) for item in _attempt(public_id).items]


def paper_question_ids(app: Flask, public_id: str) -> list[int]:
    with app_context(app):
        return [item.version.question_id for item in _attempt(public_id).items]


def wrong_choice(correct: int, option_count: int = 4) -> int:
    return (correct + 1) % option_count


def testing_config(tmp_path, *, migrated: bool = True) -> dict:
    """The tests' app settings; the database is `databases.database_uri`'s (SQLite, or
    a PostgreSQL database of the test's own in the suite's PostgreSQL pass)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path, migrated=migrated),
        "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PUBLIC_HOLIDAYS": "",
        "EXAM_SWEEP_INTERVAL": 0,
        # Fixtures make many applicants born on one day; the limit has its own tests.
        "REGISTER_NIK_PREFIX_LIMIT": 10_000,
        # SESSION_COOKIE_SECURE stays True: Werkzeug's test client sends Secure
        # cookies over http://localhost, so tests run with the production setting.
    }


# --------------------------------------------------------------------------- the camera check (fake analyzer)

FAKE_BASE_JPEG = (Path(__file__).parent / "proctoring" / "data" / "frame_640x480.jpg").read_bytes()
FAKE_FRONT = {"box": [0.3, 0.2, 0.4, 0.55], "confidence": 0.98, "yaw": 0.0, "pitch": 0.0}


def post_check(api: Api, application_id: int, data: bytes, *, preview: bool = False):
    suffix = "/preview" if preview else ""
    return api.client.post(f"{API}/applications/{application_id}/system-check{suffix}", data=data,
                           content_type="image/jpeg", headers={"X-CSRFToken": api.csrf_token()})


# The head pose the fake analyzer sees for each instruction of the liveness step.
MOVES = {"face_camera": {}, "turn_left": {"yaw": 30.0}, "turn_right": {"yaw": -30.0}, "look_up": {"pitch": 25.0}}


def moving(instruction: str, **scenario) -> bytes:
    """A frame in which the applicant follows `instruction` (see MOVES)."""
    return embed_fake_scenario(FAKE_BASE_JPEG, faces=[{**FAKE_FRONT, **MOVES[instruction]}], **scenario)


def post_liveness(api: Api, check_id: int, data: bytes):
    return api.client.post(f"{API}/system-checks/{check_id}/liveness", data={"frame": (BytesIO(data), "frame.jpg")},
                           content_type="multipart/form-data", headers={"X-CSRFToken": api.csrf_token()})


def follow_liveness(api: Api, check: dict, limit: int = 20) -> dict:
    """Make every movement the liveness step asks for, one frame each; the last answer."""
    answer = check["liveness"]
    for _ in range(limit):
        if answer["status"] != "pending":
            return answer
        response = post_liveness(api, check["check"], moving(answer["instruction"]))
        assert response.status_code == 200, response.get_json()
        answer = response.get_json()
    raise AssertionError(f"the liveness step did not end in {limit} frames: {answer}")


def pass_check(api: Api, application_id: int, data: bytes | None = None) -> dict:
    """A camera check that passes: the reference photo, then the liveness step."""
    response = post_check(api, application_id, FAKE_BASE_JPEG if data is None else data)
    assert response.status_code == 201 and response.get_json()["passed"], response.get_json()
    check = response.get_json()
    if "liveness" in check:
        assert follow_liveness(api, check)["status"] == "passed"
    return check
