"""Copy every workshop from one database to another (SQLite → PostgreSQL and back), and backups.

The copy is one transaction on the target: it lands completely or not at all. Tables go in the
order of their foreign keys, rows in the order of their ids, which are kept (links and QR codes
name them). A column that points into its own table (a merged card names the card it went
into) is filled in a second pass, so the order of rows never matters. Afterwards every table is
compared: row count and a SHA-256 over all values, read back from both databases.
"""

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text, update
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from app.db import alembic_config, make_engine, upgrade
from app.errors import CopyError

BATCH = 1000


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    checksum: str


def database_url(value: str) -> str:
    """A SQLAlchemy URL, or the path of a SQLite file."""
    return value if "://" in value else f"sqlite:///{Path(value).resolve()}"


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # loaded for a copy only

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _head(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _normal(value: Any) -> Any:
    """One spelling of a value, whichever database it was read from."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(
        select(table).order_by(*order))
    for row in result.mappings():
        yield dict(row)


def checksums(engine: Engine) -> list[TableCheck]:
    """Row count and SHA-256 of every table's rows in id order."""
    checks = []
    with engine.connect() as connection:
        for table in _tables():
            digest = hashlib.sha256()
            rows = 0
            for row in _rows(connection, table):
                normal = [_normal(row[column.name]) for column in table.columns]
                digest.update(json.dumps(normal, sort_keys=True, ensure_ascii=False,
                                         default=str).encode())
                digest.update(b"\n")
                rows += 1
            checks.append(TableCheck(table.name, rows, digest.hexdigest()))
    return checks


def copy_database(source: str, target: str, *,
                  progress: Callable[[str, int], None] | None = None) -> list[TableCheck]:
    """Copy everything from `source` into the empty database `target`; return the checks.

    Raises CopyError (in German) when the source is not at the newest schema, the target is
    not empty, or the copy reads back differently from the source.
    """
    source_engine = make_engine(source)
    try:
        if _revision(source_engine) != _head(source):
            raise CopyError("Die Quelldatenbank hat nicht das neueste Schema. Bitte zuerst "
                            "`zukunft db upgrade --database-url …` für sie ausführen.")
        upgrade(target)
        target_engine = make_engine(target)
        try:
            _copy(source_engine, target_engine, progress)
            expected, found = checksums(source_engine), checksums(target_engine)
            for want, got in zip(expected, found, strict=True):
                if want != got:
                    raise CopyError("Die Kopie weicht von der Quelle ab (Tabelle {table}: "
                                    "{want} Zeilen erwartet, {got} gefunden, oder andere "
                                    "Inhalte).", table=want.table, want=want.rows,
                                    got=got.rows)
            return found
        finally:
            target_engine.dispose()
    finally:
        source_engine.dispose()


def _copy(source: Engine, target: Engine,
          progress: Callable[[str, int], None] | None) -> None:
    with source.connect() as reader, target.begin() as writer:
        for table in _tables():
            present = writer.execute(select(func.count()).select_from(table)).scalar_one()
            if present:
                raise CopyError("Die Zieldatenbank ist nicht leer (Tabelle {table}: {rows} "
                                "Zeilen). Bitte in eine leere Datenbank kopieren.",
                                table=table.name, rows=present)
        for table in _tables():
            own = [column.name for column in table.columns
                   if any(fk.column.table is table for fk in column.foreign_keys)]
            later: list[dict[str, Any]] = []
            batch: list[dict[str, Any]] = []
            copied = 0
            for row in _rows(reader, table):
                if own and any(row[name] is not None for name in own):
                    later.append({"_id": row["id"], **{name: row[name] for name in own}})
                    row = {**row, **dict.fromkeys(own)}
                batch.append(row)
                if len(batch) == BATCH:
                    writer.execute(table.insert(), batch)
                    copied += len(batch)
                    batch = []
                    if progress:
                        progress(table.name, copied)
            if batch:
                writer.execute(table.insert(), batch)
                copied += len(batch)
            for values in later:
                key = values.pop("_id")
                writer.execute(update(table).where(table.c.id == key).values(**values))
            if progress:
                progress(table.name, copied)
        if target.dialect.name == "postgresql":
            # Ids were copied as they were; new rows continue after the largest.
            for table in _tables():
                if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                    writer.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))


def backup(url: str, destination: Path) -> Path:
    """A consistent copy of the running database: SQLite's online backup, or pg_dump."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = sqlite3.connect(parsed.database or "")
        try:
            target = sqlite3.connect(destination)
            try:
                source.backup(target, pages=1024)
                verdict = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
        finally:
            source.close()
        if not verdict or verdict[0] != "ok":
            raise CopyError("Die Sicherung ist beschädigt: {detail}", detail=str(verdict))
        return destination
    pg_dump = postgres_program("pg_dump")
    if pg_dump is None:
        raise CopyError("pg_dump wurde nicht gefunden. Bitte die PostgreSQL-Client-Programme "
                        "installieren (apt-get install postgresql-client).")
    done = subprocess.run(
        [pg_dump, "--format=custom", "--file", str(destination),
         parsed.set(drivername="postgresql").render_as_string(hide_password=False)],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CopyError("pg_dump ist fehlgeschlagen: {detail}", detail=done.stderr.strip())
    return destination


def postgres_program(name: str) -> str | None:
    """A program of the newest installed PostgreSQL (Debian keeps them together in
    /usr/lib/postgresql/<version>/bin), else the one on the PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                   key=lambda path: int(path.parent.parent.name))
    return str(found[-1]) if found else shutil.which(name)
