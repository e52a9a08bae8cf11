"""HTTP headers on every kind of response (HTML page, JSON API, error page, static file):
a Content-Security-Policy without inline or eval'd scripts, nosniff, no framing, a
Referrer-Policy; HSTS only over TLS (directly or via a trusted proxy's X-Forwarded-Proto,
never on plain HTTP and never from a forged header without a trusted proxy). And
session fixation on the HTML sign-in: a cookie planted before sign-in is not the
signed-in session."""
import pytest

import helpers
from app import create_app
from core.extensions import db
from helpers import csrf_from_html, form_login

PAGES = ["/login", "/api/v1/session", "/no-such-page", "/static/css/app.css"]


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # a static file is streamed from an open file
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert "'unsafe-inline'" not in policy["style-src"] and policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS means nothing here


@pytest.mark.parametrize("path", PAGES)
def test_hsts_is_sent_over_tls(client, path):
    response = client.get(path, base_url="https://ujian.example.id")
    response.close()
    hsts = response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 180 * 24 * 3600


@pytest.fixture
def proxied(tmp_path):
    """The app as deployed behind one reverse proxy that terminates TLS (TRUSTED_PROXIES=1)."""
    application = create_app({**helpers.testing_config(tmp_path), "TRUSTED_PROXIES": 1})
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_hsts_behind_a_trusted_tls_proxy_and_not_from_a_forged_header(app, proxied):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" in proxied.test_client().get("/login", headers=forwarded).headers
    assert "Strict-Transport-Security" not in proxied.test_client().get("/login").headers  # the proxy said http
    # Without a trusted proxy the header is the client's word, not the connection's.
    assert "Strict-Transport-Security" not in app.test_client().get("/login", headers=forwarded).headers


def test_a_session_cookie_planted_before_sign_in_does_not_become_the_signed_in_session(app, bank, applicant):
    attacker = app.test_client()
    planted_page = attacker.get("/login").get_data(as_text=True)
    planted_cookie = attacker.get_cookie("session").value
    planted_token = csrf_from_html(planted_page)

    victim = app.test_client()
    victim.set_cookie("session", planted_cookie)  # the attacker's cookie, handed to the victim
    assert form_login(victim, applicant.email).status_code == 302
    assert victim.get_cookie("session").value != planted_cookie
    assert victim.get("/exam").status_code == 200

    # The attacker's copy of the cookie is still a signed-out visitor ...
    assert attacker.get("/exam").status_code == 302
    assert attacker.get("/api/v1/session").get_json()["user"] is None
    # ... and the pre-sign-in CSRF token is no good in the victim's new session.
    refused = victim.post("/logout", data={"csrf_token": planted_token})
    assert refused.status_code == 400
    assert victim.get("/exam").status_code == 200  # still signed in: the forged sign-out did nothing
