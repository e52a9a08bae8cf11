"""Fixtures: a fresh SQLite database per test, a frozen clock, factories that
return callables, role fixtures and signed-in API clients.

No app context is held open while the test client runs: Flask would reuse it
for every request, and `g` (where Flask-Login keeps the signed-in user) would
then leak from one request to the next. Factories open a short context of
their own and return plain records (`helpers.Account`, `helpers.QuestionRecord`);
service-level tests ask for `app_ctx`.
"""
import functools
import itertools
import os
from datetime import date

import databases
import pytest
from flask import Flask
from flask.testing import FlaskClient

import accounts.models
from app import create_app
from core.extensions import db
from helpers import (
    FROZEN_START,
    PASSWORD,
    Account,
    Api,
    FrozenClock,
    QuestionRecord,
    api_login,
    app_context,
    correct_token_of,
    nik_for,
    question_data,
    testing_config,
    years_before,
)

# Webcam proctoring in tests: off unless a test's app config sets PROCTORING_REQUIRED
# (tests/proctoring/ and tests/browser/test_proctoring.py do); the fake analyzer, run
# inline. Set here, before any app exists, so apps built outside `testing_config`
# (route-access, PostgreSQL, browser, CLI) get the same defaults.
os.environ.setdefault("PROCTORING_REQUIRED", "0")
os.environ.setdefault("PROCTOR_ANALYZER", "fake")
os.environ.setdefault("PROCTOR_SYNC_ANALYSIS", "1")


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    """Time stands still at FROZEN_START (a Monday) until the test moves it."""
    frozen = FrozenClock(FROZEN_START, monkeypatch)
    frozen.install()
    return frozen


@pytest.fixture(autouse=True, scope="session")
def _hash_each_password_once():
    """scrypt costs ~80 ms; hash each distinct test password once per session.
    The stored value is still a real scrypt hash that `check_password` verifies."""
    real = accounts.models.generate_password_hash
    accounts.models.generate_password_hash = functools.lru_cache(maxsize=None)(real)
    yield
    accounts.models.generate_password_hash = real


# The suite's PostgreSQL pass leaves out tests/vision: pure functions over pixels, no database.
collect_ignore = ["vision"] if databases.ON_POSTGRESQL else []


@pytest.fixture(autouse=True)
def _test_databases():
    """In the suite's PostgreSQL pass, the databases a test made are dropped after it."""
    yield
    databases.drop_test_databases()


def pytest_sessionfinish(session, exitstatus):
    databases.close()


def _serve(application: Flask, clock: FrozenClock, *, schema: bool):
    clock.install()
    if schema:
        with application.app_context():
            db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def bare_app(tmp_path, clock) -> Flask:
    """The app on an empty database with no tables (for migration tests)."""
    yield from _serve(create_app(testing_config(tmp_path, migrated=False)), clock, schema=False)


@pytest.fixture
def app(tmp_path, clock) -> Flask:
    """The app on a database with the schema and no rows."""
    yield from _serve(create_app(testing_config(tmp_path)), clock, schema=True)


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    """An app context for the whole test, for service-level tests (never use the
    test client inside it, see the module docstring)."""
    with app.app_context():
        yield app


# --------------------------------------------------------------------------- factories


@pytest.fixture
def make_question(app):
    """`make_question(topic="regulations", classes=("A",), correct_index=0, ...)`
    saves one active question through `question_bank.services.upsert_question`."""
    from question_bank.models import Question
    from question_bank.services import upsert_question

    def make(topic: str = "regulations", classes=("A",), **kwargs) -> QuestionRecord:
        data = question_data(topic=topic, classes=classes, **kwargs)
        with app_context(app):
            upsert_question(data)
            db.session.commit()
            question = db.session.scalar(db.select(Question).where(Question.code == data["code"]))
            token = correct_token_of(data)
            return QuestionRecord(question.id, data["code"], question.current_version_id, topic, tuple(classes),
                                  kwargs.get("correct_index", 0), token, token.replace("KEY-", "EXPLAIN-"), data)

    return make


