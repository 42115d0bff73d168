"""Taking back a facilitator's moderation steps: the last one of theirs (in a field's console,
the last one in that field), and only what nobody changed since."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.access import Facilitator
from app.errors import Conflict
from app.models import Card, Field, ModerationAction, Workshop, utcnow
from app.moderation import MODERATED, Column, card_state, column_of, group_ids, publish_columns

UNDO_LOOKBACK = 200  # a console looks this many of the facilitator's steps back for its field


def _restore(card: Card, before: dict[str, Any], after: dict[str, Any] | None, kind: str) -> None:
    """Put back what the action changed, unless someone changed it since: an author who edited
    or deleted their card after the action keeps that edit or deletion."""
    now = card_state(card)
    for name in MODERATED:
        if after is not None and now[name] != after.get(name):
            continue
        if after is None and name == "deleted_at" and kind != "unmerge":
            continue  # an action from before `after` was kept: never bring back a deletion
        value = before[name]
        if name.endswith("_at") and value is not None:
            value = datetime.fromisoformat(value)
        setattr(card, name, value)


def undo(*, session: Session, workshop: Workshop, facilitator: Facilitator,
         field: Field | None = None) -> ModerationAction:
    """Take back this facilitator's last moderation action (with `field`: in that field)."""
    action = last_action(session=session, workshop=workshop, facilitator=facilitator, field=field)
    if action is None:
        raise Conflict("Es gibt nichts rückgängig zu machen.")
    columns: set[Column] = set()
    restored: list[Card] = []
    after = {state["id"]: state for state in action.after}
    if action.kind == "unmerge":
        _require_unchanged_originals(session, action, after)
    for state in action.before:
        card = session.get(Card, state["id"])
        if card is None:
            continue
        columns.add(column_of(card))
        _restore(card, state, after.get(card.id) if action.after else None, action.kind)
        columns.add(column_of(card))
        session.add(card)
        restored.append(card)
    for card_id in action.created:
        card = session.get(Card, card_id)
        if card is not None:
            card.deleted_at = card.deleted_at or utcnow()
            columns.add(column_of(card))
            session.add(card)
            restored.append(card)
    action.undone_at = utcnow()
    session.add(action)
    session.flush()
    publish_columns(session, workshop, columns, restored)
    return action


def _require_unchanged_originals(session: Session, action: ModerationAction,
                                 after: dict[int, dict[str, Any]]) -> None:
    """Undoing a split merges again, under the merged card's wording, which came from one of
    the originals: not once an author has since edited or deleted one of them."""
    for state in action.before:
        card = session.get(Card, state["id"])
        then = after.get(state["id"])
        if card is None or then is None or state["merged_into_id"] is None:
            continue  # the merged card itself, or an action from before `after` was kept
        now = card_state(card)
        if now["text"] != then["text"] or now["deleted_at"] != then["deleted_at"]:
            raise Conflict("Das lässt sich nicht mehr rückgängig machen: eine der Karten wurde "
                           "inzwischen von ihrer Verfasserin oder ihrem Verfasser geändert oder "
                           "gelöscht.")


def last_action(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                field: Field | None = None) -> ModerationAction | None:
    """This facilitator's last action that can be undone; with `field`, the last one on cards
    of that field (its sub-fields included): a field's console never undoes another's step."""
    query = (select(ModerationAction)
             .where(ModerationAction.workshop_id == workshop.id,
                    ModerationAction.actor == facilitator.actor,
                    col(ModerationAction.undone_at).is_(None))
             .order_by(col(ModerationAction.id).desc()))
    if field is None:
        return session.exec(query.limit(1)).first()
    group = set(group_ids(session, field))
    for action in session.exec(query.limit(UNDO_LOOKBACK)):
        fields: set[Any] = {state.get("field_id") for state in [*action.before, *action.after]}
        if action.created:  # bulk entry and merges make cards: their field counts too
            fields |= set(session.exec(select(Card.field_id)
                                       .where(col(Card.id).in_(action.created))))
        if fields & group:
            return action
    return None
