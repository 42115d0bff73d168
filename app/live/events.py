"""Domain events: what happened, recorded in the same transaction and published after commit.

A service calls `record(session, event)`; the row gives the event its id (the SSE id a board
sends back as Last-Event-ID), and the session hands the event to its bus once the commit has
succeeded, so nobody ever sees an event whose change was rolled back.
"""

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from app.db.locks import lock_workshop
from app.db.unit import KEEPS_MEMO, unit
from app.models import EventRecord, utcnow
from app.text import join_sentence


class CardSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    field: str
    category: str
    text: str
    author: str  # the participant's public id (never sent out, see app/live/public.py)
    created_at: str
    edited: bool = False
    round: int = 1
    pinned: bool = False
    position: int = 0  # the facilitator's order in the column (after pinned cards)
    weight: int = 1  # "×3": how many people said it
    hidden: bool = False
    approved: bool = True
    merged_into: int | None = None
    # A card of a sub-field (HF 4 A) belongs to its parent's group, board and console.
    group: str = ""  # the top-level field's key ("" for old events: the field itself)
    subfield: str = ""  # the sub-field's number, "HF 4 A", when it is in one

    @property
    def in_group(self) -> str:
        return self.group or self.field

    @property
    def visible(self) -> bool:
        return not self.hidden and self.approved and self.merged_into is None


class ColumnSnapshot(BaseModel):
    """All visible cards of one column of one field, in board order."""

    model_config = ConfigDict(frozen=True)

    field: str
    category: str
    cards: list[CardSnapshot]


class Counts(BaseModel):
    model_config = ConfigDict(frozen=True)

    participants: int
    cards: dict[str, int]  # visible cards per field key


class DomainEvent(BaseModel):
    """What happened. Every field travels with the event to the views of this process; the
    table keeps the `persisted` ones (None: all). An event whose other fields are the state
    after the change (a whole list) stores only the change, and a process that reads it from
    the table (app/live/pgbus.py) fills the state in again from the database (`hydrates`)."""

    model_config = ConfigDict(frozen=True)
    kind: ClassVar[str]
    persisted: ClassVar[frozenset[str] | None] = None
    registry: ClassVar[dict[str, type["DomainEvent"]]] = {}

    id: int = 0
    workshop_id: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            DomainEvent.registry[cls.kind] = cls

    def payload(self) -> dict[str, Any]:
        """What the event table keeps of it."""
        return self.model_dump(mode="json", exclude={"id", "workshop_id"},
                               include=set(self.persisted) if self.persisted else None)


class CardPosted(DomainEvent):
    kind = "card-posted"
    card: CardSnapshot
    counts: Counts


class CardEdited(DomainEvent):
    kind = "card-edited"
    card: CardSnapshot
    previous_category: str


class CardDeleted(DomainEvent):
    kind = "card-deleted"
    card: CardSnapshot
    counts: Counts


class BoardChanged(DomainEvent):
    """Moderation rearranged columns: boards redraw each column listed here."""

    kind = "board-changed"
    columns: list[ColumnSnapshot]
    counts: Counts
    # For the consoles (never sent to anyone else, see app/live/public.py): the cards the step
    # changed as a console shows them, hidden and pending ones too; the merged cards' originals;
    # the cards that left every console (merged into another, deleted).
    cards: list[CardSnapshot] = []
    originals: dict[int, list[CardSnapshot]] = {}
    gone: list[int] = []


class ParticipantJoined(DomainEvent):
    kind = "participant-joined"
    counts: Counts


class PostingChanged(DomainEvent):
    kind = "posting-changed"
    posting_open: bool


class FieldPostingChanged(DomainEvent):
    kind = "field-posting-changed"
    field: str
    posting_open: bool


class PhaseChanged(DomainEvent):
    kind = "phase-changed"
    phase: str  # plenary, working, closing
    round: int
    rounds: int


