"""Registration rules (NIK, minimum age per class, licence held), passwords,
duplicates, and sign-in throttling."""
from datetime import date, timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader

from accounts.models import HeldLicence, User
from accounts.services import (
    HeldClass,
    eligibility_problem,
    nik_problem,
    register_applicant,
)
from core.errors import Conflict, ValidationError
from core.extensions import db
from core.sim_classes import SIM_CLASSES
from exam.models import Application
from helpers import (
    FROZEN_START,
    PASSWORD,
    Api,
    api_login,
    form_login,
    nik_for,
    years_before,
)

TODAY = FROZEN_START.date()
BORN = date(1995, 8, 17)


# --------------------------------------------------------------------------- NIK


@pytest.mark.parametrize("nik", [
    nik_for(BORN, serial=1),
    nik_for(BORN, female=True, serial=1),           # day + 40 for women: 57
    "1101011708950001",                             # lowest province code
    "9401011708950001",                             # highest province code
])
def test_valid_nik(nik):
    assert nik_problem(nik, BORN) is None


@pytest.mark.parametrize(("nik", "born"), [
    ("317401170895000", BORN),        # 15 digits
    ("31740117089500011", BORN),      # 17 digits
    ("31740117089500A1", BORN),       # a letter
    ("3174 01170895001", BORN),       # a space
    ("", BORN),
    ("1001011708950001", BORN),       # province 10
    ("9501011708950001", BORN),       # province 95
    ("0001011708950001", BORN),
    ("3174010008950001", BORN),       # day 00
    ("3174013208950001", BORN),       # day 32
    ("3174017208950001", BORN),       # day 72 (woman, 32)
    ("3174011700950001", BORN),       # month 00
    ("3174011713950001", BORN),       # month 13
    ("3174011808950001", BORN),       # day does not match the date of birth
    ("3174011709950001", BORN),       # month does not match
    ("3174011708960001", BORN),       # year does not match
    ("3174015808950001", BORN),       # woman's day 58 = 18, does not match
])
def test_invalid_nik(nik, born):
    assert nik_problem(nik, born)


def test_nik_date_is_not_compared_without_a_birth_date():
    assert nik_problem("3174011708950001", None) is None


def test_registration_refuses_an_invalid_nik(app_ctx):
    with pytest.raises(ValidationError) as raised:
        register_applicant(full_name="Budi", nik="3174011808950001", born=BORN, email="b@example.test",
                           password=PASSWORD, sim_class="A", held=[])
    assert raised.value.status == 422
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


# --------------------------------------------------------------------------- minimum ages

# Perpol No. 5 Tahun 2021: written out here, not read from the code under test.
MINIMUM_AGES = {"A": 17, "C": 17, "D": 17, "D1": 17, "C1": 18, "C2": 19, "B1": 20, "B2": 21,
                "A_UMUM": 20, "B1_UMUM": 22, "B2_UMUM": 23}


def test_every_class_has_a_minimum_age_listed():
    assert set(MINIMUM_AGES) == set(SIM_CLASSES)


def long_held(sim_class: str) -> list[HeldClass]:
    """Every prerequisite licence, held for two years."""
    return [HeldClass(code, years_before(TODAY, 2), f"SIM-{code}") for code in SIM_CLASSES[sim_class].prerequisites]


@pytest.mark.parametrize("sim_class", sorted(MINIMUM_AGES))
@pytest.mark.parametrize(("days_from_birthday", "accepted"), [(0, True), (1, False)],
                         ids=["on-the-birthday", "the-day-before"])
def test_minimum_age_boundary(make_applicant, sim_class, days_from_birthday, accepted):
    """Accepted on the day of the birthday that reaches the minimum age, refused the day before it."""
    born = years_before(TODAY, MINIMUM_AGES[sim_class]) + timedelta(days=days_from_birthday)
    if accepted:
        account = make_applicant(sim_class, born, held=long_held(sim_class))
        assert account.application_id is not None
    else:
        with pytest.raises(ValidationError, match=str(MINIMUM_AGES[sim_class])):
            make_applicant(sim_class, born, held=long_held(sim_class))


def test_birth_date_in_the_future_is_refused():
    assert eligibility_problem("A", TODAY + timedelta(days=1), [], TODAY)


def test_unknown_class_is_refused():
    assert eligibility_problem("Z", BORN, [], TODAY)


# --------------------------------------------------------------------------- licence held


