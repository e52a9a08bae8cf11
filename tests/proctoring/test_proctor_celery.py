"""Frame analysis on Celery with a real Redis and a real worker process.

The app under test (Flask test client) has PROCTOR_QUEUE=celery; the worker is
`celery -A celery_test_worker worker` (the real `proctoring.tasks`, with an analyzer
that logs each analysis and can be held mid-analysis until a file appears) against
the same database, created by the app's migrations (`flask db upgrade`): a SQLite file,
or in the suite's PostgreSQL pass a PostgreSQL database (tests/databases.py)."""
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import databases
import pytest
from services import ROOT, wait_for

import helpers
from app import create_app
from core.celery_app import ANALYZE_FRAME, QUEUE
from core.extensions import db
from proctoring.models import ANALYZED, QUEUED, Frame
from proctoring.services import requeue_stale_frames

HERE = Path(__file__).resolve().parent


@pytest.fixture
def database_url(tmp_path):
    """An empty database migrated by the real `flask db upgrade`."""
    url = databases.database_uri(tmp_path, "celery.db", migrated=False)
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, check=True,
                   capture_output=True, timeout=300, env={**os.environ, "DATABASE_URL": url})
    return url


@pytest.fixture
def app(tmp_path, clock, database_url, redis_server):
    """The web side: this test's app, sending analysis to Celery (replaces conftest's `app`)."""
    application = create_app({**helpers.testing_config(tmp_path), "SQLALCHEMY_DATABASE_URI": database_url,
                              "PROCTOR_QUEUE": "celery", "REDIS_URL": redis_server.url})
    clock.install()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


class Workers:
    """Starts real Celery workers (each in its own process group) and kills them."""

    def __init__(self, app, tmp_path: Path, redis_url: str):
        self.log = tmp_path / "analyses.log"
        self.gate = tmp_path / "gate"
        self.env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
                    "PROCTOR_QUEUE": "celery", "PROCTOR_ANALYZER": "fake", "SECRET_KEY": "celery-test-key",
                    "EVIDENCE_FOLDER": app.config["EVIDENCE_FOLDER"], "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
                    # A task of a vanished worker is delivered again after 3 s, looked for every second.
                    "CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_INTERVAL": "1",
                    "TEST_ANALYSIS_LOG": str(self.log), "PYTHONPATH": f"{HERE}{os.pathsep}{ROOT}"}
        self.processes: list[subprocess.Popen] = []
        self.output: list[str] = []

    def start(self, gated: bool = False) -> subprocess.Popen:
        env = {**self.env, **({"TEST_ANALYSIS_GATE": str(self.gate)} if gated else {})}
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_test_worker", "worker", "--concurrency", "1", "-Q", QUEUE,
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n", f"test{len(self.processes)}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.processes.append(process)
        ready = threading.Event()

        def drain():  # read the log, or a full pipe would stall the worker
            try:
                for line in process.stderr:
                    self.output.append(line)
                    if " ready." in line:
                        ready.set()
            except ValueError:
                pass

        threading.Thread(target=drain, daemon=True).start()
        wait_for(lambda: ready.is_set() or process.poll() is not None, 120, "the worker to be ready")
        assert process.poll() is None, "the worker exited:\n" + "".join(self.output[-30:])
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool processes: no shutdown, nothing acknowledged."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def lines(self, kind: str) -> list[str]:
        text = self.log.read_text() if self.log.exists() else ""
        return [line for line in text.splitlines() if line.startswith(kind + " ")]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            process.stderr.close()


@pytest.fixture
def workers(app, tmp_path, redis_server):
    started = Workers(app, tmp_path, redis_server.url)
    yield started
    started.stop_all()


def frame_row(app, frame_id: int) -> Frame:
    with app.app_context():
        frame = db.session.get(Frame, frame_id)
        db.session.expunge(frame)
        return frame


def only_frame_id(app) -> int:
    with app.app_context():
        (frame_id,) = db.session.scalars(db.select(Frame.id)).all()
        return frame_id


def analysed(app, frame_id: int) -> bool:
    return frame_row(app, frame_id).status == ANALYZED


def test_an_uploaded_frame_is_analysed_by_the_worker_and_a_second_delivery_changes_nothing(app, exam, workers):
    workers.start()
    assert exam.frame().status_code == 202
    frame_id = only_frame_id(app)
    wait_for(lambda: analysed(app, frame_id), 60, "the worker to analyse the frame")
    first = frame_row(app, frame_id)
    assert first.analysis["faces"] and first.analyzed_at is not None

    celery = app.extensions["proctor_celery"].celery
    resent = [celery.send_task(ANALYZE_FRAME, args=[frame_id], queue=QUEUE) for _ in range(2)]
    assert [result.get(timeout=60) for result in resent] == ["skipped", "skipped"]
    assert len(workers.lines("done")) == len(workers.lines("start")) == 1  # analysed once
    again = frame_row(app, frame_id)
    assert (again.status, again.analyzed_at, again.analysis) == (ANALYZED, first.analyzed_at, first.analysis)


def test_a_worker_killed_mid_analysis_loses_no_frame(app, exam, workers):
    worker = workers.start(gated=True)
    assert exam.frame().status_code == 202
    frame_id = only_frame_id(app)
    wait_for(lambda: workers.lines("start"), 60, "the worker to start analysing")

    workers.kill(worker)
    assert frame_row(app, frame_id).status == QUEUED and not workers.lines("done")

    workers.gate.touch()
    workers.start(gated=True)
    wait_for(lambda: analysed(app, frame_id), 90, "a new worker to analyse the frame of the killed one")
    assert len(workers.lines("start")) == 2 and len(workers.lines("done")) == 1


def test_the_stale_frame_sweep_sends_a_lost_analysis_to_celery(app, exam, workers, redis_server, clock):
    import redis

    broker = redis.Redis.from_url(redis_server.url)
    assert exam.frame().status_code == 202
    assert broker.llen(QUEUE) == 1
    broker.delete(QUEUE)  # the task is lost (a broker restarted without persistence)
    frame_id = only_frame_id(app)

    clock.advance(seconds=app.config["PROCTOR_STALE_QUEUE_SECONDS"] + 1)
    with app.app_context():
        assert requeue_stale_frames() == 1
    assert broker.llen(QUEUE) == 1
    broker.close()
    workers.start()
    wait_for(lambda: analysed(app, frame_id), 60, "the worker to analyse the requeued frame")
    assert len(workers.lines("done")) == 1
