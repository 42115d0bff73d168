"""Group commit: writes that arrive while a commit is being written share the next one.

On SQLite every commit waits for its fsync (synchronous=FULL: a card acknowledged with 201
survives a power cut), and the single writer holds its lock meanwhile. When a whole room posts
at once, each post would queue for an fsync of its own. Here the first caller leads: it runs
every call queued so far in one transaction, each in a SAVEPOINT of its own, commits once and
hands out the results. Calls arriving meanwhile wait for the next batch, which the first of
them leads. A call that fails rolls back its savepoint alone (its events are never published);
a failed commit fails every call of its batch, so nothing unacknowledged is reported as stored.
"""

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from app.db.unit import savepoint

T = TypeVar("T")


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
