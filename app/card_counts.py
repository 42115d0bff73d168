"""The boards' figures: participants and visible cards per field, counted with every card."""

from typing import Any

from sqlalchemy import Integer, and_, bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app.db.unit import unit
from app.live.events import CardSnapshot, Counts
from app.models import FACILITATOR, Card, Field, Participant, Workshop


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


def counts_with(session: Session, workshop: Workshop, posted: CardSnapshot) -> Counts:
    """The counts once `posted` is in: counted in full for the transaction's first card,
    counted on for the cards posted after it in the same transaction (group commit)."""
    assert workshop.id is not None
    memo = unit(session).memo
    known = memo.get(("counts", workshop.id))
    if known is None:
        now = counts(session, workshop)
    else:
        per_field = dict(known.cards)
        if posted.visible:
            for key in {posted.field, posted.in_group}:
                per_field[key] = per_field.get(key, 0) + 1
        now = Counts(participants=known.participants, cards=per_field)
    memo[("counts", workshop.id)] = now
    return now
