"""Cards (Beiträge): post, edit, delete and list, with the limits and permissions they need."""

import re
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Integer, String, and_, bindparam, or_, update
from sqlalchemy import select as select_rows
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app.card_counts import counts as counts  # the boards' figures, where they always were
from app.card_counts import counts_with
from app.card_counts import visible as visible
from app.db.locks import lock_workshop
from app.db.unit import remembered
from app.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from app.live.events import (
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    record,
)
from app.models import (
    FACILITATOR,
    Card,
    Category,
    Field,
    Participant,
    Workshop,
    as_utc,
    utcnow,
)
from app.text import clean_text
from app.workshops import category_named, field_named, is_key, parent_of


class Poster(Protocol):
    """Who posts a card: a participant as stored, or as the card route reads it (the three
    columns it needs, app/participants.py's `Author`)."""

    @property
    def id(self) -> int | None: ...
    @property
    def role(self) -> str: ...
    @property
    def public_id(self) -> str: ...


TEXT_MAX = 500
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def clean_card_text(text: str) -> str:
    cleaned = clean_text(text or "")
    if not cleaned:
        raise InvalidInput("Bitte schreiben Sie einen Text für Ihre Karte.")
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput(
            "Der Text ist {length} Zeichen lang; erlaubt sind höchstens {max}. "
            "Bitte kürzen Sie ihn.",
            length=len(cleaned), max=TEXT_MAX,
        )
    return cleaned


def posting_closed(workshop: Workshop, field: Field, participant: Poster,
                   parent: Field | None = None) -> str | None:
    """Why this participant cannot write, change or delete cards in the field now (a msgid),
    or None: the one rule for the phone's form and for the services."""
    if participant.role == FACILITATOR:
        return None
    if not workshop.posting_open:
        return N_("Das Schreiben von Karten ist gerade geschlossen.")
    if not field.posting_open or (parent is not None and not parent.posting_open):
        return N_("In diesem Handlungsfeld ist das Schreiben gerade geschlossen.")
    return None


def posting_closed_in(*, session: Session, workshop: Workshop, field: Field,
                      participant: Participant) -> str | None:
    """`posting_closed` for a field as stored (its parent's switch included)."""
    parent = parent_of(session=session, field=field)
    return posting_closed(workshop, field, participant, parent)


def _require_posting(workshop: Workshop, field: Field, participant: Poster,
                     parent: Field | None = None) -> None:
    closed = posting_closed(workshop, field, participant, parent)
    if closed is not None:
        raise Conflict(closed)


def board_order() -> tuple[Any, ...]:
    """Pinned cards first, then the facilitator's order, then posting order."""
    return (col(Card.pinned).desc(), col(Card.position), col(Card.id))


def snapshot(row: Any) -> CardSnapshot:
    """The card as events and pages carry it, from a row of `snapshot_query`."""
    parent = row.parent_key
    return CardSnapshot(
        id=row.id, field=row.field_key, category=row.category_key, text=row.text,
        author=row.author, created_at=as_utc(row.created_at).isoformat(),
        edited=row.updated_at is not None, round=row.round, pinned=row.pinned,
        position=row.position, weight=row.weight, hidden=row.hidden_at is not None,
        approved=row.approved, merged_into=row.merged_into_id, group=parent or row.field_key,
        subfield=row.field_number if parent else "",
    )


def post_card(
    *,
    session: Session,
    workshop: Workshop,
    participant: Poster,
    field: str,
    category: str,
    text: str,
    client_id: str | None = None,
    rate_limit: Callable[[str], None] | None = None,
) -> tuple[CardSnapshot, bool]:
    """Post a card; returns it and whether it is new (False: the same client_id came again).

    `rate_limit` is asked (with the participant's public id) before a participant's new card
    is committed; a retry of a stored card and a facilitator's card are not counted. The
    caller commits – a request through `Database.commit_together`, which shares one commit
    among the cards that arrive together – and rolls back (to its SAVEPOINT) what this call
    wrote when it fails.
    """
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise InvalidInput("Die Kennung der Übermittlung (client_id) ist ungültig.")
    field_row, category_row = _field_and_category(session, workshop, field, category)
    parent = parent_of(session=session, field=field_row)
    try:
        _require_posting(workshop, field_row, participant, parent)
    except Conflict:
        # Posting closed while the phone was retrying a card that did arrive: that card.
        if client_id and (existing := _by_client_id(session, participant, client_id)):
            return existing, False
        raise
    assert workshop.id is not None and participant.id is not None
    assert field_row.id is not None and category_row.id is not None
    created = utcnow()
    values = {
        "workshop_id": workshop.id, "field_id": field_row.id, "category_id": category_row.id,
        "participant_id": participant.id, "text": clean_card_text(text),
        "client_id": client_id or None, "round": workshop.current_round,
        "approved": not workshop.premoderation or participant.role == FACILITATOR,
        "created_at": created,
    }
    # Straight to the table: the busiest write skips the ORM's unit of work (it was a fifth
    # of a card's CPU). A retry carries the client_id of a stored card: the unique constraint
    # finds it (no row comes back), so the first attempt of every card (nearly all of them)
    # needs no lookup before, and no SAVEPOINT to fail in.
    connection = session.connection()
    card_id = connection.execute(_INSERT_CARD[connection.dialect.name], values).scalar()
    if card_id is None:
        existing = _by_client_id(session, participant, client_id or "")
        if existing is None:
            raise AssertionError("a card conflicts with one that cannot be found")
        return existing, False
    if rate_limit is not None and participant.role != FACILITATOR:
        rate_limit(participant.public_id)  # too many: the caller's rollback takes the card out
    if connection.dialect.name != "sqlite":  # there the insert placed it (see _INSERT_CARD)
        connection.execute(_PLACE_CARD, {"card_id": card_id})
    posted = CardSnapshot(
        id=card_id, field=field_row.key, category=category_row.key, text=str(values["text"]),
        author=participant.public_id, created_at=created.isoformat(),
        round=workshop.current_round, position=card_id * 10, approved=bool(values["approved"]),
        group=parent.key if parent else field_row.key,
        subfield=field_row.number if parent else "")
    # From here until the commit no other card of this workshop is counted or recorded: the
    # counts fit the event, and the event ids follow commit order (PostgreSQL; see locks).
    lock_workshop(session, workshop.id)
    record(session, CardPosted(workshop_id=workshop.id, card=posted,
                               counts=counts_with(session, workshop, posted)))
    return posted, True


