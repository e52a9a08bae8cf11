"""With PROCTOR_QUEUE=celery the broker is part of readiness: /healthz names it when it
is down (503), and a frame uploaded meanwhile is still stored and stays queued for the
stale-frame sweep, instead of failing the applicant's upload."""
import pytest
from services import free_port

import helpers
from app import create_app
from core.extensions import db
from proctoring.models import QUEUED, Frame


def celery_app(tmp_path, redis_url: str):
    application = create_app({**helpers.testing_config(tmp_path), "PROCTOR_QUEUE": "celery", "REDIS_URL": redis_url})
    with application.app_context():
        db.create_all()
    return application


@pytest.fixture
def app(tmp_path, clock):
    """The app with a broker address where nothing listens (replaces conftest's `app`)."""
    application = celery_app(tmp_path, f"redis://127.0.0.1:{free_port()}/0")
    clock.install()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthz_is_503_naming_the_broker_when_it_is_down(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    report = response.get_json()
    assert report["ready"] is False and report["unreachable"] == ["broker"]
    assert report["broker"] == "unreachable" and report["database"] == "ok" and report["analysis"] == "celery"


def test_healthz_is_ready_with_a_live_broker(tmp_path, redis_server):
    application = celery_app(tmp_path, redis_server.url)
    response = application.test_client().get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["ready"] is True and report["unreachable"] == []
    assert report["broker"] == "ok" and report["broker_queue"] == 0
    with application.app_context():
        db.engine.dispose()


def test_a_frame_uploaded_while_the_broker_is_down_is_kept_queued(app, exam, rows):
    assert exam.frame().status_code == 202
    (frame,) = rows(Frame)
    assert frame.status == QUEUED and frame.path is not None
