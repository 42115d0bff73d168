"""Cards (Beiträge): post, edit, delete and list, with the limits and permissions they need."""

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, or_
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app.db.locks import lock_workshop
from app.db.unit import savepoint
from app.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from app.live.events import (
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    Counts,
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


def posting_closed(workshop: Workshop, field: Field, participant: Participant,
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


def _require_posting(workshop: Workshop, field: Field, participant: Participant,
                     parent: Field | None = None) -> None:
    closed = posting_closed(workshop, field, participant, parent)
    if closed is not None:
        raise Conflict(closed)


def visible() -> Any:
    """What boards and other participants see: not deleted, hidden, merged or pending."""
    return and_(col(Card.deleted_at).is_(None), col(Card.hidden_at).is_(None),
                col(Card.merged_into_id).is_(None), col(Card.approved).is_(True))


def _counts_statement() -> Any:
    workshop_id = bindparam("workshop_id", type_=Integer())
    participants = (
        select(func.count())
        .select_from(Participant)
        .where(Participant.workshop_id == workshop_id, Participant.role != FACILITATOR)
        .scalar_subquery()
    )
    cards = (
        select(func.count())
        .select_from(Card)
        .where(Card.workshop_id == workshop_id, Card.field_id == Field.id, visible())
        .scalar_subquery()
    )
    parent = aliased(Field, name="parent")
    return (select(Field.key, parent.key, cards, participants)
            .outerjoin(parent, col(parent.id) == Field.parent_id)
            .where(Field.workshop_id == workshop_id))


# Built once: constructing the statement (and its cache key) anew cost more CPU than running it.
_COUNTS = _counts_statement()


def counts(session: Session, workshop: Workshop) -> Counts:
    """Participants and visible cards per field, as the board shows them (a field's count
    includes its sub-fields' cards).

    Runs with every posted card, inside its write transaction: one statement, and the cards
    are counted per field from the partial index of visible cards alone.
    """
    rows = session.exec(_COUNTS, params={"workshop_id": workshop.id}).all()
    per_field: dict[str, int] = {}
    for key, parent, count, _participants in rows:
        for name in (key, parent) if parent else (key,):
            per_field[name] = per_field.get(name, 0) + count
    return Counts(participants=rows[0][3] if rows else 0,
                  cards={key: count for key, count in per_field.items() if count})


def board_order() -> tuple[Any, ...]:
    """Pinned cards first, then the facilitator's order, then posting order."""
    return (col(Card.pinned).desc(), col(Card.position), col(Card.id))


def snapshot(card: Card, field: Field, category: Category, author: Participant,
             parent: Field | None = None) -> CardSnapshot:
    """The card as events and pages carry it; `parent` is the field's parent (a sub-field's)."""
    assert card.id is not None
    return CardSnapshot(
        id=card.id, field=field.key, category=category.key, text=card.text,
        author=author.public_id, created_at=as_utc(card.created_at).isoformat(),
        edited=card.updated_at is not None, round=card.round, pinned=card.pinned,
        position=card.position,
        weight=card.weight, hidden=card.hidden_at is not None, approved=card.approved,
        merged_into=card.merged_into_id, group=parent.key if parent else field.key,
        subfield=field.number if parent else "",
    )


def post_card(
    *,
    session: Session,
    workshop: Workshop,
    participant: Participant,
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
    among the cards that arrive together – and a failure undoes whatever this call wrote.
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
    card = Card(
        workshop_id=workshop.id, field_id=field_row.id, category_id=category_row.id,
        participant_id=participant.id, text=clean_card_text(text), client_id=client_id or None,
        round=workshop.current_round,
        approved=not workshop.premoderation or participant.role == FACILITATOR,
    )
    try:
        with savepoint(session):
            session.add(card)
            # A retry carries the client_id of a stored card: the unique constraint finds it,
            # so the first attempt of every card (nearly all of them) needs no lookup before.
            session.flush()
            if rate_limit is not None and participant.role != FACILITATOR:
                rate_limit(participant.public_id)
    except IntegrityError:
        if client_id and (existing := _by_client_id(session, participant, client_id)):
            return existing, False
        raise
    assert card.id is not None
    # Ids only grow and exceed any column's length, so a new card lands after reordered ones.
    card.position = card.id * 10
    posted = snapshot(card, field_row, category_row, participant, parent)
    # From here until the commit no other card of this workshop is counted or recorded: the
    # counts fit the event, and the event ids follow commit order (PostgreSQL; see locks).
    lock_workshop(session, workshop.id)
    record(session,
           CardPosted(workshop_id=workshop.id, card=posted, counts=counts(session, workshop)))
    return posted, True


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
    row = session.exec(_FIELD_AND_CATEGORY, params={
        "workshop_id": workshop.id, "field": field, "category": category}).first() if (
        is_key(field) and is_key(category)) else None
    if row is None:  # say which of the two is unknown
        field_named(session=session, workshop=workshop, key=field)
        category_named(session=session, workshop=workshop, key=category)
        raise AssertionError("field and category exist but were not found together")
    return row[0], row[1]


def _by_client_id(
    session: Session, participant: Participant, client_id: str
) -> CardSnapshot | None:
    row = session.exec(
        snapshot_query().where(Card.participant_id == participant.id, Card.client_id == client_id)
    ).first()
    return snapshot(*row) if row else None


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
    """Rows for `snapshot`: card, field, category, author and the field's parent (or None)."""
    # SQLAlchemy's own select: sqlmodel's is typed for at most four entities.
    return (
        select_rows(Card, Field, Category, Participant, PARENT)
        .join(Field, col(Field.id) == Card.field_id)
        .join(Category, col(Category.id) == Card.category_id)
        .join(Participant, col(Participant.id) == Card.participant_id)
        .outerjoin(PARENT, col(PARENT.id) == Field.parent_id)
    )


def in_group(key: str) -> Any:
    """Cards of the field `key` or, for a top-level field, of its sub-fields too."""
    return or_(col(Field.key) == key, col(PARENT.key) == key)


def _snapshot_by_id(session: Session, card_id: int) -> CardSnapshot:
    return snapshot(*session.exec(snapshot_query().where(Card.id == card_id)).one())


def list_cards(
    *, session: Session, workshop: Workshop, field: str | None = None,
    participant: Participant | None = None, rounds: tuple[int, ...] | None = None,
) -> list[CardSnapshot]:
    """Visible cards in board order, optionally of one field, one participant or some rounds.

    A participant's own list also holds their cards that wait for pre-moderation.
    """
    query = snapshot_query().where(Card.workshop_id == workshop.id)
    if participant is not None:
        query = query.where(Card.participant_id == participant.id,
                            col(Card.deleted_at).is_(None), col(Card.hidden_at).is_(None),
                            col(Card.merged_into_id).is_(None))
    else:
        query = query.where(visible())
    if field is not None:
        query = query.where(in_group(field))
    if rounds is not None:
        query = query.where(col(Card.round).in_(rounds))
    return [snapshot(*row) for row in session.exec(query.order_by(*board_order()))]


def get_card(*, session: Session, workshop: Workshop, card_id: int) -> CardSnapshot:
    """A card that is not deleted (it may be hidden, merged or pending)."""
    row = session.exec(
        snapshot_query().where(
            Card.id == card_id, Card.workshop_id == workshop.id, col(Card.deleted_at).is_(None)
        )
    ).first()
    if row is None:
        raise NotFound("Diese Karte gibt es nicht (mehr).")
    return snapshot(*row)
