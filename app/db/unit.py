"""A session's transaction and what ends with it: one state object and one pair of hooks.

What a transaction carries until it ends lives here, not in five `Session.info` keys looked
after by three listeners: whether it writes, the workshops whose turn it holds (PostgreSQL's
advisory locks), what it publishes once committed (the events recorded in it), and where a
write session reads from after its first transaction. SAVEPOINTs end too, but the transaction
goes on: the hooks wait for the transaction itself; `savepoint` drops what its block recorded.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

_KEY = "unit"


@dataclass
class Unit:
    writes: bool = False  # this transaction is meant to write (it took SQLite's writer)
    locked: set[int] = field(default_factory=set)  # workshops whose turn it holds
    pending: list[Any] = field(default_factory=list)  # published after a successful commit
    publish: Callable[[Any], None] | None = None  # where they go (the event bus)
    read_from: Engine | None = None  # a write session reads from here once it has committed
    writing: bool = False  # inside Database.write: it ends the write itself
    guarded: bool = False  # a request's session: it writes only inside Database.write
    # What this transaction read and has not changed since, for the cards posted one after
    # another in it (group commit): the workshop, its fields and columns, the boards' counts
    # (counted on from the last card instead of counting every card again). Any write other
    # than a card's own (`KEEPS_MEMO`) forgets it all, and so does the transaction's end.
    memo: dict[Any, Any] = field(default_factory=dict)


def unit(session: Session) -> Unit:
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = Unit()
    return found


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A SAVEPOINT: if the block fails, its changes are undone and what it recorded is never
    published."""
    state = unit(session)
    recorded, memo = len(state.pending), dict(state.memo)
    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        del state.pending[recorded:]
        state.memo = memo
        nested.rollback()
        raise
    nested.commit()


KEEPS_MEMO = "keeps_memo"  # an execution option: this write changes nothing the memo holds


def _ended(session: Session) -> Unit | None:
    if session.in_nested_transaction():
        return None  # a SAVEPOINT ended; the transaction goes on
    state = session.info.get(_KEY)
    if state is None:
        return None
    state.locked.clear()  # transaction-level advisory locks end with the transaction
    state.memo.clear()
    if state.writes and not state.writing and state.read_from is not None:
        # Only the first transaction writes; what a route reads after the commit (to render
        # its answer) must not hold the write lock and make every other post wait.
        session.bind = state.read_from
        state.writes = False
    return state  # type: ignore[no-any-return]


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    state = _ended(session)
    if state is None:
        return
    pending, state.pending = state.pending, []
    if state.publish is not None:
        for item in pending:
            state.publish(item)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    state = _ended(session)
    if state is not None:
        state.pending.clear()


@event.listens_for(Session, "do_orm_execute")
def _statement(execute_state: ORMExecuteState) -> None:
    state = execute_state.session.info.get(_KEY)
    if (state is not None and state.memo and not execute_state.is_select
            and not execute_state.execution_options.get(KEEPS_MEMO)):
        state.memo.clear()


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context: object, _instances: object) -> None:
    state = session.info.get(_KEY)
    if state is not None and state.memo and (session.new or session.dirty or session.deleted):
        state.memo.clear()


@event.listens_for(Session, "before_flush")
def _only_inside_a_write(session: Session, _context: object, _instances: object) -> None:
    state = session.info.get(_KEY)
    if (state is not None and state.guarded and not state.writes
            and (session.new or session.dirty or session.deleted)):
        raise RuntimeError("A request writes only through Database.write (app/db/database.py)")


def remembered(session: Session, key: Any, read: Callable[[], Any]) -> Any:
    """`read()` once per transaction while nothing is written but cards (see `Unit.memo`)."""
    memo = unit(session).memo
    if key not in memo:
        memo[key] = read()
    return memo[key]
