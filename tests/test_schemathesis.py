"""Schemathesis over the whole JSON API, from its own OpenAPI document (/api/v1/openapi.json),
against the WSGI app in this process.

Every operation is fuzzed twice: signed out, and signed in as an applicant whose supervised
exam is running (camera check passed). Each run draws from schemathesis's positive data (valid
by the document) and negative data (violating it: wrong types, missing fields, out-of-range
numbers); signed in, half the cases use the applicant's real attempt, registration and camera
check ids, so the fuzzing reaches past the 404. Checks: no 5xx, the status code is documented,
the content type is, and the body matches the documented schema.

The stateful test follows the document's OpenAPI links (GET /applications -> start -> the
attempt's questions, answers, flags, skips, frames, events -> submit -> result -> verify), each
scenario on a fresh applicant.

Bounded and reproducible: at most EXAMPLES cases per operation and data kind, derandomized.
Each test records the number of requests it sent (`record_property("requests", ...)`, in the
JUnit XML) and fails when an operation was hardly exercised.
"""
from collections import Counter

import pytest
import schemathesis
from api_shared import QUESTIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from exam.openapi import openapi_document
from helpers import Api, api_login, pass_check

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
OPERATIONS = [(path, method) for path, item in openapi_document()["paths"].items() for method in item]
MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}


@pytest.fixture
def proctored(app):
    app.config.update(PROCTORING_REQUIRED=True, PROCTOR_ANALYZER="fake", PROCTOR_SYNC_ANALYSIS=True)
    return app


def load_schema(app, *, forge_credentials: bool):
    """The document as schemathesis reads it. With `forge_credentials`, schemathesis makes
    up the security schemes' values (a `session` cookie, an X-CSRFToken header); without,
    the caller sends its own session and a valid token."""
    config = schemathesis.Config()
    config.projects.default.generation.update(with_security_parameters=forge_credentials)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


@pytest.fixture
def schema(proctored):
    return load_schema(proctored, forge_credentials=False)


class Caller:
    """Sends schemathesis cases through one Flask test client (its cookies are the session),
    with a valid CSRF token and the client's own User-Agent (sign-in binds the session to it:
    Flask-Login's strong session protection)."""

    def __init__(self, client, account=None):
        self.client = client
        self.account = account
        self.api = api_login(client, account) if account else Api(client)
        self.sent: Counter = Counter()

    def headers(self) -> dict:
        return {"X-CSRFToken": self.api.csrf_token(), "User-Agent": self.client.environ_base["HTTP_USER_AGENT"]}

    def send(self, case):
        response = case.call(session=self.client, headers=self.headers())
        self.sent[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)
        if self.account and (case.method, case.path) == ("DELETE", "/session") and response.status_code == 200:
            self.api = api_login(self.client, self.account)  # signed out: back in for the next case
        return response


def aimed(case, ids: dict, number: int):
    """The case sent to the applicant's own attempt, registration and camera check, at a
    question number around the paper's range (0 and one past the end included)."""
    for name, value in ids.items():
        if name in case.path_parameters:
            case.path_parameters[name] = value
    if "number" in case.path_parameters:
        case.path_parameters["number"] = number
    if isinstance(case.body, dict) and "application_id" in case.body:
        case.body["application_id"] = ids["application_id"]
    return case


def fuzz(operation, caller: Caller, mode: str, ids: dict | None = None) -> None:
    strategy = operation.as_strategy(generation_mode=MODES[mode])
    if ids:
        strategy = st.one_of(strategy, st.builds(aimed, strategy, st.just(ids), st.integers(0, QUESTIONS + 1)))

    @SETTINGS
    @given(case=strategy)
    def run(case):
        caller.send(case)

    run()


def assert_exercised(caller: Caller, record_property) -> None:
    total = sum(caller.sent.values())
    record_property("requests", total)
    record_property("statuses", dict(caller.sent))
    # At least one request (Hypothesis stops early once it has tried every distinct input:
    # GET /session has exactly one).
    assert total >= 1, caller.sent


