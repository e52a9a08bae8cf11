"""Registration is rate-limited per address (a fresh account must not be a fresh exam),
the client's address comes from X-Forwarded-For only behind a configured proxy, and a
refused registration does not say whether the NIK or the e-mail is already known."""
from datetime import date

import pytest

from accounts.models import User
from app import create_app
from core.extensions import db
from helpers import csrf_from_html, nik_for
from helpers import testing_config as base_config


@pytest.fixture
def limited_app(tmp_path, clock):
    def make(**config):
        application = create_app({**base_config(tmp_path), "REGISTER_RATE_LIMIT": "3 per hour", **config})
        clock.install()
        with application.app_context():
            db.create_all()
        return application

    return make


def register(client, serial: int, *, nik: str | None = None, email: str | None = None, sex: str = "P",
             born: date | None = None, **environ):
    page = client.get("/register", environ_base=environ)
    born = born or date(1990, 1, 1 + serial % 28)
    form = {"csrf_token": csrf_from_html(page.get_data(as_text=True)), "full_name": "Dewi Lestari",
            "nik": nik or nik_for(born, female=sex == "P", serial=serial), "date_of_birth": born.isoformat(),
            "sex": sex,
            "email": email or f"dewi{serial}@contoh.id", "password": "kata-sandi-aman-1",
            "confirm": "kata-sandi-aman-1", "sim_class": "C", "accept_terms": "y"}
    return client.post("/register", data=form, environ_base=environ)


def test_registrations_from_one_address_are_limited_but_others_still_register(limited_app):
    app = limited_app()
    answers = [register(app.test_client(), n, REMOTE_ADDR="203.0.113.7").status_code for n in range(1, 5)]
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
    refused = register(app.test_client(), 9, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and "Terlalu banyak" in refused.get_data(as_text=True)
    assert register(app.test_client(), 10, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(limited_app):
    direct = limited_app()
    for n in range(1, 4):
        assert register(direct.test_client(), n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 302
    assert register(direct.test_client(), 4, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429  # header ignored

    proxied = limited_app(TRUSTED_PROXIES=1)
    for n in range(11, 16):
        assert register(proxied.test_client(), n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 302


def test_a_known_nik_and_a_known_email_get_the_same_answer(limited_app):
    app = limited_app(REGISTER_RATE_LIMIT="50 per hour")
    assert register(app.test_client(), 1).status_code == 302
    known_nik = register(app.test_client(), 1, email="someone.else@contoh.id")
    known_email = register(app.test_client(), 3, email="dewi1@contoh.id")
    assert known_nik.status_code == known_email.status_code == 409

    def message(response):
        html = response.get_data(as_text=True)
        return html[html.index('class="flash'):][:300] if 'class="flash' in html else html

    assert message(known_nik) == message(known_email)


def test_the_sex_in_the_nik_must_match_the_form(limited_app):
    app = limited_app(REGISTER_RATE_LIMIT="50 per hour")
    born = date(1992, 5, 9)
    refused = register(app.test_client(), 1, born=born, nik=nik_for(born, female=False, serial=1), sex="P")
    assert refused.status_code == 422 and "40" in refused.get_data(as_text=True)
    assert register(app.test_client(), 2, born=born, nik=nik_for(born, female=True, serial=2), sex="P").status_code == 302
    assert register(app.test_client(), 3, born=born, nik=nik_for(born, female=False, serial=3), sex="L").status_code == 302
    missing = register(app.test_client(), 4, born=born, sex="")
    assert missing.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_made_up_niks_for_one_district_and_birth_date_are_limited(limited_app, clock):
    """Made-up NIKs differ only in their last four digits; real people sharing the first
    twelve (district, birth date, sex) are a handful."""
    app = limited_app(REGISTER_RATE_LIMIT="50 per hour", REGISTER_NIK_PREFIX_LIMIT=3)
    born = date(1990, 1, 5)
    answers = [register(app.test_client(), n, born=born, REMOTE_ADDR=f"203.0.113.{n}").status_code
               for n in range(1, 5)]
    assert answers == [302, 302, 302, 429]
    refused = register(app.test_client(), 9, born=born)
    assert refused.status_code == 429 and "Satpas" in refused.get_data(as_text=True)
    assert register(app.test_client(), 10, born=date(1990, 1, 6)).status_code == 302  # another birth date
    assert register(app.test_client(), 11, born=born, sex="L").status_code == 302  # a man born that day
    clock.advance(days=31)
    assert register(app.test_client(), 12, born=born).status_code == 302
