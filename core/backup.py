"""Backup and restore of everything the platform keeps: every table (a logical dump,
so a backup taken on SQLite restores on PostgreSQL and back) and the evidence and
upload folders, in one .tar.gz.

`flask --app app backup FILE` / `flask --app app restore FILE [--replace]`. A
restore goes into an empty database (or replaces everything with --replace) in one
transaction: on any error nothing of it stays. The schema comes from the migrations
(`flask db upgrade` first); the backup records the migration it was taken at, and a
restore into another schema version is refused.
"""
import base64
import io
import json
import tarfile
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Date, DateTime, LargeBinary, delete, func, insert, select, text, update

from core.extensions import db

FORMAT = 1
FOLDERS = {"evidence": "EVIDENCE_FOLDER", "uploads": "UPLOAD_FOLDER"}


class BackupError(Exception):
    """The backup cannot be restored here (wrong file, other schema, data in the way)."""


def _schema_revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no migrations table: a schema made by create_all (tests)
        db.session.rollback()
        return None


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(column, value):
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def backup(destination: Path) -> dict[str, int]:
    """Write the backup; returns the rows per table. The tables are read in one
    repeatable-read transaction, so they are consistent with each other while the
    platform keeps running."""
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).mappings().all()
        tables[table.name] = [{key: _encode(value) for key, value in row.items()} for row in rows]
    manifest = {"format": FORMAT, "schema": _schema_revision(), "tables": {n: len(r) for n, r in tables.items()}}
    with tarfile.open(destination, "w:gz") as archive:
        _add_bytes(archive, "manifest.json", json.dumps(manifest).encode())
        _add_bytes(archive, "tables.json", json.dumps(tables).encode())
        for name, setting in FOLDERS.items():
            folder = Path(current_app.config[setting])
            if folder.is_dir():
                archive.add(folder, arcname=name)
    return manifest["tables"]


def _members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members = {}
    for member in archive.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"unsafe entry in the backup: {member.name}")
        members[member.name] = member
    return members


def restore(source: Path, replace: bool = False) -> dict[str, int]:
    """Load a backup into this database and folders; returns the rows per table.
    Raises BackupError (and changes nothing) for a bad file, another schema version,
    or a database that already holds data without `replace`."""
    try:
        archive = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"not a backup file: {error}") from error
    with archive:
        members = _members(archive)
        try:
            manifest = json.loads(archive.extractfile(members["manifest.json"]).read())
            tables = json.loads(archive.extractfile(members["tables.json"]).read())
        except (KeyError, ValueError) as error:
            raise BackupError("the backup has no readable manifest and tables") from error
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest.get("schema") != _schema_revision():
            raise BackupError(f"the backup was taken at schema {manifest.get('schema')}, this database is at "
                              f"{_schema_revision()}: run the matching migrations first")
        known = {table.name: table for table in db.metadata.sorted_tables}
        if set(tables) - set(known):
            raise BackupError(f"unknown tables in the backup: {sorted(set(tables) - set(known))}")
        in_use = [name for name, table in known.items()
                  if db.session.scalar(select(func.count()).select_from(table))]
        if in_use and not replace:
            raise BackupError(f"the database is not empty ({', '.join(in_use)}): restore with --replace")
        try:
            for table in db.metadata.sorted_tables:  # undo cycles first, as _insert_all makes them
                nullable = [c.name for c in table.columns if c.foreign_keys and c.nullable]
                if nullable:
                    db.session.execute(update(table).values(**dict.fromkeys(nullable)))
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
            loaded = {table.name: [{column.name: _decode(column, row.get(column.name)) for column in table.columns}
                                   for row in tables.get(table.name, [])] for table in db.metadata.sorted_tables}
            _insert_all(loaded)
            _reset_sequences()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        for name, setting in FOLDERS.items():
            folder = Path(current_app.config[setting])
            for member in (m for key, m in members.items() if key.startswith(name + "/") and m.isfile()):
                target = folder / Path(member.name).relative_to(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.extractfile(member).read())
    return {name: len(rows) for name, rows in tables.items()}


def _insert_all(loaded: dict[str, list[dict]]) -> None:
    """Insert every table's rows in dependency order. Tables that point at each other
    (a question and its current version) are a cycle no order satisfies: their
    nullable foreign keys go in empty first and are filled in once every row exists."""
    later = []
    for table in db.metadata.sorted_tables:
        rows = loaded[table.name]
        if not rows:
            continue
        deferred = [c.name for c in table.columns if c.foreign_keys and c.nullable]
        db.session.execute(insert(table), [{**row, **dict.fromkeys(deferred)} for row in rows])
        if deferred:
            later.append((table, deferred, rows))
    for table, deferred, rows in later:
        keys = [column.name for column in table.primary_key.columns]
        for row in rows:
            values = {name: row[name] for name in deferred if row[name] is not None}
            if values:
                condition = [table.columns[key] == row[key] for key in keys]
                db.session.execute(update(table).where(*condition).values(**values))


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the restored rows (SQLite needs nothing)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