@pytest.mark.parametrize(("held", "accepted"), [
    ([], False),
    ([HeldClass("C", date(2025, 4, 2), "C1")], False),    # 11 months
    ([HeldClass("C", date(2025, 3, 3), "C1")], False),    # a day short of 12 months
    ([HeldClass("C", date(2025, 3, 2), "C1")], True),     # 12 months
    ([HeldClass("C", date(2020, 1, 1), "C1")], True),
    ([HeldClass("A", date(2020, 1, 1), "A1")], False),    # the wrong class
    ([HeldClass("A", date(2020, 1, 1), "A1"), HeldClass("C", date(2025, 3, 2), "C1")], True),
], ids=["none", "11-months", "day-short", "12-months", "years", "wrong-class", "two-held"])
def test_c1_needs_c_held_for_twelve_months(held, accepted):
    problem = eligibility_problem("C1", BORN, held, TODAY)
    assert (problem is None) is accepted


@pytest.mark.parametrize(("sim_class", "held_class"), [
    ("C2", "C1"), ("B1", "A"), ("A_UMUM", "A"), ("B2", "B1"),
    ("B1_UMUM", "B1"), ("B1_UMUM", "A_UMUM"), ("B2_UMUM", "B2"), ("B2_UMUM", "B1_UMUM"),
])
def test_higher_classes_need_the_class_below(sim_class, held_class):
    assert eligibility_problem(sim_class, BORN, [], TODAY)
    assert eligibility_problem(sim_class, BORN, [HeldClass(held_class, date(2025, 4, 2), "X")], TODAY)
    assert eligibility_problem(sim_class, BORN, [HeldClass(held_class, date(2025, 3, 2), "X")], TODAY) is None


def test_registration_stores_held_licences_and_the_first_application(app_ctx, make_applicant):
    held = [HeldClass("C", date(2024, 1, 10), "SIM-C-123")]
    account = make_applicant("C1", BORN, held=held)
    licences = db.session.scalars(db.select(HeldLicence).where(HeldLicence.user_id == account.id)).all()
    assert [(h.sim_class, h.issued_on, h.licence_number) for h in licences] == [("C", date(2024, 1, 10), "SIM-C-123")]
    application = db.session.get(Application, account.application_id)
    assert application.sim_class == "C1" and application.user_id == account.id


# --------------------------------------------------------------------------- passwords and duplicates


def test_password_is_hashed_with_scrypt(app_ctx, make_applicant):
    account = make_applicant(password="a-long-secret-1")
    user = db.session.get(User, account.id)
    assert user.password_hash != "a-long-secret-1"
    assert "a-long-secret-1" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a-long-secret-1")
    assert not user.check_password("a-long-secret-2")
    assert not user.check_password("")


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_short_password_is_refused(make_applicant, password):
    with pytest.raises(ValidationError):
        make_applicant(password=password)


@pytest.mark.parametrize("email", ["dup@example.test", "DUP@Example.Test"])
def test_duplicate_email_is_refused(app_ctx, make_applicant, email):
    make_applicant(email="dup@example.test")
    with pytest.raises(Conflict):
        make_applicant(email=email)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_email_is_stored_in_lower_case(app_ctx, make_applicant):
    account = make_applicant(email="Mixed.Case@Example.Test")
    assert account.email == "mixed.case@example.test"


def test_duplicate_nik_is_refused(app_ctx, make_applicant):
    first = make_applicant(born=BORN)
    with pytest.raises(Conflict) as raised:
        make_applicant(born=BORN, nik=first.nik)
    assert raised.value.status == 409
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_create_user_refuses_unknown_role(app_ctx, make_user):
    with pytest.raises(ValidationError):
        make_user("superuser")


# --------------------------------------------------------------------------- sign-in (API)


def test_api_sign_in_and_out(client, applicant):
    api = Api(client)
    assert api.get("/session").get_json()["user"] is None
    response = api.login(applicant.email, applicant.password)
    assert response.status_code == 200
    assert response.get_json()["user"] == {"email": applicant.email, "full_name": "Budi Santoso", "role": "applicant"}
    assert api.get("/session").get_json()["user"]["email"] == applicant.email

    assert api.delete("/session").status_code == 200
    assert api.get("/session").get_json()["user"] is None
    assert api.get("/applications").status_code == 401


def test_sign_in_accepts_the_email_in_any_case(api, applicant):
    assert api.login(applicant.email.upper(), applicant.password).status_code == 200


