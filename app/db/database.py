"""Engine, sessions, the write path and schema upgrades. SQLite gets WAL, synchronous=FULL and
immediate writes.

The write path: a request's session reads; `Database.write` is where it writes (the workshop's
turn, the service, the commit), `Database.commit_together` the same for cards with group commit
on SQLite, `Database.transaction` for the command line and scripts. Services never commit.

The database layer knows nothing of the domain: a session hands what its transaction recorded
to a `Publisher` after commit (app/db/unit.py), whatever that is."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

from app.db.locks import lock_workshop
from app.db.unit import savepoint, unit

T = TypeVar("T")


class Publisher(Protocol):
    """Where a committed transaction's events go (the event bus: app/live)."""

    def publish(self, event: Any) -> None: ...

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def describe(url: str) -> str:
    """The database for a message: the file of SQLite, the server of PostgreSQL (no password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or url
    return parsed.render_as_string(hide_password=True)


# SQLite's words for "the database cannot take writes right now" (full disk, file or disk
# read-only, the disk failing); PostgreSQL's classes 53 (resources), 57P (shutting down), 08
# (connection) and read-only transactions (a standby).
_SQLITE_UNAVAILABLE = ("database or disk is full", "readonly database", "disk i/o error",
                       "unable to open database file", "database is locked")
_PG_UNAVAILABLE = ("53", "57P", "08", "25006")


def unavailable(exc: BaseException) -> str | None:
    """Why the database cannot serve now (a full disk, read-only, gone), or None for any other
    error. Such a failure is nobody's fault and passes: users are asked to try again."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.OperationalError):
        message = str(orig).lower()
        return str(orig) if any(part in message for part in _SQLITE_UNAVAILABLE) else None
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_PG_UNAVAILABLE):
        return str(orig).strip().splitlines()[0]
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return str(orig).strip().splitlines()[0] if str(orig).strip() else "connection lost"
    return None


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        # Up to 20 connections per process (writes in flight are at most 8 from requests'
        # sessions and 8 through commit_together), plus the listener's: 4 processes stay
        # within PostgreSQL's default of 100.
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that writes can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # A card acknowledged with 201 must survive a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten, not left in free pages: a deleted workshop's texts are
        # gone from the file (DSGVO), not only from the tables.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # SQLite has one writer at a time. Writers of this process queue on a lock of their own:
    # SQLite's busy handler polls with sleeps of up to 100 ms, which under a burst of posts
    # costs far more than the writes themselves.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY
        # when another writer committed in between; taking the write lock first makes it wait.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        if not immediate:
            conn.exec_driver_sql("BEGIN")
            return
        writer.acquire()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release()
            raise
        conn.info["holds_writer"] = True

    # Released when the connection goes back to the pool, i.e. after COMMIT (with its fsync)
    # or ROLLBACK has finished, so the next writer finds SQLite free.
    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _on_return(dbapi_connection: Any, record: Any, *_args: Any) -> None:
        # A COMMIT that failed (a deferred constraint, a full disk) leaves SQLite's transaction
        # open while SQLAlchemy takes it as ended: the next user would find it still running.
        try:
            if dbapi_connection is not None and dbapi_connection.in_transaction:
                dbapi_connection.rollback()
        except sqlite3.Error:
            pass  # a connection that is being thrown away
        if record.info.pop("holds_writer", False):
            writer.release()

    return engine


def alembic_config(url: str) -> "Config":
    from alembic.config import Config  # 0.4 s to import: only for a schema change

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration's id: revisions are numbered like their files (0012_….py)."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at; None before the first migration."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:  # no such table: a new database
        return None
    finally:
        engine.dispose()


def upgrade(url: str) -> None:
    """Bring the schema at `url` to the newest migration (at it already: one query, without
    loading Alembic – every command of the CLI starts with this)."""
    if current_revision(url) == head_revision():
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")


# Group commit: writes that arrive while a commit is being written share the next one.
#
# On SQLite every commit waits for its fsync (synchronous=FULL: a card acknowledged with 201
# survives a power cut), and the single writer holds its lock meanwhile. When a whole room posts
# at once, each post would queue for an fsync of its own. Here the first caller leads: it runs
# every call queued so far in one transaction, each in a SAVEPOINT of its own, commits once and
# hands out the results. Calls arriving meanwhile wait for the next batch, which the first of
# them leads. A call that fails rolls back its savepoint alone (its events are never published);
# a failed commit fails every call of its batch, so nothing unacknowledged is reported as stored.


