"""Production serving: gunicorn with gunicorn.conf.py runs `app:create_app()` (a real
subprocess on a free port, on a database made by the migrations): /healthz answers 200,
versioned static files are cacheable for a year, and an oversized request line is refused."""
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from databases import database_uri
from services import ROOT, free_port, wait_for


@pytest.fixture
def gunicorn(tmp_path):
    database = database_uri(tmp_path, "serve.db", migrated=False)
    env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "serve-test-key", "SESSION_COOKIE_SECURE": "0",
           "EVIDENCE_FOLDER": str(tmp_path / "evidence"), "UPLOAD_FOLDER": str(tmp_path / "uploads"),
           "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", "gunicorn.conf.py",
                                "app:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: process.poll() is not None or get(base + "/healthz")[0] == 200, 120, "gunicorn to serve")
    assert process.poll() is None, "gunicorn exited:\n" + "".join(log[-20:])
    yield base
    process.terminate()
    process.wait(60)
    process.stderr.close()


def get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""
    except OSError:
        return 0, {}, ""


def test_gunicorn_serves_health_and_cacheable_static_files(gunicorn):
    status, headers, body = get(gunicorn + "/healthz")
    assert status == 200 and '"ready":true' in body.replace(" ", "")

    status, _, page = get(gunicorn + "/login")
    assert status == 200
    stylesheet = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page)
    assert stylesheet, "the page links its stylesheet with a version"
    status, headers, _ = get(gunicorn + stylesheet.group(1))
    assert status == 200 and "max-age=31536000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]

    status, headers, _ = get(gunicorn + "/static/css/app.css")  # without the version: an hour
    assert status == 200 and "max-age=3600" in headers["Cache-Control"]


def test_gunicorn_refuses_an_oversized_request_line(gunicorn):
    assert get(gunicorn + "/healthz?" + "x" * 3900)[0] == 200  # limit_request_line is 4094
    assert get(gunicorn + "/healthz?" + "x" * 4200)[0] == 414
