"""The real server killed with SIGKILL in the middle of an exam: every answer and every
webcam frame it acknowledged is still there after a restart, each frame is analysed
once after it, and the applicant resumes the same attempt with the same session
cookie. The server runs as a subprocess (`flask run`) on a SQLite file, seeded by the
real `db upgrade` and `seed` commands."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from databases import database_uri
from sqlalchemy import create_engine, text

from proctoring.analysis import embed_fake_scenario

ROOT = Path(__file__).resolve().parent.parent
FRAME = (ROOT / "tests" / "proctoring" / "data" / "frame_640x480.jpg").read_bytes()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """JSON over HTTP with a cookie jar and the CSRF header, like the exam page."""

    def __init__(self, base: str):
        self.base, self.csrf = base, None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, body=None, jpeg: bytes | None = None) -> tuple[int, dict]:
        """A JSON body, or with `jpeg` a raw image/jpeg body (values in the query string)."""
        data = jpeg if jpeg is not None else json.dumps(body).encode() if body is not None else None
        kind = "image/jpeg" if jpeg is not None else "application/json"
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method,
                                         headers={"Content-Type": kind, "Accept": "application/json",
                                                  **({"X-CSRFToken": self.csrf} if self.csrf else {})})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


    def sign_in(self) -> int:
        """Sign the demo applicant in; returns the id of their application."""
        self.csrf = self.call("GET", "/session")[1]["csrf_token"]
        status, session = self.call("POST", "/session", {"email": "applicant@demo.sim", "password": "demo-password-123"})
        assert status == 200
        self.csrf = session["csrf_token"]
        return self.call("GET", "/applications")[1]["applications"][0]["id"]


@pytest.fixture
def database(tmp_path) -> str:
    """The servers' database, empty (they migrate it)."""
    return database_uri(tmp_path, "crash.db", migrated=False)