# On the table, not the class: through the session an insert of the class is the ORM's bulk
# insert, which cost as much as the unit of work.
_CARDS = Card.__table__  # type: ignore[attr-defined]
_INSERT_CARD = {module.dialect.name: module.insert(_CARDS).on_conflict_do_nothing()
                .returning(_CARDS.c.id) for module in (sqlite, postgresql)}
# Ids only grow and exceed any column's length, so a new card (position id × 10) lands after
# reordered ones. SQLite gives a new row the largest id so far plus one, and writes one
# transaction at a time: the insert computes its own position. PostgreSQL's sequence may skip
# ids, so there the card is placed once its id is known.
_NEXT_POSITION = (select_rows(func.coalesce(func.max(_CARDS.c.id), 0) + 1).scalar_subquery()
                  * 10)
_INSERT_CARD["sqlite"] = _INSERT_CARD["sqlite"].values(position=_NEXT_POSITION)
_PLACE_CARD = (update(_CARDS).where(_CARDS.c.id == bindparam("card_id", type_=Integer()))
               .values(position=_CARDS.c.id * 10))


_FIELD_AND_CATEGORY = (
    select(Field, Category)
    .join(Category, and_(col(Category.workshop_id) == Field.workshop_id,
                         col(Category.key) == bindparam("category", type_=String())))
    .where(Field.workshop_id == bindparam("workshop_id", type_=Integer()),
           Field.key == bindparam("field", type_=String()))
)


def _field_and_category(
    session: Session, workshop: Workshop, field: str, category: str
) -> tuple[Field, Category]:
    row = remembered(session, ("field and category", workshop.id, field, category),
                     lambda: session.exec(_FIELD_AND_CATEGORY, params={
                         "workshop_id": workshop.id, "field": field, "category": category}
                     ).first()) if is_key(field) and is_key(category) else None
    if row is None:  # say which of the two is unknown
        field_named(session=session, workshop=workshop, key=field)
        category_named(session=session, workshop=workshop, key=category)
        raise AssertionError("field and category exist but were not found together")
    return row[0], row[1]


def _by_client_id(
    session: Session, participant: Poster, client_id: str
) -> CardSnapshot | None:
    row = session.exec(
        snapshot_query().where(Card.participant_id == participant.id, Card.client_id == client_id)
    ).first()
    return snapshot(row) if row else None


def _own_card(session: Session, workshop: Workshop, participant: Participant, card_id: int,
              *, deleting: bool = False) -> Card:
    """One's own card to change – while posting is open – or to delete: that at any time,
    also after the event and when the moderation hid it (what one wrote is one's own)."""
    card = session.get(Card, card_id)
    if card is None or card.workshop_id != workshop.id or card.deleted_at is not None:
        raise NotFound("Diese Karte gibt es nicht (mehr).")
    if card.participant_id != participant.id:
        raise NotAllowed("Sie können nur Ihre eigenen Karten ändern.")
    if card.merged_into_id is not None or (card.hidden_at is not None and not deleting):
        raise Conflict("Die Moderation hat diese Karte schon bearbeitet; sie lässt sich nicht "
                       "mehr ändern.")
    if deleting:
        return card
    field = session.get(Field, card.field_id)
    assert field is not None
    parent = parent_of(session=session, field=field)
    _require_posting(workshop, field, participant, parent)
    return card


