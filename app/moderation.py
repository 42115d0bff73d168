"""Moderation of the wall: hide, edit, move, pin, reorder, merge, approve, and undo.

Every action stores the moderated fields of the cards it touches as they were before, and the
ids of the cards it created; undo puts those fields back and deletes the created cards. After
each action the boards get the affected columns redrawn (one `BoardChanged` event).
"""

from datetime import datetime
from typing import Any, Literal, TypedDict

from sqlmodel import Session, col, select

from app.access import Facilitator
from app.cards import (
    board_order,
    clean_card_text,
    counts,
    snapshot,
    snapshot_query,
    visible,
)
from app.errors import Conflict, InvalidInput, NotFound
from app.live.events import BoardChanged, CardSnapshot, ColumnSnapshot, record
from app.models import Card, Category, Field, ModerationAction, Workshop, as_utc, utcnow
from app.participants import facilitator_participant
from app.workshops import categories_of, category_named, field_named, fields_of

MODERATED = ("text", "category_id", "field_id", "hidden_at", "pinned", "position",
             "merged_into_id", "deleted_at", "approved", "weight")
MERGE_MAX = 50
Column = tuple[int, int]  # (field_id, category_id)


def card_state(card: Card) -> dict[str, Any]:
    state: dict[str, Any] = {"id": card.id}
    for name in MODERATED:
        value = getattr(card, name)
        state[name] = as_utc(value).isoformat() if isinstance(value, datetime) else value
    return state


def column_of(card: Card) -> Column:
    return (card.field_id, card.category_id)


def group_of(session: Session, field_id: int) -> Field:
    """The top-level field whose board, console and column a field's cards are in."""
    field = session.get(Field, field_id)
    assert field is not None
    parent = session.get(Field, field.parent_id) if field.parent_id else None
    return parent or field


def group_ids(session: Session, group: Field) -> list[int]:
    """The group's field and its sub-fields."""
    assert group.id is not None
    children = session.exec(select(Field.id).where(Field.parent_id == group.id)).all()
    return [group.id, *(c for c in children if c is not None)]


def require_field(session: Session, facilitator: Facilitator, field_id: int) -> None:
    """A facilitator of a field may moderate its sub-fields' cards too."""
    if facilitator.field_id is not None and facilitator.field_id != field_id:
        facilitator.require_field(group_of(session, field_id).id or 0)


def cards_to_act_on(session: Session, workshop: Workshop, facilitator: Facilitator,
                    ids: list[int]) -> list[Card]:
    """The cards to act on: of this workshop, in the facilitator's field, not merged or deleted."""
    if not ids:
        raise InvalidInput("Bitte wählen Sie mindestens eine Karte aus.")
    found = []
    for card_id in dict.fromkeys(ids):
        card = session.get(Card, card_id)
        if card is None or card.workshop_id != workshop.id:
            raise NotFound("Diese Karte gibt es nicht (mehr).")
        if card.deleted_at is not None or card.merged_into_id is not None:
            raise Conflict("Diese Karte wurde inzwischen zusammengefasst oder gelöscht. "
                           "Laden Sie die Seite neu.")
        require_field(session, facilitator, card.field_id)
        found.append(card)
    return found


def finish_action(session: Session, workshop: Workshop, facilitator: Facilitator, *, kind: str,
            summary: str, before: list[dict[str, Any]], touched: list[Card],
            created: list[Card] | None = None, columns: set[Column] | None = None
            ) -> ModerationAction:
    """Record the action for undo, redraw the touched columns on every board, commit."""
    assert workshop.id is not None
    session.flush()
    action = ModerationAction(workshop_id=workshop.id, kind=kind, actor=facilitator.actor,
                              summary=summary[:200], before=before,
                              after=[card_state(c) for c in touched],
                              created=[c.id for c in created or [] if c.id is not None])
    session.add(action)
    changed = set(columns or ()) | {column_of(c) for c in [*touched, *(created or [])]}
    publish_columns(session, workshop, changed, [*touched, *(created or [])])
    return action


