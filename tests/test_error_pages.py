"""Werkzeug's own errors (no such address, body too large, wrong method) are the app's
error page in the UI's language, Indonesian by default or English once chosen, never
Werkzeug's English text; API callers get the same words as JSON (issue 13)."""
import pytest

from helpers import csrf_from_html

WERKZEUG_TEXTS = ("The requested URL was not found", "The data value transmitted exceeds the capacity limit",
                  "The method is not allowed", "Request Entity Too Large", "Not Found")
WORDS = {
    "id": {404: "Halaman ini tidak ada.", 413: "Data yang dikirim terlalu besar.", "page": '<html lang="id">'},
    "en": {404: "This page does not exist.", 413: "What was sent is too large.", "page": '<html lang="en">'},
}


@pytest.fixture(params=["id", "en"])
def visitor(request, app):
    """A signed-out browser that has chosen its language (Indonesian is the default)."""
    client = app.test_client()
    if request.param == "en":
        token = csrf_from_html(client.get("/login").get_data(as_text=True))
        assert client.post("/language/en", data={"csrf_token": token, "next": "/login"}).status_code == 303
    return client, WORDS[request.param]


def assert_apps_own_page(response, status: int, words: dict) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == status and response.mimetype == "text/html"
    assert words[status] in html and words["page"] in html
    assert not any(text in html for text in WERKZEUG_TEXTS), html


def test_a_routing_404_is_the_apps_page_in_either_language(visitor):
    client, words = visitor
    assert_apps_own_page(client.get("/no-such-page"), 404, words)
    assert_apps_own_page(client.get("/exam/attempts/x/questions/not-a-number"), 404, words)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json() == {"error": api.get_json()["error"], "status": 404}
    assert api.get_json()["error"].startswith(words[404])


def test_a_body_over_the_limit_is_the_apps_413_page_in_either_language(app, visitor):
    client, words = visitor
    token = csrf_from_html(client.get("/login").get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"csrf_token": token, "email": "x" * 5000, "password": "p"})
    assert_apps_own_page(response, 413, words)
    api = client.post("/api/v1/session", data=b"{" + b" " * 5000 + b"}", content_type="application/json",
                      headers={"X-CSRFToken": token})
    assert api.status_code == 413 and api.get_json()["error"] == words[413]


def test_a_wrong_method_on_the_api_keeps_allow_and_answers_json(app):
    response = app.test_client().put("/api/v1/session")
    assert response.status_code == 405 and response.is_json
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST", "DELETE"}
    assert response.get_json()["error"] == "Alamat ini tidak menerima jenis permintaan tersebut."