def edit_card(
    *, session: Session, workshop: Workshop, participant: Participant, card_id: int, text: str,
    category: str | None = None,
) -> CardSnapshot:
    """Change the text (and optionally the column) of one's own card."""
    card = _own_card(session, workshop, participant, card_id)
    previous = _snapshot_by_id(session, card_id)
    card.text = clean_card_text(text)
    if category is not None:
        moved_to = category_named(session=session, workshop=workshop, key=category)
        assert moved_to.id is not None
        card.category_id = moved_to.id
    card.updated_at = utcnow()
    session.add(card)
    session.flush()
    edited = _snapshot_by_id(session, card_id)
    assert workshop.id is not None
    record(session, CardEdited(workshop_id=workshop.id, card=edited,
                               previous_category=previous.category))
    return edited


def delete_card(
    *, session: Session, workshop: Workshop, participant: Participant, card_id: int
) -> CardSnapshot:
    """Remove one's own card from every board, at any time; the row stays, marked deleted,
    until the workshop is deleted."""
    card = _own_card(session, workshop, participant, card_id, deleting=True)
    card.deleted_at = utcnow()
    session.add(card)
    session.flush()
    deleted = _snapshot_by_id(session, card_id)
    assert workshop.id is not None
    record(session,
           CardDeleted(workshop_id=workshop.id, card=deleted, counts=counts(session, workshop)))
    return deleted


PARENT = aliased(Field, name="parent")


def snapshot_query() -> Any:
    """Rows for `snapshot`: the card's columns, its field's, column's and author's keys and
    the field's parent's (or None). Columns, not entities: boards, phones and consoles list
    cards with nearly every request, and loading five ORM objects per card cost most of it."""
    return (
        select_rows(*_SNAPSHOT_COLUMNS)
        .join(Field, col(Field.id) == Card.field_id)
        .join(Category, col(Category.id) == Card.category_id)
        .join(Participant, col(Participant.id) == Card.participant_id)
        .outerjoin(PARENT, col(PARENT.id) == Field.parent_id)
    )


_SNAPSHOT_COLUMNS: tuple[Any, ...] = (
    col(Card.id), col(Card.text), col(Card.created_at), col(Card.updated_at), col(Card.round),
    col(Card.pinned), col(Card.position), col(Card.weight), col(Card.hidden_at),
    col(Card.approved), col(Card.merged_into_id), col(Card.deleted_at),
    col(Field.key).label("field_key"), col(Field.number).label("field_number"),
    col(Category.key).label("category_key"), col(Participant.public_id).label("author"),
    col(PARENT.key).label("parent_key"),
)


def in_group(key: str) -> Any:
    """Cards of the field `key` or, for a top-level field, of its sub-fields too."""
    return or_(col(Field.key) == key, col(PARENT.key) == key)


def _snapshot_by_id(session: Session, card_id: int) -> CardSnapshot:
    return snapshot(session.exec(snapshot_query().where(Card.id == card_id)).one())


def _in_own_list(participant_id: Any) -> tuple[Any, ...]:
    """A participant's cards as their own list shows them (pending ones too). By the
    participant's index alone: with the workshop's id beside it SQLite read every card of the
    workshop (its field index), and a phone's post cost more with each card in the room."""
    return (Card.participant_id == participant_id, col(Card.deleted_at).is_(None),
            col(Card.hidden_at).is_(None), col(Card.merged_into_id).is_(None))


def list_cards(
    *, session: Session, workshop: Workshop, field: str | None = None,
    participant: Participant | None = None, rounds: tuple[int, ...] | None = None,
) -> list[CardSnapshot]:
    """Visible cards in board order, optionally of one field, one participant or some rounds.

    A participant's own list also holds their cards that wait for pre-moderation.
    """
    if participant is not None:
        if participant.workshop_id != workshop.id:
            return []
        query = snapshot_query().where(*_in_own_list(participant.id))
    else:
        query = snapshot_query().where(Card.workshop_id == workshop.id, visible())
    if field is not None:
        query = query.where(in_group(field))
    if rounds is not None:
        query = query.where(col(Card.round).in_(rounds))
    return [snapshot(row) for row in session.exec(query.order_by(*board_order()))]


def count_own(*, session: Session, field: str, participant: Participant) -> int:
    """How many cards the participant's own list shows in a field's group."""
    return int(session.connection().execute(
        _COUNT_OWN, {"participant_id": participant.id, "key": field}).scalar_one())


# Built once: with every phone's card, building the statement cost as much as running it.
_COUNT_OWN = (select_rows(func.count(col(Card.id)))
              .join(Field, col(Field.id) == Card.field_id)
              .outerjoin(PARENT, col(PARENT.id) == Field.parent_id)
              .where(*_in_own_list(bindparam("participant_id", type_=Integer())),
                     in_group(bindparam("key", type_=String()))))  # type: ignore[arg-type]


def get_card(*, session: Session, workshop: Workshop, card_id: int) -> CardSnapshot:
    """A card that is not deleted (it may be hidden, merged or pending)."""
    row = session.exec(
        snapshot_query().where(
            Card.id == card_id, Card.workshop_id == workshop.id, col(Card.deleted_at).is_(None)
        )
    ).first()
    if row is None:
        raise NotFound("Diese Karte gibt es nicht (mehr).")
    return snapshot(row)
