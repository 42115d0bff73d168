"""The database layer: SQLite pragmas, write locking, and schema upgrades."""

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db import Database
from tests.conftest import RecordedEvents


@pytest.mark.sqlite_only
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


def test_upgrade_keeps_existing_workshops_and_downgrades(empty_db_url: str) -> None:
    """A database with data from the first release upgrades in place (and back)."""
    from alembic import command
    from sqlalchemy import create_engine

    from app.db import alembic_config

    url = empty_db_url
    config = alembic_config(url)
    command.upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO workshop (slug, title, region, place, leitbild, goals, statement_stem,"
            " questions, join_code, joining_open, posting_open, facilitator_token_version,"
            " created_at) VALUES ('w', 'T', 'R', '', '', '[]', 'S', '[]', 'ABCD', :yes, :yes, 1,"
            " '2026-01-01')"), {"yes": True})
        connection.execute(text("INSERT INTO field (workshop_id, key, number, title, topics,"
                                " position) VALUES (1, 'hf1', 'HF 1', 'T', '', 0)"))
        connection.execute(text("INSERT INTO theme (field_id, text, kind, position)"
                                " VALUES (1, 'Thema', 'lag', 0)"))
    command.upgrade(config, "head")
    with engine.begin() as connection:
        row = connection.execute(text(
            "SELECT phase, rounds, current_round, premoderation FROM workshop")).one()
        assert tuple(row) == ("working", 2, 1, False)
        assert connection.execute(text("SELECT posting_open FROM field")).scalar() == True  # noqa: E712
        assert connection.execute(text("SELECT hidden_at FROM theme")).scalar() is None
        assert tuple(connection.execute(text(
            "SELECT dots_per_participant, dots_per_theme FROM workshop")).one()) == (5, 3)
    command.downgrade(config, "0001")
    command.upgrade(config, "head")
    engine.dispose()


@pytest.mark.sqlite_only
def test_a_failed_commit_leaves_no_transaction_behind(db: Database) -> None:
    """SQLite keeps a transaction open when its COMMIT fails; the next writer must not find it."""
    with pytest.raises(IntegrityError), db.session(write=True) as broken:
        # A deferred foreign key is checked at COMMIT (as a full disk would fail there too).
        broken.execute(text("PRAGMA defer_foreign_keys=ON"))
        broken.execute(text("INSERT INTO participant (workshop_id, public_id, display_name, "
                            "role, created_at) VALUES (999999, 'p', '', 'participant', "
                            "'2026-01-01')"))
        broken.commit()
    for _ in range(3):  # whichever pooled connection comes next
        with db.session(write=True) as session:
            session.execute(text("SELECT 1"))
            session.commit()


def test_a_request_session_writes_only_through_db_write(db: Database,
                                                        events: RecordedEvents) -> None:
    """Dependencies only read: a request's session refuses a write outside `Database.write`;
    inside it the service's change commits, its events are published, and the session reads
    again afterwards (a later change outside is refused again)."""
    from sqlmodel import select

    from app import participants
    from app.db.unit import unit
    from app.models import Participant
    from tests.factories import make_workshop

    with db.transaction() as setup:
        workshop = make_workshop(setup)
    with db.session() as session:
        unit(session).guarded = True
        workshop = session.merge(workshop)
        with pytest.raises(RuntimeError, match=r"only through Database\.write"):
            participants.join(session=session, workshop=workshop)
        session.rollback()
        before = len(events.published)
        with db.write(session, workshop.id):
            joined = participants.join(session=session, workshop=workshop)
        assert events.kinds()[before:] == ["participant-joined"]
        assert not unit(session).writes and session.get_bind() is db.engine
        joined.display_name = "später"
        with pytest.raises(RuntimeError, match=r"only through Database\.write"):
            session.flush()
        session.rollback()
        with pytest.raises(ValueError), db.write(session, workshop.id):
            session.add(Participant(workshop_id=workshop.id, public_id="half-written"))
            session.flush()
            raise ValueError("the work failed before its commit")
        workshop_id = workshop.id
    with db.session() as check:
        assert len(check.exec(select(Participant).where(
            Participant.workshop_id == workshop_id)).all()) == 1  # the failed one rolled back


def test_a_current_database_is_checked_without_loading_alembic(db_url: str) -> None:
    """Every CLI command starts with `upgrade`: at the newest revision it is one query."""
    import subprocess
    import sys

    from alembic.script import ScriptDirectory

    from app.db import alembic_config
    from app.db.database import current_revision, head_revision

    assert head_revision() == ScriptDirectory.from_config(
        alembic_config(db_url)).get_current_head()
    assert current_revision(db_url) == head_revision()
    check = ("import sys; from app.db import database; database.upgrade(sys.argv[1]); "
             "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", check, db_url], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"

