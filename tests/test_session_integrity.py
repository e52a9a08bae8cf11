"""Sessions and odd input: a signed-out cookie stays dead, sign-in starts a fresh session,
private pages are never cached, and malformed answers get a clear 4xx, never a 500."""
from http.cookies import SimpleCookie

from helpers import api_login, csrf_from_html, form_login

SESSION_COOKIE = "session"


def session_cookie(client) -> str:
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def test_a_cookie_saved_before_api_sign_out_no_longer_signs_in(app, applicant):
    api = api_login(app.test_client(), applicant)
    stolen = session_cookie(api.client)
    assert api.delete("/session").status_code == 200

    replay = app.test_client()
    replay.set_cookie(SESSION_COOKIE, stolen)
    assert replay.get("/api/v1/session").get_json()["user"] is None
    assert replay.get("/api/v1/applications").status_code == 401


def test_a_cookie_saved_before_html_sign_out_no_longer_signs_in(app, bank, applicant):
    client = app.test_client()
    assert form_login(client, applicant.email).status_code == 302
    stolen = session_cookie(client)
    page = client.get("/exam").get_data(as_text=True)
    assert client.get("/exam").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_from_html(page)}).status_code == 302

    replay = app.test_client()
    replay.set_cookie(SESSION_COOKIE, stolen)
    assert replay.get("/exam", follow_redirects=False).status_code == 302  # back to the sign-in page


def test_a_csrf_token_expires_after_four_hours(app, bank, applicant, monkeypatch):
    import itsdangerous.timed

    client = app.test_client()
    assert form_login(client, applicant.email).status_code == 302
    token = csrf_from_html(client.get("/exam").get_data(as_text=True))
    minted = itsdangerous.timed.time.time()
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: minted + app.config["WTF_CSRF_TIME_LIMIT"] + 1)
    late = client.post("/logout", data={"csrf_token": token})
    assert late.status_code == 400 and "Muat ulang halaman" in late.get_data(as_text=True)
    assert client.get("/exam").status_code == 200  # still signed in: the sign-out did not happen
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: minted + 60)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_api_sign_in_starts_a_new_session_and_token(app, applicant, api):
    before = api.csrf_token()
    assert api.login(applicant.email).status_code == 200
    assert api.csrf_token() != before


def test_signed_in_pages_are_not_cacheable(app, staff, client):
    assert form_login(client, staff.email).status_code == 302
    response = client.get("/bank/export.json")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_a_non_numeric_choice_on_the_html_form_is_refused_without_a_server_error(app, started, applicant):
    client = app.test_client()
    assert form_login(client, applicant.email).status_code == 302
    url = f"/exam/attempts/{started['id']}/questions/1"
    page = client.get(url).get_data(as_text=True)
    for choice in ("abc", "²", "1" * 40, "-1"):
        response = client.post(url, data={"csrf_token": csrf_from_html(page), "choice": choice, "action": "next"})
        assert response.status_code < 500, choice
        assert response.status_code in (303, 400, 422), choice


def test_deeply_nested_json_is_a_400(app, started, applicant_api):
    body = "[" * 100_000 + "]" * 100_000
    response = applicant_api.client.post(f"/api/v1/attempts/{started['id']}/questions/1/answer", data=body,
                                         content_type="application/json",
                                         headers={"X-CSRFToken": applicant_api.csrf_token()})
    assert response.status_code == 400 and "JSON" in response.get_json()["error"]


def test_sign_out_cookie_flags_stay_secure(app, applicant):
    api = api_login(app.test_client(), applicant)
    response = api.delete("/session")
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        assert all(morsel["httponly"] for morsel in cookie.values())


def test_a_crafted_goto_action_on_the_html_form_is_not_a_server_error(app, started, applicant):
    """The second of the two HTML answer-post 500s (issue 13): `action=goto:<n>` with digits
    that str.isdigit() accepts but int() refuses ("²"), or a number too large for the page."""
    client = app.test_client()
    assert form_login(client, applicant.email).status_code == 302
    url = f"/exam/attempts/{started['id']}/questions/1"
    token = csrf_from_html(client.get(url).get_data(as_text=True))
    count = len(started["items"])
    for action, target in (("goto:²", 1), ("goto:٣", 1), ("goto:" + "9" * 40, 1), ("goto:-1", 1), ("goto:", 1),
                           ("goto:99", count), ("goto:0", 1), ("goto:3", 3), ("nonsense", 1)):
        response = client.post(url, data={"csrf_token": token, "choice": "", "action": action})
        assert response.status_code == 303, action
        assert response.headers["Location"].endswith(f"/questions/{target}"), (action, response.headers["Location"])
