"""Where a test's database lives.

By default a SQLite file in the test's tmp_path. In the suite's PostgreSQL pass
(`TEST_SUITE_DATABASE=postgresql`, with TEST_DATABASE_URL naming a server: `make
test-postgresql`, `.ci/run`), every test gets a database of its own on that server,
copied from a template that the Alembic migrations built once per run (so the whole
suite also checks the migrated schema, not only `create_all`), and dropped after it.
"""
import logging
import os
import uuid
import weakref
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import Pool

ON_POSTGRESQL = os.environ.get("TEST_SUITE_DATABASE", "sqlite") == "postgresql"


@contextmanager
def logging_kept():
    """migrations/env.py calls logging.config.fileConfig, which replaces the root
    handlers and disables every existing logger; undo that afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {name: (logger.disabled, logger.level) for name, logger in logging.Logger.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, (disabled, logger_level) in loggers.items():
            logger = logging.getLogger(name)
            logger.disabled, logger.level = disabled, logger_level


def server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


class PostgresDatabases:
    """Databases made on one PostgreSQL server for this test run, dropped on request."""

    def __init__(self, url: str):
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.template: str | None = None
        self.connections = weakref.WeakSet()  # every DBAPI connection this process opened
        event.listen(Pool, "connect", self._opened)

    def _opened(self, connection, _record) -> None:
        if connection.__class__.__module__.startswith("psycopg"):
            self.connections.add(connection)

    def url_of(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def _create(self, template: str = "template0") -> str:
        name = f"sim_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def _migrated_template(self) -> str:
        if self.template is None:
            from flask_migrate import upgrade

            from app import create_app
            from core.extensions import db

            name = self._create()
            app = create_app({"TESTING": True, "SECRET_KEY": "template", "SQLALCHEMY_DATABASE_URI": self.url_of(name)})
            with logging_kept(), app.app_context():
                upgrade()
                db.session.remove()
                db.engine.dispose()
            self.template = name
        return self.template

    def new(self, *, migrated: bool) -> str:
        """The URL of a new database: empty, or with the migrated schema (no rows)."""
        name = self._create(self._migrated_template() if migrated else "template0")
        self.created.append(name)
        return self.url_of(name)

    def drop(self, names: list[str]) -> None:
        """Close what this process still holds open on them (an engine a test did not
        dispose: its connection would be garbage-collected open, a ResourceWarning
        attributed to a later test), then drop them, ending any other session."""
        for connection in list(self.connections):
            if not connection.closed and connection.info.dbname in names:
                connection.close()
        with self.admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def drop_created(self) -> None:
        names, self.created = self.created, []
        self.drop(names)

    def close(self) -> None:
        self.drop_created()
        if self.template is not None:
            self.drop([self.template])
        self.admin.dispose()
        event.remove(Pool, "connect", self._opened)


_postgres: PostgresDatabases | None = None


def postgres() -> PostgresDatabases:
    global _postgres
    if _postgres is None:
        url = server_url()
        if url is None:
            raise pytest.UsageError("TEST_SUITE_DATABASE=postgresql needs TEST_DATABASE_URL (a PostgreSQL server)")
        _postgres = PostgresDatabases(url)
    return _postgres


def database_uri(folder: Path, name: str = "test.db", *, migrated: bool = True) -> str:
    """The test's database: a SQLite file `folder/name`, or in the PostgreSQL pass a new
    database on the server (with the migrated schema unless `migrated` is False)."""
    if ON_POSTGRESQL:
        return postgres().new(migrated=migrated)
    return f"sqlite:///{folder / name}"


def drop_test_databases() -> None:
    if _postgres is not None:
        _postgres.drop_created()


def close() -> None:
    global _postgres
    if _postgres is not None:
        _postgres.close()
        _postgres = None


@contextmanager
def writes_blocked(url: str):
    """Another client holds the database's write lock until the block ends: SQLite's
    exclusive transaction, or on PostgreSQL an exclusive lock on the answers' table."""
    if url.startswith("sqlite:///"):
        import sqlite3

        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE attempt_items IN ACCESS EXCLUSIVE MODE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()
