"""The database layer: SQLite pragmas, write locking, and schema upgrades."""

import threading
import time

from sqlalchemy import text

from app.db import Database


def test_sqlite_is_durable(db: Database) -> None:
    with db.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_write_lock_is_released_at_commit(db: Database) -> None:
    """After its commit a write session reads without blocking other writers."""
    with db.session(write=True) as first:
        first.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: holds the write lock
        first.commit()
        first.execute(text("SELECT 1"))  # a new, deferred transaction
        done = threading.Event()

        def write() -> None:
            with db.session(write=True) as second:
                second.execute(text("SELECT 1"))
                second.commit()
            done.set()

        thread = threading.Thread(target=write)
        started = time.monotonic()
        thread.start()
        assert done.wait(5)
        assert time.monotonic() - started < 1
        thread.join()


def test_migrations_match_the_models(db: Database) -> None:
    """Every model change comes with an Alembic migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import app.models  # noqa: F401

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, SQLModel.metadata) == []
