"""Alembic migrations: `flask db upgrade` on an empty SQLite file builds exactly
the models' schema, and `flask db downgrade base` takes it all down again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.extensions import db

pytestmark = pytest.mark.usefixtures("keep_logging_configuration")


def flask_db(app, *args: str):
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output
    return result


def tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_upgrade_creates_the_models_schema(bare_app):
    assert tables(bare_app) == set()
    flask_db(bare_app, "upgrade")
    assert tables(bare_app) == set(db.metadata.tables) | {"alembic_version"}
    with bare_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_base_removes_everything(bare_app):
    flask_db(bare_app, "upgrade")
    flask_db(bare_app, "downgrade", "base")
    assert tables(bare_app) <= {"alembic_version"}
    flask_db(bare_app, "upgrade")  # and the way back up still works
    assert tables(bare_app) == set(db.metadata.tables) | {"alembic_version"}


def test_history_has_a_single_head(bare_app):
    with bare_app.app_context():
        config = bare_app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1

