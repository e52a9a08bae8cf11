"""The real server killed with SIGKILL in the middle of an exam: every answer it
acknowledged is still there after a restart, and the applicant resumes the same
attempt with the same session cookie. The server runs as a subprocess (`flask run`)
on a SQLite file, seeded by the real `db upgrade` and `seed` commands."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """JSON over HTTP with a cookie jar and the CSRF header, like the exam page."""

    def __init__(self, base: str):
        self.base, self.csrf = base, None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json", "Accept": "application/json",
                                                  **({"X-CSRFToken": self.csrf} if self.csrf else {})})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.db'}", "SECRET_KEY": "crash-test-key",
           "SESSION_COOKIE_SECURE": "0", "PROCTORING_REQUIRED": "0", "EXAM_SWEEP_INTERVAL": "0",
           "EVIDENCE_FOLDER": str(tmp_path / "evidence"), "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    port = free_port()
    processes = []

    def start() -> str:
        """Start the server; returns its URL once it says it is listening."""
        process = subprocess.Popen(flask + ["run", "--port", str(port), "--no-reload"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        listening = threading.Event()

        def drain():  # the log must be read, or a full pipe would stall the server
            try:
                for line in process.stderr:
                    if "Running on" in line:
                        listening.set()
            except ValueError:  # closed at teardown
                pass

        threading.Thread(target=drain, daemon=True).start()
        assert listening.wait(60), "the server did not come up"
        return f"http://127.0.0.1:{port}"

    yield start, processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()


def test_acknowledged_answers_survive_a_sigkill_and_the_exam_resumes(server):
    start, processes = server
    client = Client(start())
    status, session = client.call("GET", "/session")
    client.csrf = session["csrf_token"]
    status, session = client.call("POST", "/session", {"email": "applicant@demo.sim", "password": "demo-password-123"})
    assert status == 200
    client.csrf = session["csrf_token"]
    application = client.call("GET", "/applications")[1]["applications"][0]["id"]
    status, attempt = client.call("POST", "/attempts", {"application_id": application, "consent": True})
    assert status == 201
    public_id = attempt["id"]
    acknowledged = []
    for number in range(1, 8):
        status, _ = client.call("POST", f"/attempts/{public_id}/questions/{number}/answer", {"option": number % 3})
        assert status == 200
        acknowledged.append(number)

    processes[-1].send_signal(signal.SIGKILL)  # no shutdown, no flush: the process is gone
    processes[-1].wait()
    start()

    status, state = client.call("GET", f"/attempts/{public_id}")  # the same cookie, a new process
    assert status == 200 and state["state"] == "in_progress"
    answered = [item["position"] for item in state["items"] if item["answered"]]
    assert answered == acknowledged
    assert client.call("POST", f"/attempts/{public_id}/questions/8/answer", {"option": 1})[0] == 200
    status, result = client.call("POST", f"/attempts/{public_id}/submit")
    assert status == 200 and result["total"] == 30 and result["verification_code"]
