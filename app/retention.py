"""Keep and delete (DSGVO): a workshop's state, how long it is kept, archiving, and deleting it
with everything that belongs to it – cards, events, participants, votes, answers – so that
nothing of it remains in the database.

Which rows belong to a workshop is read off the tables' foreign keys: a table with a
`workshop_id`, or one that points at such a table (answers → responses → surveys → workshop).
A table added later is covered without being listed here.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, bindparam, delete, or_, select
from sqlmodel import Session, SQLModel, col, func
from sqlmodel import select as select_rows

from app.errors import Conflict, InvalidInput
from app.models import Participant, Workshop, utcnow

KEEP_MONTHS = 6  # after the workshop's date
WARN_DAYS = 14  # /admin warns this long before the deletion


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # 31 August + 6 months: 28 or 29 February
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_retention(workshop: Workshop) -> dt.date:
    """Six months after the workshop's date (or after it was created, without a date)."""
    start = workshop.date or workshop.created_at.date()
    return add_months(start, KEEP_MONTHS)


def retained_until(workshop: Workshop) -> dt.date:
    return workshop.retain_until or default_retention(workshop)


@dataclass(frozen=True)
class WorkshopState:
    key: str  # preparation, live, closed, archived
    participants: int


def state(*, session: Session, workshop: Workshop) -> WorkshopState:
    """In preparation (nobody joined yet), live (people join and post), closed (joining is
    closed after the event), archived (read-only, exports still work)."""
    joined = session.exec(select_rows(func.count(col(Participant.id))).where(
        Participant.workshop_id == workshop.id, Participant.role == "participant")).one()
    if workshop.archived_at is not None:
        key = "archived"
    elif not workshop.joining_open:
        key = "closed"
    else:
        key = "live" if joined else "preparation"
    return WorkshopState(key=key, participants=int(joined))


KEEP_MAX_YEARS = 10


def keep_until(*, session: Session, workshop: Workshop, until: dt.date | None) -> None:
    """Keep the workshop until `until` (None: six months after its date)."""
    if until is not None and until < dt.date.today():
        raise InvalidInput("Das Datum liegt in der Vergangenheit; der Workshop würde sofort "
                           "gelöscht. Zum Löschen gibt es „Workshop löschen“.")
    if until is not None and until > add_months(dt.date.today(), 12 * KEEP_MAX_YEARS):
        raise InvalidInput("Höchstens {years} Jahre im Voraus.", years=KEEP_MAX_YEARS)
    workshop.retain_until = until
    session.add(workshop)


def archive(*, session: Session, workshop: Workshop) -> None:
    """Read-only from now on: joining and posting close; exports still work."""
    workshop.archived_at = workshop.archived_at or utcnow()
    workshop.joining_open = workshop.posting_open = False
    session.add(workshop)


def delete_workshop(*, session: Session, workshop: Workshop, confirm: str,
                    force: bool = False) -> int:
    """Delete the workshop and every row that belongs to it; returns how many rows went.
    `confirm` must be the workshop's title or slug (the confirmation names it). A live
    workshop is refused until joining is closed (`force`: the expiry's purge)."""
    if confirm.strip() not in (workshop.slug, workshop.title):
        raise Conflict("Bitte geben Sie zur Bestätigung den Namen des Workshops ein: "
                       "„{title}“.", title=workshop.title)
    if not force and state(session=session, workshop=workshop).key == "live":
        raise Conflict("Der Workshop läuft noch: Bitte schließen Sie zuerst den Beitritt "
                       "(Moderation → „Beitritt mit Code: geschlossen“), dann lässt er sich "
                       "löschen.")
    assert workshop.id is not None
    removed = 0
    for table, condition in owned_rows(workshop.id):
        removed += session.execute(delete(table).where(condition)).rowcount  # type: ignore[attr-defined]
    session.expunge(workshop)
    return removed


def owned_rows(workshop_id: int) -> list[tuple[Table, ColumnElement[bool]]]:
    """(table, condition) for every table with rows of the workshop, children first."""
    tables = {table.name: table for table in SQLModel.metadata.sorted_tables}
    result = []
    for table in reversed(SQLModel.metadata.sorted_tables):
        condition = _condition(table, tables, bindparam("wid", workshop_id), frozenset())
        if condition is not None:
            result.append((table, condition))
    return result


def _condition(table: Table, tables: dict[str, Table], wid: object,
               seen: frozenset[str]) -> ColumnElement[bool] | None:
    """The rows of `table` that belong to the workshop: by its `workshop_id`, or through any of
    its foreign keys (a dot belongs by its theme even when it has no participant)."""
    if table.name == "workshop":
        return table.c.id == wid
    if "workshop_id" in table.c:
        return table.c.workshop_id == wid
    paths = []
    for column in table.c:
        for key in column.foreign_keys:
            parent = tables[key.column.table.name]
            if parent is table or parent.name in seen:
                continue
            condition = _condition(parent, tables, wid, seen | {table.name})
            if condition is not None:
                paths.append(column.in_(select(key.column).where(condition)))
    return or_(*paths) if paths else None


def expired(*, session: Session, today: dt.date | None = None) -> list[Workshop]:
    """Workshops whose retention date has passed."""
    today = today or dt.date.today()
    return [w for w in session.exec(select_rows(Workshop)) if retained_until(w) < today]


def purge_expired(*, session: Session, today: dt.date | None = None) -> list[str]:
    """Delete every workshop whose retention date has passed; their titles and dates."""
    gone = []
    for workshop in expired(session=session, today=today):
        gone.append(f"{workshop.title} (aufbewahrt bis {retained_until(workshop):%d.%m.%Y})")
        delete_workshop(session=session, workshop=workshop, confirm=workshop.slug, force=True)
    return gone
