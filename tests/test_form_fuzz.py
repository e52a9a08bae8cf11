"""Hypothesis-generated form posts to every HTML form route, as the role the route is for,
with a valid CSRF token: each field is either a plausible value, hostile text (unicode,
control characters, SQL and HTML payloads, digits a regex accepts but `int` refuses, dates
at the calendar's ends, 100,000 characters), missing, or sent twice; file fields get random
bytes under hostile names; unknown fields come along. The answer is never a 5xx, and a 4xx
leaves the database exactly as it was (every row of every table compared, not just counts).

ROUTES lists each form route; `test_every_form_route_is_fuzzed` fails when a POST route is
added without a row. Bounded and reproducible: EXAMPLES posts per route, derandomized.
"""
import io
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from api_shared import QUESTIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from accounts.forms import LoginForm, NewApplicationForm, RegistrationForm, UserAdminForm
from core.extensions import db
from exam.forms import BlueprintForm, ConsentForm, PracticeAnswerForm, PracticeStartForm, QuestionForm, VerifyForm
from helpers import PASSWORD, Api, api_login, nik_for
from question_bank.forms import GroupForm, ImportChoicesForm, ImportConfirmForm, ImportForm
from question_bank.forms import QuestionForm as BankQuestionForm
from question_bank.models import TOPICS
from review.forms import DecisionForm, FlagMarkForm
from review.models import NO_ISSUE

EXAMPLES = 50
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])

