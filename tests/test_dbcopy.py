"""Moving a workshop database: SQLite → PostgreSQL (and back), checked; and online backups."""

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from app import statements, surveys
from app.access import MAIN
from app.cli import cli
from app.db import Database, upgrade
from app.db import backup as dbcopy
from app.models import Workshop
from app.report import build_report
from app.report.writers import write_json
from app.workshops import get_field, get_workshop
from tests.conftest import pg_database
from tests.factories import make_participant
from tests.pgcluster import PgCluster, pg_bin
from tests.routes.test_statements import SEED
from tests.test_report import filled  # noqa: F401  (the seed's workshop, as a fixture)


@pytest.fixture
def other_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database on the other backend: SQLite copies to PostgreSQL, and back."""
    if backend == "sqlite":
        yield from pg_database(request, migrated=False)
    else:
        yield f"sqlite:///{tmp_path / 'copy.sqlite3'}"


@pytest.fixture
def seeded(session: Session, filled: Workshop) -> Workshop:  # noqa: F811
    """The seed's workshop with all five guiding sentences and a survey answered."""
    for key, completion in SEED.items():
        statements.adopt(session=session, workshop=filled, facilitator=MAIN,
                         field=get_field(session=session, workshop=filled, key=key),
                         text=completion)
    [survey] = surveys.surveys_of(session=session, workshop=filled)
    surveys.set_status(session=session, workshop=filled, facilitator=MAIN, survey=survey,
                       status="open")
    question = surveys.questions_of(session=session, survey=survey)[0]
    for choice in (0, 1, 1):
        surveys.answer(session=session, workshop=filled, survey=survey,
                       participant=make_participant(session, filled), values={question.id: choice})
    session.commit()
    return filled


def test_copy_keeps_everything_and_the_report_reads_the_same(
        db: Database, session: Session, seeded: Workshop, other_url: str) -> None:
    checks = dbcopy.copy_database(db.url, other_url)

    rows = {check.table: check.rows for check in checks}
    assert rows["card"] == 19 and rows["event"] > 20 and rows["answer"] == 3
    assert rows["statement"] == 6 and rows["dot"] == 1  # hf1 adopted twice: two versions
    assert checks == dbcopy.checksums(db.engine)  # read back independently, equal
    copy = Database(other_url)
    try:
        with copy.transaction() as target:
            workshop = get_workshop(session=target, slug=seeded.slug)
            original = build_report(session=session, workshop=seeded)
            copied = build_report(session=target, workshop=workshop)
            copied = copied.model_copy(update={"exported_at": original.exported_at})
            assert write_json(copied) == write_json(original)
            # New rows continue after the copied ids (the join records an event, too).
            participant = make_participant(target, workshop)
            assert participant.id is not None and participant.id > rows["participant"]
            latest = target.execute(text("SELECT max(id) FROM event")).scalar_one()
            assert latest > rows["event"]
    finally:
        copy.dispose()


def test_copy_refuses_a_target_with_data_and_changes_nothing(
        db: Database, seeded: Workshop, other_url: str) -> None:
    dbcopy.copy_database(db.url, other_url)
    before = dbcopy.checksums(Database(other_url).engine)
    with pytest.raises(dbcopy.CopyError, match="nicht leer"):
        dbcopy.copy_database(db.url, other_url)
    assert dbcopy.checksums(Database(other_url).engine) == before


@pytest.mark.sqlite_only
def test_copy_refuses_an_old_source(tmp_path: Path, pg_cluster: PgCluster) -> None:
    from alembic import command

    from app.db import alembic_config

    old = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(old), "0003")
    with pytest.raises(dbcopy.CopyError, match="neueste Schema"):
        dbcopy.copy_database(old, pg_cluster.create_database("never_written"))


@pytest.mark.sqlite_only
def test_cli_copies_a_sqlite_file_to_postgresql(
        db: Database, seeded: Workshop, pg_cluster: PgCluster) -> None:
    target = pg_cluster.create_database("cli_target")
    source_file = db.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(cli, ["db", "copy", "--from", source_file, "--to", target])
    assert result.exit_code == 0, result.output
    assert "Anzahl und Prüfsummen stimmen überein" in result.output
    assert "card" in result.output
    again = CliRunner().invoke(cli, ["db", "copy", "--from", source_file, "--to", target])
    assert again.exit_code == 1
    assert "Die Zieldatenbank ist nicht leer" in again.output


@pytest.mark.sqlite_only
def test_sqlite_backup_while_the_database_is_open(db: Database, session: Session,
                                                  seeded: Workshop, tmp_path: Path) -> None:
    # A write transaction is open while the backup runs: the backup sees the last commit.
    session.execute(text("UPDATE workshop SET title = 'nicht committet'"))
    result = CliRunner().invoke(cli, ["db", "backup", "--database-url", db.url,
                                      "--to", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 0, result.output
    session.rollback()
    with sqlite3.connect(tmp_path / "b.sqlite3") as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert backup.execute("SELECT title FROM workshop").fetchone() == (seeded.title,)
    assert dbcopy.checksums(Database(f"sqlite:///{tmp_path / 'b.sqlite3'}").engine) == \
        dbcopy.checksums(db.engine)


def test_postgresql_backup_is_a_restorable_dump(pg_cluster: PgCluster, tmp_path: Path) -> None:
    url = pg_cluster.create_database("to_dump")
    upgrade(url)
    dump = dbcopy.backup(url, tmp_path / "zukunft.dump")
    bin_dir = pg_bin()
    assert bin_dir is not None
    listing = subprocess.run([str(bin_dir / "pg_restore"), "--list", str(dump)],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE public card" in listing and "TABLE public event" in listing