class FieldHeading(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    number: str
    title: str
    topics: str


class HeadingsChanged(DomainEvent):
    """The organizer changed the workshop's or its fields' titles: boards redraw their heading."""

    kind = "headings-changed"
    title: str
    fields: list[FieldHeading]


class TimerState(BaseModel):
    """The countdown as the server knows it; clients count down `left_ms` on their own
    monotonic clock from the moment they get it (neither clock's wall time matters)."""

    model_config = ConfigDict(frozen=True)

    running: bool = False
    ends_at: str | None = None  # ISO time, while running (shown as "bis 14:35 Uhr")
    left_ms: int | None = None  # while running: what was left when this state was taken
    remaining_s: int | None = None  # while paused
    total_s: int | None = None

    @property
    def active(self) -> bool:
        return self.running or self.remaining_s is not None


class TimerChanged(DomainEvent):
    kind = "timer-changed"
    timer: TimerState


class ThemeSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    text: str
    kind: str  # mandatory, lag, conference
    dots: int = 0
    subfield: str = ""  # "HF 4 A" when the theme belongs to a sub-field


class PlenaryColumn(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    number: str
    title: str
    themes: list[ThemeSnapshot]


class RemarkSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    text: str


class PlenaryChanged(DomainEvent):
    """Themes were added, moved, edited, merged or hidden: redraw these plenary columns."""

    kind = "plenary-changed"
    columns: list[PlenaryColumn]
    max_dots: int


class ThemeDotsChanged(DomainEvent):
    kind = "theme-dots-changed"
    field: str
    theme: ThemeSnapshot
    max_dots: int


class RemarksChanged(DomainEvent):
    """A remark was added, hidden or shown again; `remarks` is the list the room sees now."""

    kind = "remarks-changed"
    persisted = frozenset({"remark", "hidden"})
    remark: RemarkSnapshot | None = None  # the one that changed
    hidden: bool = False
    remarks: list[RemarkSnapshot] = []


class ProposalsChanged(DomainEvent):
    kind = "proposals-changed"
    pending: int


class StatementProposalSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    text: str
    support: int
    author: str  # public id of the proposer
    supporters: list[str]  # public ids, so each phone can show its own support


class GuidingSentence(BaseModel):
    """A field's guiding sentence as it stands: the stem, proposals ranked by support, the
    facilitator's draft, the adopted text. What pages and fragments show (`statement`)."""

    model_config = ConfigDict(frozen=True)

    field: str
    stem: str = ""
    proposals: list[StatementProposalSnapshot] = []
    draft: str = ""
    adopted: str | None = None
    version: int = 0
    open: bool = False

    @property
    def sentence(self) -> str | None:
        """The adopted sentence in full, exactly stem plus completion."""
        return join_sentence(self.stem, self.adopted) if self.adopted else None


class StatementChanged(DomainEvent):
    """Something changed about a field's guiding sentence; `state` is the sentence after it.

    The table keeps what changed (a proposal, a support, the draft …), not the whole list.
    """

    kind = "statement-changed"
    persisted = frozenset({"field", "change", "proposal"})
    field: str
    change: str = ""  # proposed, supported, withdrawn, draft, adopted, opened
    proposal: int | None = None  # the proposal that changed
    state: GuidingSentence | None = None  # None only until read back (hydrated)


class SurveyOffer(BaseModel):
    """An open survey, as phones offer it."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str


class SurveyChanged(DomainEvent):
    """A survey was opened, closed or answered: projectors redraw its results; when one opened
    or closed (`offers` is set), phones offer what is open now."""

    kind = "survey-changed"
    survey: int
    status: str
    offers: list[SurveyOffer] | None = None


E = TypeVar("E", bound=DomainEvent)


# PostgreSQL: every process listens on this channel (app/live/pgbus.py).
CHANNEL = "zukunft_events"


_EVENTS = EventRecord.__table__  # type: ignore[attr-defined]
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)


def record(session: Session, event: E) -> E:
    """Store the event in the current transaction; it is published after a successful commit."""
    # PostgreSQL: until commit nobody else records events of this workshop, so its event ids
    # follow commit order and a board that has seen id n has seen every event before it.
    lock_workshop(session, event.workshop_id)
    if session.new or session.dirty or session.deleted:
        session.flush()  # the change the event tells of goes first, as it always did
    # Straight to the table (no unit of work): every card records one.
    event_id = session.connection().execute(_INSERT_EVENT, {
        "workshop_id": event.workshop_id, "kind": event.kind, "payload": event.payload(),
        "created_at": utcnow()}).scalar_one()
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every listening process when (and only if) the transaction commits.
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": CHANNEL, "payload": f"{event.workshop_id}:{event_id}"},
                        execution_options={KEEPS_MEMO: True})
    stored = event.model_copy(update={"id": event_id})
    unit(session).pending.append(stored)  # the session publishes it after the commit
    return stored


Hydrator = Callable[[Session, E], E]
_HYDRATORS: dict[str, Callable[[Session, Any], DomainEvent]] = {}


def hydrates(event_type: type[E]) -> Callable[[Hydrator[E]], Hydrator[E]]:
    """Registers how an event read from the table gets its state back (see DomainEvent)."""

    def register(function: Hydrator[E]) -> Hydrator[E]:
        _HYDRATORS[event_type.kind] = function
        return function

    return register


def events_since(
    session: Session, *, workshop_id: int, after: int, limit: int = 5000
) -> list[DomainEvent]:
    """The events after `after` as the views need them (state filled in from the database)."""
    rows = session.exec(
        select(EventRecord)
        .where(EventRecord.workshop_id == workshop_id, col(EventRecord.id) > after)
        .order_by(col(EventRecord.id))
        .limit(limit)
    )
    events = [from_record(row) for row in rows]
    return [_HYDRATORS[e.kind](session, e) if e.kind in _HYDRATORS else e for e in events]


def latest_event_id(session: Session, *, workshop_id: int) -> int:
    row = session.exec(
        select(EventRecord.id)
        .where(EventRecord.workshop_id == workshop_id)
        .order_by(col(EventRecord.id).desc())
        .limit(1)
    ).first()
    return row or 0


def from_record(row: EventRecord) -> DomainEvent:
    cls = DomainEvent.registry[row.kind]
    return cls.model_validate({**row.payload, "id": row.id, "workshop_id": row.workshop_id})