PAYLOADS = [
    "", " ", "\x00", "\t\r\n", "' OR '1'='1' --", "1; DROP TABLE users; --", "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>", "{{7*7}}", "../../../etc/passwd", "%00", "0", "-1", "1.5", "1e309", "NaN",
    "9" * 40, str(2**31), str(2**63), "²", "٣", "１２", "1\u200b", "2026-02-30", "0001-01-01", "9999-12-31", "10000-01-01",
    "y", "on", "true", "\ud7ff\ue000\U0010ffff", "Ā" * 300, "x" * 100_000,
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
HOSTILE = st.one_of(st.sampled_from(PAYLOADS), TEXT, st.integers(-(2**70), 2**70).map(str))
FILENAMES = st.one_of(st.sampled_from(["../../evil.png", "/etc/passwd", "a\x00.png", "....//x.csv", "", "ü.svg",
                                      "x" * 300 + ".png", "image.png", "questions.csv"]), TEXT)
FILE_BYTES = st.one_of(st.binary(max_size=2000), st.sampled_from([
    b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, b"\xff\xd8\xff\xe0" + b"\x00" * 30,
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"code,topic\n" + b"x," * 500, b"PK\x03\x04" + b"\x00" * 40, "ü,ö\n".encode("utf-16")]))


@dataclass
class Route:
    endpoint: str
    role: str  # who posts: "anonymous", "applicant", "finished" (an applicant whose exam is over), staff ...
    path: str  # with {names} from the world's ids
    form: type | None = None  # its fields are fuzzed
    good: dict = field(default_factory=dict)  # a plausible value for some fields
    extra_fields: tuple = ()
    files: tuple = ()
    # tables a refused post may change by design (the sign-in throttle counts failures)
    may_change_on_4xx: tuple = ()
    path_choices: dict = field(default_factory=dict)  # alternative values of a path part


IDS = {"huge": str(2**31 - 1), "zero": "0", "missing": "999999"}
ROUTES = [
    Route("accounts.login", "anonymous", "/login", LoginForm, {"email": "{applicant_email}", "password": PASSWORD},
          may_change_on_4xx=("login_failures",)),
    Route("accounts.register", "anonymous", "/register", RegistrationForm, {
        "full_name": "Siti Aminah", "nik": "{new_nik}", "date_of_birth": "1990-05-17", "sex": "P",
        "email": "siti@contoh.id", "password": PASSWORD, "confirm": PASSWORD, "sim_class": "A",
        "accept_terms": "y", "held_class": "", "held_issued_on": "2015-01-02", "held_number": "12345"}),
    Route("accounts.logout", "applicant", "/logout"),
    Route("accounts.set_language", "applicant", "/language/{language}", extra_fields=("next",),
          good={"next": "/exam"}, path_choices={"language": ["en", "id", "xx", "%00", "..", "ü"]}),
    Route("accounts.admin_user_update", "admin", "/admin/users/{applicant_id}", UserAdminForm,
          {"role": "staff", "active": "1"}, path_choices={"applicant_id": [IDS["missing"], IDS["huge"], "{admin_id}"]}),
    Route("exam.new_application", "applicant", "/exam/applications", NewApplicationForm, {"sim_class": "C"}),
    Route("exam.start", "applicant", "/exam/applications/{application_id}/start", ConsentForm, {"consent": "y"},
          path_choices={"application_id": [IDS["missing"], IDS["huge"]]}),
    Route("exam.question", "applicant", "/exam/attempts/{public_id}/questions/{number}", QuestionForm,
          {"choice": "1", "flagged": "y", "action": "next"},
          path_choices={"number": ["0", str(QUESTIONS), str(QUESTIONS + 1), IDS["huge"]],
                        "public_id": ["{finished_public_id}", "nope"]}),
    Route("exam.submit", "applicant", "/exam/attempts/{public_id}/submit", good={"confirm": "1"},
          extra_fields=("confirm",), path_choices={"public_id": ["{finished_public_id}", "nope"]}),
    Route("exam.practice_home", "finished", "/practice", PracticeStartForm, {"sim_class": "A"}),
    Route("exam.practice_question", "finished", "/practice/{number}", PracticeAnswerForm, {"choice": "1"},
          path_choices={"number": ["0", "2", "99", IDS["huge"]]}),
    Route("exam.verify_lookup", "anonymous", "/verify", VerifyForm, {"code": "{verification_code}"}),
    Route("exam.admin_blueprint_edit", "admin", "/admin/blueprints/{sim_class}", BlueprintForm,
          {"delivery_mode": "free", "duration_minutes": "30", "seconds_per_question": "20", "pass_mark": "25",
           **{f"topic_{topic}": "5" for topic in TOPICS}},
          extra_fields=tuple(f"topic_{topic}" for topic in TOPICS),
          path_choices={"sim_class": ["ZZ", "a", "%3Cscript%3E"]}),
    Route("review.decide", "examiner", "/review/sessions/{finished_public_id}/decision", DecisionForm,
          {"outcome": "valid", "reason": NO_ISSUE, "note": "ok", "expected": "0", "override_reason": "why"},
          path_choices={"finished_public_id": ["{public_id}", "nope"]}),
    Route("review.mark_flag", "examiner", "/review/sessions/{finished_public_id}/flags/{flag_id}", FlagMarkForm,
          {"verdict": "confirmed"}, path_choices={"flag_id": [IDS["missing"], IDS["huge"]]}),
    Route("review.release", "examiner", "/review/sessions/{finished_public_id}/release", good={"confirm": "1"},
          extra_fields=("confirm",), path_choices={"finished_public_id": ["{public_id}", "nope"]}),
    Route("question_bank.question_new", "staff", "/bank/new", BankQuestionForm, {
        "code": "FZ-1", "topic": "regulations", "classes": "A", "text_id": "Apa?", "option_a_id": "Ya",
        "option_b_id": "Tidak", "option_c_id": "Mungkin", "correct": "a", "explanation_id": "Karena."}, files=("upload",)),
    Route("question_bank.question_edit", "staff", "/bank/{question_id}/edit", BankQuestionForm, {
        "code": "{question_code}", "topic": "regulations", "classes": "A", "text_id": "Apa?", "option_a_id": "Ya",
        "option_b_id": "Tidak", "option_c_id": "Mungkin", "correct": "a", "explanation_id": "Karena."}, files=("upload",),
        path_choices={"question_id": [IDS["missing"], IDS["huge"]]}),
    Route("question_bank.question_group", "staff", "/bank/{question_id}/group", GroupForm,
          {"exclusion_group": "level-crossing"}, path_choices={"question_id": [IDS["missing"]]}),
    Route("question_bank.question_status", "staff", "/bank/{question_id}/status", good={"status": "retired"},
          extra_fields=("status",), path_choices={"question_id": [IDS["missing"]]}),
    Route("question_bank.bank_import", "staff", "/bank/import", ImportForm, {"format": "csv", "language": "id"},
          files=("file",)),
    Route("question_bank.bank_import_choose", "staff", "/bank/import/{import_token}", ImportChoicesForm,
          {"classes": "A", "language": "id", "category-0": "regulations"}, extra_fields=("category-0", "category-1"),
          path_choices={"import_token": ["nope", "x" * 300]}),
    Route("question_bank.bank_import_confirm", "staff", "/bank/import/{import_token}/confirm", ImportConfirmForm,
          {"skip_refused": "y"}, path_choices={"import_token": ["nope"]}),
]
# POST routes that are not HTML forms: the JSON API (tests/test_schemathesis.py).
NOT_FORMS = re.compile(r"^/api/")


def test_every_form_route_is_fuzzed(app):
    posted = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not NOT_FORMS.match(rule.rule)}
    assert posted == {route.endpoint for route in ROUTES}


