"""The schema migrations and the whole applicant flow on PostgreSQL.

Runs when TEST_DATABASE_URL points at a PostgreSQL server (`.ci/run` starts one on
loopback); each test gets a database of its own (the `postgres_url` fixture)."""
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from accounts.services import register_applicant
from app import create_app
from core.extensions import db
from core.sim_classes import CLASS_CODES
from exam import services
from exam.blueprints import DEFAULT_TOPIC_COUNTS, ensure_default_blueprints
from helpers import question_data
from question_bank.loader import load_bank
from question_bank.services import upsert_question


@pytest.fixture
def pg_app(tmp_path, postgres_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "pg", "SQLALCHEMY_DATABASE_URI": postgres_url,
                      "EVIDENCE_FOLDER": str(tmp_path / "evidence")})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_migrations_upgrade_and_downgrade_on_postgres(pg_app):
    with pg_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        foreign_keys = inspect(db.engine).get_foreign_keys("questions")
        assert any(fk["referred_table"] == "question_versions" for fk in foreign_keys)
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_bundled_bank_loads_and_an_exam_runs_on_postgres(pg_app):
    with pg_app.app_context(), pg_app.test_request_context():
        upgrade()
        counts = load_bank()
        assert counts["created"] > 0
        number = 0
        for topic, count in DEFAULT_TOPIC_COUNTS.items():
            for _ in range(count):
                number += 1
                upsert_question(question_data(topic=topic, classes=CLASS_CODES, code=f"PG-{number}"))
        db.session.commit()
        ensure_default_blueprints()
        born = date(1992, 7, 1)
        user = register_applicant(full_name="Putu Pg", nik="5171010107920001", born=born, email="pg@t.id",
                                  password="pg-password-123", sim_class="C", held=[])
        attempt = services.start_attempt(user, services.latest_application(user, "C"), consent=True)
        assert len(attempt.items) == sum(DEFAULT_TOPIC_COUNTS.values())
        for item in attempt.items:
            correct_display = item.option_order.index(item.version.correct_index)
            services.answer(attempt, item.position, correct_display)
        services.submit(attempt)
        assert attempt.passed is True and attempt.correct_count == len(attempt.items)
        assert services.find_by_verification_code(attempt.verification_code).id == attempt.id
