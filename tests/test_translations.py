"""The Indonesian catalogue is complete, well-formed, compiled, and used by the app.

Catalogue commands (run from the project root; .venv is skipped explicitly while
keeping pybabel's default ignores ".*" and "._"):

    .venv/bin/pybabel extract -F babel.cfg -k _l -o translations/messages.pot \
        --no-location --sort-output --ignore-dirs=".* ._ .venv" .
    .venv/bin/pybabel update -i translations/messages.pot -d translations   # then translate new/fuzzy entries
    .venv/bin/pybabel compile -d translations

Indonesian (`id`) is the default language, so every extracted msgid must have a
non-fuzzy Indonesian msgstr; English (`en`) falls back to the msgid. The .mo
files are committed, so a .mo that no longer matches its .po fails here.
"""
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from databases import database_uri

from app import create_app
from core.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("id", "en")
EXTRACT_ARGS = ["extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
                "--ignore-dirs", ".* ._ .venv", "--omit-header"]
# %(name)s-style placeholders (with optional conversion flags, width and precision).
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa])")
NUMERIC = set("diouxXeEfFgGc")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load_po(locale: str):
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def pybabel_command() -> list[str]:
    script = Path(sys.executable).parent / "pybabel"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "babel.messages.frontend"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list:
    """Messages from a fresh extraction of the working tree (code and templates)."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    subprocess.run([*pybabel_command(), *EXTRACT_ARGS, "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    with pot.open("rb") as handle:
        messages = [message for message in read_po(handle) if message.id]
    assert messages, "extraction found no messages"
    return messages


@pytest.fixture(scope="module")
def extracted_ids(extracted) -> list:
    return [message.id for message in extracted]


@pytest.fixture(scope="module")
def indonesian():
    return load_po("id")


def forms(text) -> tuple[str, ...]:
    """A msgid or msgstr as a tuple: one item, or one per plural form."""
    return tuple(text) if isinstance(text, (list, tuple)) else (text,)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def is_translated(message) -> bool:
    return message is not None and all(forms(message.string))


def sample_values(msgid) -> dict:
    """A value for each placeholder of the msgid: a number where the conversion needs one."""
    return {match.group(1): 1 if match.group(2) in NUMERIC else "X"
            for text in forms(msgid) for match in PLACEHOLDER.finditer(text)}


# ------------------------------------------------------------------ (a) completeness


def test_extraction_covers_python_and_templates(extracted_ids):
    # One string only in Python (a lazy form label), one only in a template.
    assert "Repeat password" in extracted_ids
    assert "Skip to content" in extracted_ids


def test_every_extracted_message_has_an_indonesian_translation(extracted, indonesian):
    missing = [message.id for message in extracted
               if not is_translated(indonesian.get(message.id, context=message.context))]
    assert not missing, f"{len(missing)} message(s) without an Indonesian msgstr (run pybabel update): {missing}"


def test_no_indonesian_translation_is_fuzzy(extracted, indonesian):
    fuzzy = [message.id for message in extracted
             if (found := indonesian.get(message.id, context=message.context)) is not None and found.fuzzy]
    assert not fuzzy, f"fuzzy translations (review them, then drop the flag): {fuzzy}"
    assert not indonesian.fuzzy, "the catalogue header is marked fuzzy"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_language_is_declared(locale):
    catalog = load_po(locale)
    assert str(catalog.locale) == locale


# ------------------------------------------------------------------ (b) placeholders


def test_placeholders_match_the_msgid(indonesian):
    """Every msgstr form keeps the msgid's placeholders (for a plural entry, those
    of the singular or of the plural msgid)."""
    wrong = {}
    for message in indonesian:
        if not message.id:
            continue
        allowed = [placeholders(text) for text in forms(message.id)]
        for text in forms(message.string):
            if text and placeholders(text) not in allowed:
                wrong[forms(message.id)[0]] = (allowed, placeholders(text))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_every_translation_formats_like_its_msgid(indonesian):
    """Jinja's new-style gettext always applies `%`, so a stray `%` breaks a page."""
    broken = {}
    for message in indonesian:
        if not message.id or not message.string:
            continue
        values = sample_values(message.id)
        for text in forms(message.string):
            try:
                text % values
            except (KeyError, ValueError, TypeError) as error:
                broken[forms(message.id)[0]] = repr(error)
    assert not broken, f"translations that cannot be formatted: {broken}"


def test_babel_checkers_find_no_errors(indonesian):
    problems = {message.id: [str(error) for error in errors] for message, errors in indonesian.check()}
    assert not problems, problems


# ------------------------------------------------------------------ (c) compiled catalogues


def compiled_messages(catalog) -> dict:
    return {forms(message.id): forms(message.string) for message in catalog if message.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_mo_matches_its_po(locale):
    """Compile the .po in memory and compare with the committed .mo (content, not
    mtimes: a git checkout does not keep them)."""
    mo = po_path(locale).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `pybabel compile -d translations`"
    fresh = io.BytesIO()
    write_mo(fresh, load_po(locale))  # skips fuzzy entries, like `pybabel compile`
    fresh.seek(0)
    with mo.open("rb") as handle:
        committed = compiled_messages(read_mo(handle))
    assert committed == compiled_messages(read_mo(fresh)), \
        f"{mo} is stale: run `pybabel compile -d translations`"


# ------------------------------------------------------------------ (d) the app


CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=[\"']csrf_token[\"'][^>]*>", re.IGNORECASE)
VALUE_ATTR = re.compile(r"\bvalue=[\"']([^\"']+)[\"']", re.IGNORECASE)


def csrf_token(html: str) -> str:
    tag = CSRF_INPUT.search(html)
    assert tag, "the page has no csrf_token input"
    value = VALUE_ATTR.search(tag.group(0))
    assert value, "the csrf_token input has no value"
    return value.group(1)


@pytest.fixture
def web(tmp_path):
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path, "web.db"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "EXAM_SWEEP_INTERVAL": 0,
    })
    with application.app_context():
        db.create_all()
    yield application.test_client()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_page_is_indonesian_by_default_and_english_on_request(web, indonesian):
    sign_in = indonesian.get("Sign in").string
    password = indonesian.get("Password").string
    assert sign_in and sign_in != "Sign in"

    page = web.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="id">' in html
    assert f"<h1>{sign_in}</h1>" in html
    assert f">{password}</label>" in html  # a lazy_gettext form label
    assert "<h1>Sign in</h1>" not in html

    switched = web.post("/language/en", data={"csrf_token": csrf_token(html), "next": "/login"})
    assert switched.status_code == 303
    assert switched.headers["Location"].endswith("/login")

    html = web.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert ">Password</label>" in html
    assert f"<h1>{sign_in}</h1>" not in html

    web.post("/language/id", data={"csrf_token": csrf_token(html), "next": "/login"})
    assert f"<h1>{sign_in}</h1>" in web.get("/login").get_data(as_text=True)


def test_form_validation_messages_are_indonesian_by_default(tmp_path):
    from app import create_app
    from core.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path, "forms.db")})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    html = client.post("/register", data={"csrf_token": token, "nik": "123"}).get_data(as_text=True)
    assert "Isian ini wajib diisi." in html and "This field is required." not in html
