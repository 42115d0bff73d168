"""What a field's moderation console is sent: each changed card as a fragment of its own."""

from collections.abc import Callable

from sse_starlette import ServerSentEvent

from app.live.events import (
    BoardChanged,
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    DomainEvent,
    FieldPostingChanged,
    StatementChanged,
)
from app.live.views import ConsoleView


def console_messages(event: DomainEvent, view: ConsoleView,
                     fragment: Callable[..., str]) -> list[ServerSentEvent]:
    """Each changed card of the console's field as a fragment of its own ("console-card":
    static/js/console-cards.js puts it in its column or replaces it where it is), or only its id
    when it left the console ("console-gone")."""
    if isinstance(event, StatementChanged):
        return ([ServerSentEvent(data="", event="statement-changed")]
                if event.field == view.field else [])
    if isinstance(event, FieldPostingChanged):
        if event.field != view.field:
            return []
        html = fragment(
            "facilitator/_field_switch.html", slug=view.slug, field_key=view.field,
            posting_open=event.posting_open)
        return [ServerSentEvent(data=html, event="console-posting")]
    if isinstance(event, CardPosted | CardEdited | CardDeleted):
        if view.field not in (event.card.field, event.card.in_group):
            return []
        changed, gone = [event.card], []
        if isinstance(event, CardDeleted):
            changed, gone = [], [event.card.id]
        originals: dict[int, list[CardSnapshot]] = {}
    elif isinstance(event, BoardChanged):
        changed, gone, originals = event.cards, event.gone, event.originals
    else:
        return []
    messages = [ServerSentEvent(data=str(card_id), event="console-gone") for card_id in gone]
    for card in changed:
        if view.field not in (card.field, card.in_group):
            # Moderated into another field: gone from this console (if it was in it).
            messages.append(ServerSentEvent(data=str(card.id), event="console-gone"))
            continue
        html = fragment("facilitator/_mod_card.html", card=card, field_key=view.field,
                        targets=view.targets, originals=originals, slug=view.slug,
                        arrived=isinstance(event, CardPosted), live=True)
        messages.append(ServerSentEvent(data=html, event="console-card"))
    return messages