class _Call(Generic[T]):
    __slots__ = ("error", "leads", "ready", "result", "work")

    def __init__(self, work: Callable[[Session], T]) -> None:
        self.work = work
        self.ready = threading.Event()
        self.leads = False
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Runs `work(session)` in a write transaction shared with the calls queued beside it.

    `work` must not commit or roll back; it may raise, which undoes its own changes only.
    Callers block their thread until their batch is committed, so they must not hold the
    database's write lock themselves (a session of theirs that has written).
    """

    def __init__(self, write_session: Callable[[], Session], max_batch: int = 100) -> None:
        self._write_session = write_session
        self._max_batch = max_batch
        self._mutex = threading.Lock()
        self._queue: list[_Call[Any]] = []
        self._leading = False
        self.batches = 0  # committed transactions, for tests and the benchmark
        self.calls = 0

    def run(self, work: Callable[[Session], T]) -> T:
        call = _Call(work)
        with self._mutex:
            self._queue.append(call)
            if not self._leading:
                self._leading = call.leads = True
        if not call.leads:
            call.ready.wait()
        if call.leads:  # from the start, or handed over by the batch before
            self._lead()
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]

    def _lead(self) -> None:
        with self._mutex:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            self._commit(batch)
        finally:
            with self._mutex:
                successor = self._queue[0] if self._queue else None
                if successor is not None:
                    successor.leads = True
                else:
                    self._leading = False
            for call in batch:
                call.ready.set()
            if successor is not None:
                successor.ready.set()

    def _commit(self, batch: list[_Call[Any]]) -> None:
        done: list[tuple[_Call[Any], Any]] = []
        try:
            with self._write_session() as session:
                for call in batch:
                    try:
                        with savepoint(session):
                            result = call.work(session)
                    except Exception as exc:  # this call's answer; the others go on
                        call.error = exc
                    else:
                        done.append((call, result))
                session.commit()
        except BaseException as exc:
            for call in batch:  # the commit failed (or worse): nothing of this batch is stored
                if call.error is None:
                    call.error = exc
            if not isinstance(exc, Exception):
                raise
            return
        for call, result in done:
            call.result = result
        self.batches += 1
        self.calls += len(batch)


class Database:
    """One engine, and sessions for reading and for writing."""

    def __init__(self, url: str, bus: Publisher | None = None) -> None:
        self.url = url
        self.bus = bus
        self.engine = make_engine(url)
        self._write_engine = self.engine.execution_options(sqlite_immediate=True)
        # SQLite writes one transaction at a time, each with its fsync: posts share them.
        # PostgreSQL commits side by side, so each call there has its own transaction.
        self.group_commit = (None if is_postgres(url)
                             else GroupCommit(lambda: self.session(write=True)))
        # PostgreSQL: posts commit side by side, each on a connection of its own; more of them
        # at once than the pool holds would only queue for connections.
        self._side_by_side = threading.BoundedSemaphore(8)
        # Requests' writes waiting for the writer (or the workshop's lock) each hold a pooled
        # connection: at most this many wait at once, so reads always find connections.
        self._writers = threading.BoundedSemaphore(8)
        # Requests whose sessions may hold a connection at once (app/web/deps.py): a request
        # keeps its connection from its first query (a dependency, on one worker thread) to
        # its end, also while it waits for the next worker thread for its route. More of them
        # than the pool holds, and the threads all wait for connections that only requests
        # waiting for threads give back: 300 phones joining at once stopped the server. The
        # rest of the pool serves the writes through commit_together and the live streams'
        # catch-ups, which never wait for anything else while they hold one.
        pool = self.engine.pool
        capacity = pool.size() + max(0, pool._max_overflow)  # type: ignore[attr-defined]
        self.request_slots = max(4, capacity - 10)

    def session(self, *, write: bool = False) -> Session:
        session = Session(self._write_engine if write else self.engine, expire_on_commit=False)
        state = unit(session)
        state.writes = write
        state.read_from = self.engine
        if self.bus is not None:
            state.publish = self.bus.publish
        return session

    @contextmanager
    def write(self, session: Session, workshop_id: int | None) -> Iterator[None]:
        """The one way a request's session writes: `with db.write(session, workshop.id):`
        around the service call. What the session read so far ends (and is read again inside,
        fresh); it takes SQLite's single writer (BEGIN IMMEDIATE) or, on PostgreSQL, the
        workshop's turn; the block runs the service; the transaction commits – or rolls back,
        and the error goes on –; the session reads again. Services never commit: the end of
        this block is where their changes and events become one committed transaction."""
        state = unit(session)
        assert not state.writing, "Database.write does not nest"
        if session.in_transaction():
            session.commit()  # nothing was written in it (see unit.py's guard)
        session.expire_all()
        self._writers.acquire()
        session.bind = self._write_engine
        state.writes = state.writing = True
        try:
            if workshop_id is not None:
                lock_workshop(session, workshop_id)
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            state.writes = state.writing = False
            session.bind = self.engine
            self._writers.release()

    def commit_together(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a write transaction and commit it, on SQLite together with
        the calls that arrive meanwhile (see GroupCommit). `work` must not commit itself."""
        if self.group_commit is not None:
            return self.group_commit.run(work)
        with self._side_by_side, self.session(write=True) as session:
            result = work(session)
            session.commit()
            return result

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write outside requests (the command line, scripts, tests): the session commits
        when the block ends and rolls back if it fails. Services never commit themselves."""
        with self.session(write=True) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def scrub(self) -> None:
        """After a deletion: SQLite copies the overwritten pages from the write-ahead log into
        the file and empties the log, so no deleted text is left in either."""
        if is_postgres(self.url):
            return  # PostgreSQL's VACUUM reclaims dead rows on its own schedule (autovacuum)
        raw = self.engine.raw_connection()  # outside any transaction, which would hold it
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()
