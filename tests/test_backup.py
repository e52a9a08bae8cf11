"""Backup and restore (`flask backup` / `flask restore`): a working platform — an
applicant mid-exam with a proctoring frame on disk, the question bank, the audit
trail — goes into one file and comes back complete into an empty database built by
the migrations, on SQLite and (when TEST_DATABASE_URL is set) from SQLite into
PostgreSQL. A bad file, another schema or a database already in use changes nothing."""
import tarfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from core.audit import verify_chain
from core.extensions import db
from exam.models import Attempt, AttemptItem
from helpers import testing_config as base_config
from proctoring import storage

PHOTO = b"\xff\xd8fake evidence\xff\xd9"


@pytest.fixture
def source(tmp_path, bank, applicant, applicant_api, app):
    """The running platform: an exam with three answers and a file in the evidence folder."""
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    for number in (1, 2, 3):
        assert applicant_api.answer(public_id, number, 0).status_code == 200
    with app.app_context():
        storage.save("frames/demo/0000001.jpg", PHOTO)
    return app, public_id


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def empty_app(tmp_path, name: str, url: str | None = None):
    config = base_config(tmp_path / name)
    (tmp_path / name).mkdir()
    config.update(SQLALCHEMY_DATABASE_URI=url or f"sqlite:///{tmp_path / name / 'restored.db'}",
                  EVIDENCE_FOLDER=str(tmp_path / name / "evidence"))
    target = create_app(config)
    with target.app_context():
        upgrade()
    return target


def stamp_like(app, target) -> None:
    """Record the target's migration head on the test app (whose schema may come from
    create_all) so the backup says which schema it holds."""
    with target.app_context():
        head = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
    stamp(app, head)


def stamp(app, head: str) -> None:
    with app.app_context():
        db.session.execute(db.text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL)"))
        db.session.execute(db.text("DELETE FROM alembic_version"))
        db.session.execute(db.text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
        db.session.commit()


def restored_exam(target, public_id):
    with target.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        answered = db.session.scalars(select(AttemptItem.position).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.answered_at.is_not(None))).all()
        return attempt.state, sorted(answered), storage.read("frames/demo/0000001.jpg"), verify_chain().intact


def test_a_backup_restores_everything_into_an_empty_database(tmp_path, source):
    app, public_id = source
    target = empty_app(tmp_path, "target")
    stamp_like(app, target)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "platform.tar.gz")])
    assert result.exit_code == 0, result.output
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "platform.tar.gz")])
    assert result.exit_code == 0, result.output
    assert counts(target) == counts(app) and counts(app)["questions"] > 0
    assert restored_exam(target, public_id) == ("in_progress", [0, 1, 2], PHOTO, True)


def test_a_database_in_use_is_not_overwritten_without_replace(tmp_path, source):
    app, public_id = source
    target = empty_app(tmp_path, "target")
    stamp_like(app, target)
    app.test_cli_runner().invoke(args=["backup", str(tmp_path / "platform.tar.gz")])
    runner = target.test_cli_runner()
    assert runner.invoke(args=["restore", str(tmp_path / "platform.tar.gz")]).exit_code == 0
    before = counts(target)
    refused = runner.invoke(args=["restore", str(tmp_path / "platform.tar.gz")])
    assert refused.exit_code != 0 and "--replace" in refused.output
    assert counts(target) == before
    assert runner.invoke(args=["restore", "--replace", str(tmp_path / "platform.tar.gz")]).exit_code == 0
    assert counts(target) == before


def test_a_bad_file_or_another_schema_changes_nothing(tmp_path, source):
    app, _ = source
    target = empty_app(tmp_path, "target")
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tarball")
    runner = target.test_cli_runner()
    assert "not a backup file" in runner.invoke(args=["restore", str(tmp_path / "junk.tar.gz")]).output
    stamp(app, "0000another")
    app.test_cli_runner().invoke(args=["backup", str(tmp_path / "old.tar.gz")])
    wrong = runner.invoke(args=["restore", str(tmp_path / "old.tar.gz")])
    assert wrong.exit_code != 0 and "schema" in wrong.output
    with tarfile.open(tmp_path / "evil.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "junk.tar.gz", arcname="../outside.txt")
    assert "unsafe entry" in runner.invoke(args=["restore", str(tmp_path / "evil.tar.gz")]).output
    assert sum(counts(target).values()) == 0


def test_a_sqlite_backup_restores_on_postgresql(tmp_path, source, postgres_url):
    app, public_id = source
    target = empty_app(tmp_path, "pg", postgres_url)
    stamp_like(app, target)
    app.test_cli_runner().invoke(args=["backup", str(tmp_path / "platform.tar.gz")])
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "platform.tar.gz")])
    assert result.exit_code == 0, result.output
    assert counts(target) == counts(app)
    assert restored_exam(target, public_id) == ("in_progress", [0, 1, 2], PHOTO, True)
    with target.app_context():  # the ids go on after the restored rows
        from exam.models import Application

        db.session.add(Application(user_id=db.session.scalar(select(Attempt.user_id)), sim_class="C"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