def test_session_cookie_is_secure_and_http_only(api, applicant):
    response = api.login(applicant.email, applicant.password)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(("body", "status"), [
    ({"email": "APPLICANT", "password": "wrong-password"}, 401),
    ({"email": "APPLICANT"}, 400),
    ({"password": "whatever-12345"}, 400),
    ({"email": 5, "password": "whatever-12345"}, 400),
    ([], 400),
    ("not an object", 400),
])
def test_bad_sign_in_requests(api, applicant, body, status):
    if isinstance(body, dict) and body.get("email") == "APPLICANT":
        body = {**body, "email": applicant.email}
    response = api.post("/session", body)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]


def test_unknown_email_gives_the_same_answer_as_a_wrong_password(api, applicant):
    wrong_password = api.login(applicant.email, "not-the-password")
    unknown = api.login("nobody@example.test", "not-the-password")
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.get_json() == unknown.get_json()


def test_five_wrong_passwords_lock_the_email(api, applicant, clock):
    for _ in range(5):
        assert api.login(applicant.email, "wrong-password-1").status_code == 401
    locked = api.login(applicant.email, applicant.password)
    assert locked.status_code == 429
    assert locked.get_json()["error"]
    assert api.login(applicant.email.upper(), applicant.password).status_code == 429

    clock.advance(minutes=14, seconds=59)
    assert api.login(applicant.email, applicant.password).status_code == 429
    clock.advance(seconds=2)  # the first failure is now older than the 15-minute window
    assert api.login(applicant.email, applicant.password).status_code == 200


def test_four_wrong_passwords_do_not_lock(api, applicant):
    for _ in range(4):
        api.login(applicant.email, "wrong-password-1")
    assert api.login(applicant.email, applicant.password).status_code == 200


def test_a_locked_email_does_not_lock_another_account(app, applicant, adversary):
    attacker = Api(app.test_client())
    for _ in range(5):
        attacker.login(adversary.email, "wrong-password-1")
    assert attacker.login(adversary.email, adversary.password).status_code == 429
    api_login(app.test_client(), applicant)


def test_many_failures_from_one_address_lock_the_address(api, applicant):
    for n in range(30):
        assert api.login(f"spray{n}@example.test", "wrong-password-1").status_code == 401
    assert api.login(applicant.email, applicant.password).status_code == 429


def test_lockout_settings_come_from_config(app, api, applicant, clock):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_LOCKOUT_MINUTES=1)
    for _ in range(2):
        api.login(applicant.email, "wrong-password-1")
    assert api.login(applicant.email, applicant.password).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert api.login(applicant.email, applicant.password).status_code == 200


def test_inactive_account_cannot_sign_in(app, api, applicant):
    with app.app_context():
        db.session.get(User, applicant.id).active = False
        db.session.commit()
    assert api.login(applicant.email, applicant.password).status_code == 401


# --------------------------------------------------------------------------- sign-in (HTML form)

LOGIN_STUB = "<form method='post'>{{ form.hidden_tag() }}{{ form.email() }}{{ form.password() }}</form>"


@pytest.fixture
def stub_login_page(app):
    """Render /login with a minimal stand-in template so these tests check the view
    and `helpers.form_login`, not the lead's page (which the HTML tests cover)."""
    app.jinja_loader = ChoiceLoader([DictLoader({"accounts/login.html": LOGIN_STUB}), app.jinja_loader])


@pytest.mark.usefixtures("stub_login_page")
@pytest.mark.parametrize(("next_url", "location"), [
    (None, "/exam"),
    ("/exam/attempts/abc", "/exam/attempts/abc"),
    ("//evil.example/x", "/exam"),
    ("https://evil.example/x", "/exam"),
])
def test_login_form_redirects_only_within_the_site(client, applicant, next_url, location):
    response = form_login(client, applicant.email, applicant.password, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == location


@pytest.mark.usefixtures("stub_login_page")
def test_login_form_signs_the_user_in(client, applicant):
    form_login(client, applicant.email, applicant.password)
    assert Api(client).get("/session").get_json()["user"]["email"] == applicant.email


@pytest.mark.usefixtures("stub_login_page")
def test_login_form_wrong_password_and_lockout(client, applicant):
    for _ in range(5):
        assert form_login(client, applicant.email, "wrong-password-1").status_code == 401
    assert form_login(client, applicant.email, applicant.password).status_code == 429


@pytest.mark.usefixtures("stub_login_page")
def test_login_form_without_csrf_token_is_refused(client, applicant):
    response = client.post("/login", data={"email": applicant.email, "password": applicant.password})
    assert response.status_code == 400
    assert Api(client).get("/session").get_json()["user"] is None