@pytest.fixture
def servers(tmp_path, database):
    """`launch(**environment)`: a migrated, seeded database and a `start()` for servers on it
    (one port, one database, one evidence folder); returns (start, processes, logs), where
    `logs` gets every line the servers write to stderr."""
    processes, logs = [], []

    def launch(**extra: str):
        env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": "crash-test-key",
               "SESSION_COOKIE_SECURE": "0", "PROCTORING_REQUIRED": "0", "EXAM_SWEEP_INTERVAL": "0",
               "EVIDENCE_FOLDER": str(tmp_path / "evidence"), "UPLOAD_FOLDER": str(tmp_path / "uploads"), **extra}
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        port = free_port()

        def start() -> str:
            """Start the server; returns its URL once it says it is listening."""
            process = subprocess.Popen(flask + ["run", "--port", str(port), "--no-reload"], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            processes.append(process)
            listening = threading.Event()

            def drain():  # the log must be read, or a full pipe would stall the server
                try:
                    for line in process.stderr:
                        logs.append(line)
                        if "Running on" in line:
                            listening.set()
                except ValueError:  # closed at teardown
                    pass

            threading.Thread(target=drain, daemon=True).start()
            assert listening.wait(60), "the server did not come up"
            return f"http://127.0.0.1:{port}"

        return start, processes, logs

    yield launch
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()


@pytest.fixture
def server(servers):
    return servers()


def test_acknowledged_answers_survive_a_sigkill_and_the_exam_resumes(server):
    start, processes, _ = server
    client = Client(start())
    application = client.sign_in()
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


def stored_frames(database: str) -> dict[int, dict]:
    """The attempt's frames as the database has them, by sequence number."""
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, sequence, status, path, analyzed_at, analysis FROM proctor_frames"))
            frames = {row.sequence: dict(row._mapping) for row in rows}
    finally:
        engine.dispose()
    for row in frames.values():  # SQLite returns the JSON text, PostgreSQL the decoded value
        if isinstance(row["analysis"], str):
            row["analysis"] = json.loads(row["analysis"])
    return frames


def test_acknowledged_frames_survive_a_sigkill_and_are_analysed_once_after_the_restart(servers, database, tmp_path):
    # A webcam-supervised exam (no liveness step: a still photo cannot turn its head), on the
    # in-process analysis pool; the fake analyzer takes 2 s per frame, like the real models, so
    # the kill comes while frames are being analysed and others wait behind them.
    start, processes, logs = servers(PROCTORING_REQUIRED="1", PROCTOR_LIVENESS_REQUIRED="0",
                                     PROCTOR_ANALYZER="fake", PROCTOR_SYNC_ANALYSIS="0", PROCTOR_QUEUE="threads",
                                     PROCTOR_WORKERS="2", PROCTOR_DELETE_CLEAN_FRAMES="0")
    evidence = tmp_path / "evidence"
    client = Client(start())
    application = client.sign_in()
    status, check = client.call("POST", f"/applications/{application}/system-check", jpeg=FRAME)
    assert status == 201 and check["passed"]
    status, attempt = client.call("POST", "/attempts", {"application_id": application, "consent": True})
    assert status == 201
    public_id = attempt["id"]
    assert client.call("POST", f"/attempts/{public_id}/questions/1/answer", {"option": 1})[0] == 200
    frame = embed_fake_scenario(FRAME, seconds=2)
    acknowledged = {}
    for sequence in range(1, 6):
        status, body = client.call("POST", f"/attempts/{public_id}/frames?sequence={sequence}"
                                   f"&client_time={int(time.time() * 1000)}", jpeg=frame)
        assert status == 202 and body["stored"]
        acknowledged[sequence] = body["frame"]

    processes[-1].send_signal(signal.SIGKILL)  # right after the last 202: analyses in flight are lost
    processes[-1].wait()

    at_kill = stored_frames(database)
    assert {sequence: row["id"] for sequence, row in at_kill.items()} == acknowledged
    for row in at_kill.values():  # the row and its file, as acknowledged
        assert (evidence / row["path"]).read_bytes() == frame
    waiting = {sequence for sequence, row in at_kill.items() if row["status"] == "queued"}
    assert waiting, "every frame was analysed before the kill: the kill came too late to test anything"
    analysed_before = {sequence: row["analyzed_at"] for sequence, row in at_kill.items() if sequence not in waiting}

    start()  # the same database and evidence folder; the first request is the applicant's
    status, state = client.call("GET", f"/attempts/{public_id}")
    assert status == 200 and state["state"] == "in_progress"
    assert [item["position"] for item in state["items"] if item["answered"]] == [1]

    deadline = time.monotonic() + 60  # 5 frames x 2 s on 2 threads: a few seconds
    while any(row["status"] == "queued" for row in stored_frames(database).values()):
        assert time.monotonic() < deadline, f"frames still queued after the restart: {stored_frames(database)}"
        time.sleep(0.2)
    after = stored_frames(database)
    assert {sequence: row["id"] for sequence, row in after.items()} == acknowledged  # no row lost or added
    for sequence, row in after.items():
        assert row["status"] == "analyzed", row
        assert row["analysis"]["detail"] == {"analyzer": "fake"}
        assert (evidence / row["path"]).read_bytes() == frame
        if sequence in analysed_before:  # analysed before the kill: not analysed again
            assert row["analyzed_at"] == analysed_before[sequence]
    # Exactly once: the restarted server queued each waiting frame once, and nothing is left to queue.
    recovered = [line for line in logs if "left queued by a previous process" in line]
    assert len(recovered) == 1 and f"Queued {len(waiting)} frame(s)" in recovered[0], recovered
    assert not [line for line in logs if "Traceback" in line or "not analysed" in line]

    # The exam goes on: another answer, another frame (analysed), and the submission.
    assert client.call("POST", f"/attempts/{public_id}/questions/2/answer", {"option": 2})[0] == 200
    status, body = client.call("POST", f"/attempts/{public_id}/frames?sequence=6"
                               f"&client_time={int(time.time() * 1000)}", jpeg=FRAME)
    assert status == 202 and body["stored"]
    status, result = client.call("POST", f"/attempts/{public_id}/submit")
    assert status == 200 and result["total"] == 30 and result["verification_code"]
    deadline = time.monotonic() + 30
    while stored_frames(database)[6]["status"] == "queued":
        assert time.monotonic() < deadline, "the frame sent after the restart was not analysed"
        time.sleep(0.2)
    final = stored_frames(database)
    assert final[6]["status"] == "analyzed"
    assert {sequence: row["analyzed_at"] for sequence, row in final.items() if sequence <= 5} == \
        {sequence: row["analyzed_at"] for sequence, row in after.items()}  # none analysed a second time