def field_names(app, route: Route) -> list[str]:
    names = []
    if route.form is not None:
        with app.test_request_context():
            names = [name for name in route.form(meta={"csrf": False})._fields if name != "csrf_token"]
    return sorted(set(names) | set(route.extra_fields) | set(route.good)) + ["unexpected_field"]


@st.composite
def form_posts(draw, route: Route, names: list[str]):
    """(path overrides, fields as (name, value) pairs, files as (name, (bytes, filename)) pairs)."""
    pairs = []
    # Some posts change one field or two (the rest plausible: the deeper paths, a success);
    # others change most of them.
    good_weight = draw(st.sampled_from([2, 12]))
    for name in names:
        kinds = ["good"] * good_weight + ["hostile", "twice", "missing"]
        kind = draw(st.sampled_from(kinds))
        good = route.good.get(name)
        if kind == "missing" or (kind == "good" and good is None and name == "unexpected_field"):
            continue
        value = good if kind == "good" and good is not None else draw(HOSTILE)
        pairs.append((name, value))
        if kind == "twice":
            pairs.append((name, draw(HOSTILE)))
    files = [(name, (draw(FILE_BYTES), draw(FILENAMES))) for name in route.files if draw(st.booleans())]
    paths = {part: draw(st.none() | st.sampled_from(choices)) for part, choices in route.path_choices.items()}
    return paths, pairs, files


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    return {table.name: sorted(tuple(map(repr, row)) for row in db.session.execute(table.select()).all())
            for table in db.metadata.sorted_tables}


