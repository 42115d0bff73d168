"""What each audience may see, as JSON: the public, a participant, a facilitator.

Events and snapshots inside the server carry everything (who wrote a card, who supports a
proposal, hidden and pending cards). Nothing leaves the server as it is: every answer and every
live message is one of the projections here. The public never gets a removed, hidden, pending or
edited-away text nor a participant's id; a facilitator sees pending and hidden cards of the
fields they moderate, still without the authors' ids.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from app import cards, moderation, phases, plenary, statements, workshops
from app.live.events import (
    BoardChanged,
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    DomainEvent,
    FieldPostingChanged,
    GuidingSentence,
    HeadingsChanged,
    ParticipantJoined,
    PhaseChanged,
    PlenaryChanged,
    PostingChanged,
    ProposalsChanged,
    RemarksChanged,
    StatementChanged,
    SurveyChanged,
    ThemeDotsChanged,
    TimerChanged,
)
from app.models import Workshop


class PublicCard(BaseModel):
    """A card as everyone may see it on the board."""

    model_config = ConfigDict(frozen=True)

    id: int
    field: str
    category: str
    text: str
    created_at: str
    edited: bool = False
    round: int = 1
    pinned: bool = False
    weight: int = 1
    subfield: str = ""  # "HF 4 A": the card is in this sub-field of its field's group


class OwnCard(PublicCard):
    """A card as its author gets it back: also whether it still waits for approval."""

    approved: bool = True


class ModeratedCard(OwnCard):
    """A card as the facilitators of its field see it."""

    hidden: bool = False
    merged_into: int | None = None


_PUBLIC_FIELDS = set(PublicCard.model_fields)


def public_card(card: CardSnapshot) -> PublicCard:
    return PublicCard.model_validate(card.model_dump(include=_PUBLIC_FIELDS))


def own_card(card: CardSnapshot) -> OwnCard:
    return OwnCard.model_validate(card.model_dump(include=set(OwnCard.model_fields)))


def moderated_card(card: CardSnapshot) -> ModeratedCard:
    return ModeratedCard.model_validate(card.model_dump(include=set(ModeratedCard.model_fields)))


class PublicProposal(BaseModel):
    """A proposed completion of the guiding sentence; `mine` and `supported` are the caller's."""

    id: int
    text: str
    support: int
    mine: bool = False
    supported: bool = False


class PublicStatement(BaseModel):
    field: str
    stem: str
    proposals: list[PublicProposal]
    draft: str
    adopted: str | None
    sentence: str | None
    version: int
    open: bool


def public_statement(state: GuidingSentence, viewer: str | None = None) -> PublicStatement:
    """The guiding sentence as `viewer` (a participant's public id, or nobody) may see it."""
    return PublicStatement(
        field=state.field, stem=state.stem, draft=state.draft, adopted=state.adopted,
        sentence=state.sentence,
        version=state.version, open=state.open,
        proposals=[PublicProposal(id=p.id, text=p.text, support=p.support,
                                  mine=viewer is not None and p.author == viewer,
                                  supported=viewer is not None and viewer in p.supporters)
                   for p in state.proposals])


class Audience(BaseModel):
    """Who follows the JSON stream: the public, or a facilitator (of one field or all)."""

    model_config = ConfigDict(frozen=True)

    facilitator: bool = False
    field: str | None = None  # a facilitator link limited to one field

    def moderates(self, field: str | None) -> bool:
        return self.facilitator and (self.field is None or self.field == field)

    def moderates_card(self, card: CardSnapshot) -> bool:
        """A facilitator of a field moderates its sub-fields' cards too."""
        return self.moderates(card.field) or self.moderates(card.in_group)


# Events without anything personal or removable: they go out as they are stored.
_AS_STORED = (ParticipantJoined, PostingChanged, FieldPostingChanged, PhaseChanged, TimerChanged,
              HeadingsChanged,
              PlenaryChanged, ThemeDotsChanged, SurveyChanged)


def _card(card: CardSnapshot, audience: Audience) -> dict[str, Any]:
    shown = moderated_card(card) if audience.moderates_card(card) else public_card(card)
    return shown.model_dump(mode="json")


def event_data(event: DomainEvent, audience: Audience) -> dict[str, Any] | None:
    """The event's data for this audience; None when it may not learn of the event at all."""
    if isinstance(event, CardPosted | CardEdited):
        if not (event.card.visible or audience.moderates_card(event.card)):
            return None
        data: dict[str, Any] = {"card": _card(event.card, audience)}
        if isinstance(event, CardPosted):
            data["counts"] = event.counts.model_dump(mode="json")
        else:
            data["previous_category"] = event.previous_category
        return data
    if isinstance(event, CardDeleted):
        # Only that it is gone, never what it said. A card nobody else saw is nobody's news.
        if not (event.card.approved or audience.moderates_card(event.card)):
            return None
        return {"card": event.card.model_dump(mode="json", include={"id", "field", "category"}),
                "counts": event.counts.model_dump(mode="json")}
    if isinstance(event, BoardChanged):
        return {"columns": [{"field": column.field, "category": column.category,
                             "cards": [_card(card, audience) for card in column.cards]}
                            for column in event.columns],
                "counts": event.counts.model_dump(mode="json")}
    if isinstance(event, StatementChanged):
        if event.state is None:
            return None
        return public_statement(event.state).model_dump(mode="json")
    if isinstance(event, RemarksChanged):
        return {"remarks": [r.model_dump(mode="json") for r in event.remarks]}
    if isinstance(event, ProposalsChanged):
        return event.payload() if audience.facilitator else None
    if isinstance(event, _AS_STORED):
        return event.payload()
    return None  # a kind nobody decided about does not go out


def state(session: Session, workshop: Workshop, audience: Audience) -> dict[str, Any]:
    """The workshop as this audience may see it now: what a stream sends a client that missed
    something, instead of the history (which holds what was removed since)."""
    fields = workshops.fields_of(session=session, workshop=workshop)
    shown: list[CardSnapshot] = []
    for field in fields:
        if field.parent_id is not None:
            continue  # a sub-field's cards come with its parent's
        if audience.moderates(field.key):
            shown += moderation.console_cards(session=session, workshop=workshop, field=field)
        else:
            shown += cards.list_cards(session=session, workshop=workshop, field=field.key)
    counts = cards.counts(session, workshop)
    timer = phases.timer_state(workshop)
    data: dict[str, Any] = {
        "phase": workshop.phase, "round": workshop.current_round, "rounds": workshop.rounds,
        "posting_open": workshop.posting_open, "timer": timer.model_dump(mode="json"),
        "counts": counts.model_dump(mode="json"),
        "cards": [_card(card, audience) for card in shown],
        "fields": [{"key": field.key, "posting_open": field.posting_open,
                    "statement": public_statement(
                        statements.snapshot(session, workshop, field)).model_dump(mode="json")}
                   for field in fields],
        "plenary": [column.model_dump(mode="json")
                    for column in plenary.columns(session=session, workshop=workshop)],
        "remarks": [{"id": r.id, "text": r.text}
                    for r in plenary.remarks(session=session, workshop=workshop)],
    }
    if audience.facilitator:
        data["pending_proposals"] = len(plenary.pending_proposals(session=session,
                                                                  workshop=workshop))
    return data