@pytest.fixture
def make_bank(app, make_question):
    """`make_bank(per_topic=None, classes=("A",))`: active questions for every topic
    of the default blueprint (exactly its count per topic, or `per_topic` each),
    plus the default blueprints. Returns the `QuestionRecord`s."""
    from exam.blueprints import DEFAULT_TOPIC_COUNTS, ensure_default_blueprints

    def make(per_topic: int | None = None, classes=("A",), topic_counts=None, **kwargs) -> list[QuestionRecord]:
        counts = topic_counts or DEFAULT_TOPIC_COUNTS
        made = [
            make_question(topic=topic, classes=classes, **kwargs)
            for topic, count in counts.items()
            for _ in range(count if per_topic is None else per_topic)
        ]
        with app_context(app):
            ensure_default_blueprints()
        return made

    return make


_emails = itertools.count(1)


@pytest.fixture
def make_applicant(app, clock):
    """`make_applicant(sim_class="A", born=None, ...)` registers through
    `accounts.services.register_applicant`; `born` defaults to 30 years ago."""
    from accounts.services import HeldClass, register_applicant
    from exam.models import Application

    def make(sim_class: str = "A", born: date | None = None, *, email: str | None = None,
             password: str = PASSWORD, full_name: str = "Budi Santoso", female: bool = False,
             held: list[HeldClass] | None = None, nik: str | None = None) -> Account:
        born = born or years_before(clock.today(), 30)
        email = email or f"applicant{next(_emails)}@example.test"
        nik = nik or nik_for(born, female=female)
        with app_context(app):
            user = register_applicant(full_name=full_name, nik=nik, born=born, email=email, password=password,
                                      sim_class=sim_class, held=held or [])
            application_id = db.session.scalar(db.select(Application.id).where(Application.user_id == user.id))
            return Account(user.id, user.email, password, user.full_name, user.role, application_id, nik)

    return make


@pytest.fixture
def make_user(app):
    """`make_user(role)`: an account through `accounts.services.create_user`."""
    from accounts.services import create_user

    def make(role: str, *, email: str | None = None, password: str = PASSWORD, full_name: str | None = None) -> Account:
        email = email or f"{role}{next(_emails)}@example.test"
        with app_context(app):
            user = create_user(email=email, password=password, full_name=full_name or f"{role.title()} Test", role=role)
            return Account(user.id, user.email, password, user.full_name, user.role)

    return make


# --------------------------------------------------------------------------- roles


@pytest.fixture
def applicant(make_applicant) -> Account:
    return make_applicant(full_name="Budi Santoso")


@pytest.fixture
def adversary(make_applicant) -> Account:
    """Another applicant, who tries to reach the first one's exam."""
    return make_applicant(full_name="Eko Penyusup")


@pytest.fixture
def examiner(make_user) -> Account:
    return make_user("examiner")


@pytest.fixture
def staff(make_user) -> Account:
    return make_user("staff")


@pytest.fixture
def admin(make_user) -> Account:
    return make_user("admin")


# --------------------------------------------------------------------------- API clients


@pytest.fixture
def api(client) -> Api:
    """An anonymous JSON API client (sign in with `api.login(email, password)`)."""
    return Api(client)


@pytest.fixture
def applicant_api(app, applicant) -> Api:
    return api_login(app.test_client(), applicant)


@pytest.fixture
def adversary_api(app, adversary) -> Api:
    return api_login(app.test_client(), adversary)


# --------------------------------------------------------------------------- exams


@pytest.fixture
def bank(make_bank):
    return make_bank()


@pytest.fixture
def started(bank, applicant, applicant_api):
    """An attempt in progress (free navigation, default blueprint)."""
    response = applicant_api.start(applicant.application_id)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --------------------------------------------------------------------------- migrations and PostgreSQL


@pytest.fixture
def keep_logging_configuration():
    """Logging as it was before the test, whatever migrations/env.py did to it."""
    with databases.logging_kept():
        yield


@pytest.fixture
def postgres_url(keep_logging_configuration):
    """A new, empty PostgreSQL database on the TEST_DATABASE_URL server, dropped after
    the test (`.ci/run` starts the server on loopback); skips where none is set."""
    if databases.server_url() is None:
        pytest.skip("TEST_DATABASE_URL (PostgreSQL) not set")
    return databases.postgres().new(migrated=False)


# --------------------------------------------------------------------------- Redis


@pytest.fixture
def redis_server(tmp_path):
    """A real redis-server on loopback for this test (`services.RedisServer`); skipped
    with the reason where Debian's redis-server is missing, failed when CI is set."""
    from services import RedisServer

    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