@pytest.fixture
def world(app, make_bank, make_applicant, make_user, clock):
    """A bank, an applicant with an exam running, an applicant whose exam is submitted
    (for practice and for the examiner), an examiner, staff, an admin, a pending import."""
    app.config["REGISTER_RATE_LIMIT"] = "10000 per hour"  # the limit has its own test; here it would hide the form
    questions = make_bank()
    applicant, finished = make_applicant(), make_applicant()
    accounts = {"applicant": applicant, "finished": finished, "examiner": make_user("examiner"),
                "staff": make_user("staff"), "admin": make_user("admin")}
    running = api_login(app.test_client(), applicant).start(applicant.application_id).get_json()
    finished_api = api_login(app.test_client(), finished)
    done = finished_api.start(finished.application_id).get_json()
    result = finished_api.submit(done["id"]).get_json()
    staff = api_login(app.test_client(), accounts["staff"])
    export = staff.client.get("/bank/export.csv").data
    upload = staff.client.post("/bank/import", data={"csrf_token": staff.csrf_token(), "format": "csv", "language": "id",
                                                     "file": (io.BytesIO(export), "bank.csv")})
    token = re.search(r"/bank/import/([^/?]+)", upload.headers.get("Location", ""))
    assert token, (upload.status_code, upload.get_data(as_text=True)[:500])
    ids = {"applicant_email": applicant.email, "applicant_id": str(applicant.id), "admin_id": str(accounts["admin"].id),
           "application_id": str(applicant.application_id), "public_id": running["id"], "number": "1",
           "finished_public_id": done["id"], "verification_code": result["verification_code"], "flag_id": "1",
           "sim_class": "A", "language": "en", "question_id": str(questions[0].id),
           "question_code": questions[0].code, "import_token": token.group(1),
           "new_nik": nik_for(date(1990, 5, 17), female=True)}
    return accounts, ids


def signed_in(app, account) -> Api:
    return api_login(app.test_client(), account) if account else Api(app.test_client())


def fill(template: str, ids: dict) -> str:
    """`{name}` replaced by the world's id of that name (other braces left as they are)."""
    return re.sub(r"{(\w+)}", lambda match: ids.get(match.group(1), match.group(0)), template)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.endpoint)
def test_hostile_form_posts(app, world, route, record_property):
    accounts, ids = world
    account = accounts.get(route.role)
    api = signed_in(app, account)
    names = field_names(app, route)
    statuses: dict[int, int] = {}

    @SETTINGS
    @given(post=form_posts(route, names))
    def post_one(post):
        nonlocal api
        paths, pairs, files = post
        chosen = {**ids, **{part: fill(value, ids) for part, value in paths.items() if value is not None}}
        data = [("csrf_token", api.csrf_token())] + [(name, fill(value, ids)) for name, value in pairs]
        data += [(name, (io.BytesIO(content), filename)) for name, (content, filename) in files]
        with app.app_context():
            before = snapshot()
        response = api.client.post(fill(route.path, chosen), data=MultiDict(data))
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (route.endpoint, paths, pairs[:20], response.get_data(as_text=True)[:300])
        if 400 <= response.status_code < 500:
            with app.app_context():
                after = snapshot()
            changed = {name for name in before if before[name] != after[name]} - set(route.may_change_on_4xx)
            assert not changed, (route.endpoint, response.status_code, changed, pairs[:20])
        if account is not None and route.endpoint in {"accounts.logout", "accounts.admin_user_update"}:
            api = signed_in(app, account)  # signed out, or own role changed: back in as before
        elif account is None:
            api = signed_in(app, None)  # a new visitor for each post (a sign-in would stick)

    post_one()
    record_property("requests", sum(statuses.values()))
    record_property("statuses", statuses)
    assert sum(statuses.values()) >= EXAMPLES // 2, statuses


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.endpoint)
def test_form_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(app, world, route):
    """Every form route, as its role, with plausible values: no token, a forged one, and a
    real token of another visitor's session are each a 400 and leave every row as it was."""
    accounts, ids = world
    api = signed_in(app, accounts.get(route.role))
    fields = [(name, fill(value, ids)) for name, value in route.good.items()]
    tokens = {"missing": [], "forged": [("csrf_token", "forged." + "A" * 40)],
              "another session": [("csrf_token", Api(app.test_client()).csrf_token())]}
    for kind, token in tokens.items():
        with app.app_context():
            before = snapshot()
        response = api.client.post(fill(route.path, ids), data=MultiDict(token + fields))
        assert response.status_code == 400, (route.endpoint, kind, response.status_code)
        assert response.get_data(as_text=True)
        with app.app_context():
            after = snapshot()
        assert {name for name in before if before[name] != after[name]} == set(), (route.endpoint, kind)