def negatable(path: str, method: str, forged: bool) -> bool:
    """Whether schemathesis can make data that breaks the document: a body, a header to
    drop, a number, a forged credential; not a lone free string (every string is a valid
    attempt id)."""
    operation = openapi_document()["paths"][path][method]
    plain = {"type": "string"}
    return bool(forged and operation["security"]) or "requestBody" in operation or any(
        parameter["in"] == "header" or parameter["schema"] != plain for parameter in operation["parameters"])


def cases(forged_too: bool) -> list:
    kinds = ["anonymous", "forged"] if forged_too else ["applicant"]
    return [pytest.param(path, method, mode, kind, id=f"{method.upper()} {path} {mode} {kind}")
            for path, method in OPERATIONS for kind in kinds for mode in MODES
            if mode == "positive" or negatable(path, method, kind == "forged")]


class Forger(Caller):
    """Nobody signed in; every cookie and token is schemathesis's invention."""

    def headers(self) -> dict:
        return {}


@pytest.mark.parametrize(("path", "method", "mode", "credentials"), cases(forged_too=True))
def test_signed_out(proctored, path, method, mode, credentials, record_property):
    forged = credentials == "forged"
    schema = load_schema(proctored, forge_credentials=forged)
    caller = (Forger if forged else Caller)(proctored.test_client())
    fuzz(schema[path][method.upper()], caller, mode)
    assert_exercised(caller, record_property)
    if (path, method) not in {("/session", "get"), ("/session", "post"), ("/verify/{code}", "get")}:
        assert set(caller.sent) <= {400, 401, 404, 405, 413, 415}, caller.sent  # nobody gets in


@pytest.fixture
def running_exam(proctored, bank, applicant, clock):
    """The applicant signed in on a client of their own, camera check passed, exam started."""
    caller = Caller(proctored.test_client(), applicant)
    check = pass_check(caller.api, applicant.application_id)
    started = caller.api.start(applicant.application_id)
    assert started.status_code == 201, started.get_json()
    return caller, {"public_id": started.get_json()["id"], "application_id": applicant.application_id,
                    "check_id": check["check"]}


@pytest.mark.parametrize(("path", "method", "mode", "credentials"), cases(forged_too=False))
def test_signed_in_with_a_running_exam(schema, running_exam, path, method, mode, credentials, record_property):
    caller, ids = running_exam
    fuzz(schema[path][method.upper()], caller, mode, ids)
    assert_exercised(caller, record_property)


STATEFUL = settings(max_examples=60, stateful_step_count=15, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(SETTINGS.suppress_health_check))


def test_stateful_following_the_links(proctored, bank, make_applicant, clock, record_property):
    """Scenarios chained by the document's links, each on a fresh applicant whose camera
    check passed: starting from GET /applications, the exam is started, its questions read,
    answered, flagged, skipped, frames and events sent, submitted, and its result verified."""
    schema = load_schema(proctored, forge_credentials=False)
    reached: Counter = Counter()

    class Workflow(schema.as_state_machine()):
        def setup(self):
            account = make_applicant()
            self.caller = Caller(proctored.test_client(), account)
            pass_check(self.caller.api, account.application_id)

        def get_call_kwargs(self, case):
            return {"session": self.caller.client, "headers": self.caller.headers()}

        def after_call(self, response, case):
            reached[(case.method, case.path, response.status_code)] += 1
            if (case.method, case.path, response.status_code) == ("DELETE", "/session", 200):
                self.caller.api = api_login(self.caller.client, self.caller.account)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=STATEFUL)
    record_property("requests", sum(reached.values()))
    record_property("statuses", {" ".join(map(str, key)): count for key, count in sorted(reached.items())})
    # The links were followed all the way: an exam started from GET /applications's id,
    # then answered and submitted through the ids in the responses.
    assert reached[("POST", "/attempts", 201)], reached
    assert reached[("POST", "/attempts/{public_id}/submit", 200)], reached
    assert reached[("GET", "/verify/{code}", 200)], reached