def publish_columns(session: Session, workshop: Workshop, columns: set[Column],
                    cards: list[Card]) -> None:
    """Boards redraw the changed columns; consoles replace the changed cards one by one."""
    assert workshop.id is not None
    # Boards show a field with its sub-fields: the column to redraw is the group's.
    groups = sorted({(group_of(session, field_id).id or 0, category_id)
                     for field_id, category_id in columns})
    snapshots = [column_snapshot(session, field_id, category_id)
                 for field_id, category_id in groups]
    ids = list(dict.fromkeys(c.id for c in cards if c.id is not None))
    rows = session.exec(snapshot_query().where(col(Card.id).in_(ids))) if ids else []
    shown, gone = [], []
    for row in rows:
        card = snapshot(row)
        if row.deleted_at is not None or card.merged_into is not None:
            gone.append(card.id)
        else:
            shown.append(card)
    merged = [card.id for card in shown if card.weight > 1]
    record(session, BoardChanged(
        workshop_id=workshop.id, columns=snapshots, counts=counts(session, workshop),
        cards=shown, gone=gone, originals=merged_originals(session=session, merged_ids=merged)))


def column_snapshot(session: Session, field_id: int, category_id: int) -> ColumnSnapshot:
    """A group's column as its board shows it: the field's cards and its sub-fields'."""
    field, category = session.get(Field, field_id), session.get(Category, category_id)
    assert field is not None and category is not None
    rows = session.exec(
        snapshot_query()
        .where(col(Card.field_id).in_(group_ids(session, field)),
               Card.category_id == category_id, visible())
        .order_by(*board_order())
    )
    return ColumnSnapshot(field=field.key, category=category.key,
                          cards=[snapshot(row) for row in rows])


def set_hidden(*, session: Session, workshop: Workshop, facilitator: Facilitator,
               card_ids: list[int], hidden: bool) -> ModerationAction:
    """Hide cards from boards and phones (they stay in the database), or show them again."""
    cards = cards_to_act_on(session, workshop, facilitator, card_ids)
    before = [card_state(c) for c in cards]
    for card in cards:
        card.hidden_at = utcnow() if hidden else None
        session.add(card)
    return finish_action(session, workshop, facilitator, kind="hide" if hidden else "unhide",
                   summary=_summary(cards), before=before, touched=cards)


def approve(*, session: Session, workshop: Workshop, facilitator: Facilitator,
            card_ids: list[int]) -> ModerationAction:
    """Let cards that wait for pre-moderation onto the board."""
    cards = cards_to_act_on(session, workshop, facilitator, card_ids)
    before = [card_state(c) for c in cards]
    for card in cards:
        card.approved = True
        session.add(card)
    return finish_action(session, workshop, facilitator, kind="approve", summary=_summary(cards),
                   before=before, touched=cards)


def edit(*, session: Session, workshop: Workshop, facilitator: Facilitator, card_id: int,
         text: str) -> ModerationAction:
    """Fix a card's wording (a typo, a clearer phrase)."""
    [card] = cards_to_act_on(session, workshop, facilitator, [card_id])
    before = [card_state(card)]
    card.text = clean_card_text(text)
    card.updated_at = utcnow()
    session.add(card)
    return finish_action(session, workshop, facilitator, kind="edit", summary=card.text,
                         before=before, touched=[card])


def move(*, session: Session, workshop: Workshop, facilitator: Facilitator, card_id: int,
         field: str, category: str) -> ModerationAction:
    """Move a card to another column and/or field; it goes to the end of its new column."""
    [card] = cards_to_act_on(session, workshop, facilitator, [card_id])
    target_field = field_named(session=session, workshop=workshop, key=field)
    target_category = category_named(session=session, workshop=workshop, key=category)
    assert target_field.id is not None and target_category.id is not None
    require_field(session, facilitator, target_field.id)
    before = [card_state(card)]
    old = column_of(card)
    card.field_id, card.category_id = target_field.id, target_category.id
    card.position = _end_of_column(session, target_field.id, target_category.id)
    session.add(card)
    return finish_action(session, workshop, facilitator, kind="move", summary=card.text,
                         before=before, touched=[card], columns={old})


