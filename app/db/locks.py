"""Writes within one workshop take turns on PostgreSQL, as they do on SQLite.

SQLite has a single writer, so a service may read, decide and write without anyone writing in
between. PostgreSQL lets transactions run side by side; a transaction-level advisory lock per
workshop gives the services the same guarantee there (and keeps the ids of a workshop's events
in commit order, see `events.record`). Workshops do not wait for each other.
"""

from sqlalchemy import text
from sqlmodel import Session

from app.db.unit import KEEPS_MEMO, unit

_LOCK_CLASS = 0x5A4B  # first key of the advisory lock ("ZK"); the second is the workshop id


def lock_workshop(session: Session, workshop_id: int) -> None:
    """Until this transaction ends, no other one writes to the workshop (PostgreSQL only)."""
    locked = unit(session).locked
    if workshop_id in locked or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"),
                    {"cls": _LOCK_CLASS, "key": workshop_id},
                    execution_options={KEEPS_MEMO: True})
    locked.add(workshop_id)


def lock_if_writing(session: Session, workshop_id: int) -> None:
    """Called when a request's session loads its workshop: a write locks it from the start."""
    if unit(session).writes:
        lock_workshop(session, workshop_id)
