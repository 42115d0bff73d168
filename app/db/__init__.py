"""The database layer: engine and sessions (`database`), the one state of a transaction and its
hooks (`unit`), group commit on SQLite, a workshop's turn on PostgreSQL (`locks`), copies and
backups (`backup`), and the Alembic migrations. It imports nothing of the domain."""

from app.db.database import (
    MIGRATIONS,
    Database,
    Publisher,
    alembic_config,
    describe,
    is_postgres,
    make_engine,
    unavailable,
    upgrade,
)

__all__ = ["MIGRATIONS", "Database", "Publisher", "alembic_config", "describe", "is_postgres",
           "make_engine", "unavailable", "upgrade"]