def _end_of_column(session: Session, field_id: int, category_id: int) -> int:
    positions = session.exec(
        select(Card.position).where(Card.field_id == field_id, Card.category_id == category_id)
    ).all()
    return max(positions, default=0) + 10


def pin(*, session: Session, workshop: Workshop, facilitator: Facilitator, card_id: int,
        pinned: bool) -> ModerationAction:
    """Pin a card to the top of its column, or release it."""
    [card] = cards_to_act_on(session, workshop, facilitator, [card_id])
    before = [card_state(card)]
    card.pinned = pinned
    session.add(card)
    return finish_action(session, workshop, facilitator, kind="pin" if pinned else "unpin",
                   summary=card.text, before=before, touched=[card])


def reorder(*, session: Session, workshop: Workshop, facilitator: Facilitator, card_id: int,
            direction: Literal["up", "down"]) -> ModerationAction | None:
    """Move a card one place up or down in its column; None when it is already at the end."""
    [card] = cards_to_act_on(session, workshop, facilitator, [card_id])
    column = list(session.exec(
        select(Card)
        .where(col(Card.field_id).in_(group_ids(session, group_of(session, card.field_id))),
               Card.category_id == card.category_id, visible())
        .order_by(*board_order())
    ))
    index = next((i for i, c in enumerate(column) if c.id == card.id), None)
    if index is None:
        raise Conflict("Ausgeblendete Karten haben keinen Platz in der Spalte.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(column) or column[other].pinned != card.pinned:
        return None
    before = [card_state(c) for c in column]
    column[index], column[other] = column[other], column[index]
    for number, item in enumerate(column, start=1):
        item.position = number * 10
        session.add(item)
    return finish_action(session, workshop, facilitator, kind="reorder", summary=card.text,
                   before=before, touched=column)


def merge(*, session: Session, workshop: Workshop, facilitator: Facilitator, card_ids: list[int],
          text: str | None = None) -> ModerationAction:
    """Put duplicates together: one new card with the chosen (or longest) wording."""
    originals = cards_to_act_on(session, workshop, facilitator, card_ids)
    if len(originals) < 2:
        raise InvalidInput("Zum Zusammenfassen braucht es mindestens zwei Karten.")
    if len(originals) > MERGE_MAX:
        raise InvalidInput("Höchstens {max} Karten auf einmal.", max=MERGE_MAX)
    if len({group_of(session, c.field_id).id for c in originals}) > 1:
        raise InvalidInput("Nur Karten desselben Handlungsfelds lassen sich zusammenfassen.")
    wording = clean_card_text(text if text and text.strip() else
                              max((c.text for c in originals), key=len))
    first = originals[0]
    author = facilitator_participant(session=session, workshop=workshop)
    assert workshop.id is not None and author.id is not None
    merged = Card(
        workshop_id=workshop.id, field_id=first.field_id, category_id=first.category_id,
        participant_id=author.id, text=wording, round=max(c.round for c in originals),
        position=min(c.position for c in originals), pinned=any(c.pinned for c in originals),
        weight=sum(c.weight for c in originals),
    )
    session.add(merged)
    session.flush()
    before = [card_state(c) for c in originals]
    for card in originals:
        card.merged_into_id = merged.id
        session.add(card)
    return finish_action(session, workshop, facilitator, kind="merge", summary=wording,
                         before=before, touched=originals, created=[merged])


def unmerge(*, session: Session, workshop: Workshop, facilitator: Facilitator,
            card_id: int) -> ModerationAction:
    """Split a merged card into its originals again."""
    [merged] = cards_to_act_on(session, workshop, facilitator, [card_id])
    originals = list(session.exec(select(Card).where(Card.merged_into_id == merged.id)))
    if not originals:
        raise Conflict("Diese Karte ist keine zusammengefasste Karte.")
    before = [card_state(merged), *(card_state(c) for c in originals)]
    merged.deleted_at = utcnow()
    session.add(merged)
    for card in originals:
        card.merged_into_id = None
        session.add(card)
    return finish_action(session, workshop, facilitator, kind="unmerge", summary=merged.text,
                   before=before, touched=[merged, *originals])


def _summary(cards: list[Card]) -> str:
    return cards[0].text if len(cards) == 1 else f"{len(cards)} Karten"


def console_cards(*, session: Session, workshop: Workshop, field: Field
                  ) -> list[CardSnapshot]:
    """Every card of a field a facilitator can act on (hidden and pending ones too)."""
    rows = session.exec(
        snapshot_query()
        .where(Card.workshop_id == workshop.id, col(Card.field_id).in_(group_ids(session, field)),
               col(Card.deleted_at).is_(None), col(Card.merged_into_id).is_(None))
        .order_by(*board_order())
    )
    return [snapshot(row) for row in rows]


def move_targets(*, session: Session, workshop: Workshop) -> tuple[tuple[str, str], ...]:
    """Where a console can move a card: every field's every column, ("hf2:ideas", label)."""
    return tuple((f"{f.key}:{c.key}", f"{f.number or f.title} – {c.label}")
                 for f in fields_of(session=session, workshop=workshop)
                 for c in categories_of(session=session, workshop=workshop))


def merged_originals(*, session: Session, merged_ids: list[int]) -> dict[int, list[CardSnapshot]]:
    """For merged cards: the cards they were made of."""
    if not merged_ids:
        return {}
    rows = session.exec(
        snapshot_query().where(col(Card.merged_into_id).in_(merged_ids)).order_by(col(Card.id))
    )
    grouped: dict[int, list[CardSnapshot]] = {}
    for row in rows:
        original = snapshot(row)
        assert original.merged_into is not None
        grouped.setdefault(original.merged_into, []).append(original)
    return grouped


class _Args(TypedDict):
    session: Session
    workshop: Workshop
    facilitator: Facilitator


ACTIONS = ("hide", "unhide", "approve", "pin", "unpin", "up", "down", "edit", "move", "merge",
           "unmerge")


def apply(*, session: Session, workshop: Workshop, facilitator: Facilitator, action: str,
          card_ids: list[int], text: str | None = None, field: str | None = None,
          category: str | None = None) -> ModerationAction | None:
    """One entry for every card action, shared by the console and the API."""
    if action not in ACTIONS:
        raise InvalidInput("Diese Aktion gibt es nicht: {action}.", action=action[:20])
    args: _Args = {"session": session, "workshop": workshop, "facilitator": facilitator}
    if action in ("hide", "unhide"):
        return set_hidden(**args, card_ids=card_ids, hidden=action == "hide")
    if action == "approve":
        return approve(**args, card_ids=card_ids)
    if action == "merge":
        return merge(**args, card_ids=card_ids, text=text)
    if len(card_ids) != 1:
        raise InvalidInput("Bitte genau eine Karte auswählen.")
    card_id = card_ids[0]
    if action in ("pin", "unpin"):
        return pin(**args, card_id=card_id, pinned=action == "pin")
    if action in ("up", "down"):
        return reorder(**args, card_id=card_id, direction="up" if action == "up" else "down")
    if action == "edit":
        return edit(**args, card_id=card_id, text=text or "")
    if action == "move":
        if not field or not category:
            raise InvalidInput("Bitte Ziel-Handlungsfeld und Spalte wählen.")
        return move(**args, card_id=card_id, field=field, category=category)
    return unmerge(**args, card_id=card_id)

