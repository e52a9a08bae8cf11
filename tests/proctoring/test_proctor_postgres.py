"""The supervised exam on PostgreSQL (migrated schema, JSON columns, row locks):
camera check, start, frames and events, flags and score, purge.

Runs when TEST_DATABASE_URL points at a PostgreSQL server (`.ci/run` starts one)."""
from datetime import date

import pytest
from proctor_helpers import FRONT, SECOND, Exam, event, jpeg, pass_check

from accounts.services import register_applicant
from app import create_app
from core.extensions import db
from exam.blueprints import DEFAULT_TOPIC_COUNTS, ensure_default_blueprints
from helpers import FROZEN_START, PASSWORD, Api, FrozenClock, question_data
from proctoring.models import Frame, ProctorFlag, ProctorSession, SystemCheck
from question_bank.services import upsert_question


@pytest.fixture
def pg_app(tmp_path, monkeypatch, postgres_url):
    from flask_migrate import upgrade

    app = create_app({
        "TESTING": True, "SECRET_KEY": "pg-proctor", "SQLALCHEMY_DATABASE_URI": postgres_url,
        "EVIDENCE_FOLDER": str(tmp_path / "evidence"), "PROCTORING_REQUIRED": True, "PROCTOR_ANALYZER": "fake",
        "PROCTOR_SYNC_ANALYSIS": True,
    })
    clock = FrozenClock(FROZEN_START, monkeypatch)
    clock.install()
    with app.app_context(), app.test_request_context():
        upgrade()
        for topic, count in DEFAULT_TOPIC_COUNTS.items():
            for _ in range(count):
                upsert_question(question_data(topic=topic, classes=("A",)))
        db.session.commit()
        ensure_default_blueprints()
        register_applicant(full_name="Ani PG", nik="3174010204900001", born=date(1990, 4, 2),
                           email="pg@example.test", password=PASSWORD, sim_class="A", held=[])
    app.clock = clock
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_supervised_exam_on_postgres(pg_app):
    api = Api(pg_app.test_client())
    assert api.login("pg@example.test").status_code == 200
    application_id = api.get("/applications").get_json()["applications"][0]["id"]
    assert api.start(application_id).status_code == 409
    pass_check(api, application_id)
    started = api.start(application_id)
    assert started.status_code == 201
    exam = Exam(api, started.get_json()["id"], pg_app.clock)

    exam.frame()
    exam.frame(jpeg(faces=[FRONT, SECOND]))
    exam.frame(jpeg(faces=[]))
    exam.frame(jpeg(faces=[]))
    assert exam.frame(jpeg(faces=[]), sequence=4).status_code == 200  # a resend
    assert exam.events(event("copy", pg_app.clock.now)).status_code == 202

    with pg_app.app_context():
        kinds = sorted(f.kind for f in db.session.scalars(db.select(ProctorFlag)))
        session = db.session.scalar(db.select(ProctorSession))
        frames = db.session.scalars(db.select(Frame).order_by(Frame.sequence)).all()
        assert kinds == ["copy_paste", "multiple_faces", "no_face"]
        assert session.risk_score > 0 and session.flag_count == 3
        assert [f.is_evidence for f in frames] == [False, True, True, True]
        assert db.session.scalar(db.select(SystemCheck)).attempt_id == session.attempt_id

    pg_app.clock.advance(days=91)
    result = pg_app.test_cli_runner().invoke(args=["purge-evidence"])
    assert "3 evidence frame(s) and 1 reference photo(s)" in result.output
