"""JSON API under /api/v1: join, workshop structure, cards, posting state and the event stream."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from app import cards, facilitation, participants, workshops
from app.deps import (
    ContextDep,
    FacilitatorWorkshop,
    SessionDep,
    WorkshopDep,
    event_stream,
    is_facilitator,
    load_workshop,
    participant_of,
)
from app.errors import NotSignedIn
from app.events import CardSnapshot
from app.live import ApiView
from app.models import Participant, Workshop

router = APIRouter(prefix="/api/v1", tags=["api"])


class JoinIn(BaseModel):
    code: str = Field(max_length=40)
    name: str | None = None


class JoinOut(BaseModel):
    participant_token: str
    workshop: str


class ThemeOut(BaseModel):
    text: str
    kind: str


class FieldOut(BaseModel):
    key: str
    number: str
    title: str
    topics: str
    themes: list[ThemeOut]
    subfields: list["FieldOut"] = []


class CategoryOut(BaseModel):
    key: str
    label: str


class WorkshopOut(BaseModel):
    slug: str
    title: str
    region: str
    statement_stem: str
    posting_open: bool
    categories: list[CategoryOut]
    fields: list[FieldOut]


class CardIn(BaseModel):
    field: str = Field(max_length=40)
    category: str = Field(max_length=40)
    text: str  # bounded by the body limit; the service explains the 500-character limit
    client_id: str | None = Field(default=None, max_length=64)


class CardEditIn(BaseModel):
    text: str
    category: str | None = Field(default=None, max_length=40)


class PostingIn(BaseModel):
    open: bool


class PostingOut(BaseModel):
    posting_open: bool


@router.post("/join", response_model=JoinOut, status_code=201)
def join(body: JoinIn, session: SessionDep, context: ContextDep) -> JoinOut:
    """Join a workshop by its code; the token authorizes the participant's later calls."""
    workshop = workshops.workshop_by_code(session=session, code=body.code)
    participant = participants.join(session=session, workshop=workshop,
                                    display_name=body.name or "")
    return JoinOut(participant_token=context.tokens.participant_token(participant.public_id),
                   workshop=workshop.slug)


@router.get("/workshops/{slug}", response_model=WorkshopOut)
def workshop_structure(workshop: WorkshopDep, session: SessionDep) -> WorkshopOut:
    """Fields with their sub-fields and themes, and the card categories."""
    fields = workshops.fields_of(session=session, workshop=workshop)
    themes = workshops.themes_by_field(session=session, workshop=workshop)

    def out(field_id: int | None) -> list[FieldOut]:
        return [
            FieldOut(key=f.key, number=f.number, title=f.title, topics=f.topics,
                     themes=[ThemeOut(text=t.text, kind=t.kind) for t in themes.get(f.id or 0, [])],
                     subfields=out(f.id))
            for f in fields if f.parent_id == field_id
        ]

    categories = workshops.categories_of(session=session, workshop=workshop)
    return WorkshopOut(
        slug=workshop.slug, title=workshop.title, region=workshop.region,
        statement_stem=workshop.statement_stem.format(region=workshop.region),
        posting_open=workshop.posting_open,
        categories=[CategoryOut(key=c.key, label=c.label) for c in categories],
        fields=out(None),
    )


def _author(request: Request, context: ContextDep, session: Session, workshop: Workshop
            ) -> Participant:
    participant = participant_of(request, context, session, workshop)
    if participant is not None:
        return participant
    if is_facilitator(request, context, workshop):
        return participants.facilitator_participant(session=session, workshop=workshop)
    raise NotSignedIn("Bitte treten Sie dem Workshop bei (POST /api/v1/join) und senden Sie "
                      "das Token als „Authorization: Bearer …“.")


@router.post("/workshops/{slug}/cards", response_model=CardSnapshot, status_code=201,
             responses={200: {"description": "The same client_id was sent before: that card."}})
def post_card(body: CardIn, request: Request, response: Response, workshop: WorkshopDep,
              session: SessionDep, context: ContextDep) -> CardSnapshot:
    """Post a card; a repeated client_id returns the first card instead of a duplicate."""
    author = _author(request, context, session, workshop)
    card, created = cards.post_card(session=session, workshop=workshop, participant=author,
                                    field=body.field, category=body.category, text=body.text,
                                    client_id=body.client_id)
    if not created:
        response.status_code = 200
    return card


@router.get("/workshops/{slug}/cards", response_model=list[CardSnapshot])
def list_cards(workshop: WorkshopDep, session: SessionDep,
               field: Annotated[str | None, Query(max_length=40)] = None) -> list[CardSnapshot]:
    """Visible cards, optionally of one field."""
    if field is not None:
        workshops.get_field(session=session, workshop=workshop, key=field)
    return cards.list_cards(session=session, workshop=workshop, field=field)


@router.patch("/workshops/{slug}/cards/{card_id}", response_model=CardSnapshot)
def edit_card(card_id: int, body: CardEditIn, request: Request, workshop: WorkshopDep,
              session: SessionDep, context: ContextDep) -> CardSnapshot:
    """Change the text or column of one's own card."""
    author = _author(request, context, session, workshop)
    return cards.edit_card(session=session, workshop=workshop, participant=author,
                           card_id=card_id, text=body.text, category=body.category)


@router.delete("/workshops/{slug}/cards/{card_id}", status_code=204)
def delete_card(card_id: int, request: Request, workshop: WorkshopDep, session: SessionDep,
                context: ContextDep) -> Response:
    """Delete one's own card."""
    author = _author(request, context, session, workshop)
    cards.delete_card(session=session, workshop=workshop, participant=author, card_id=card_id)
    return Response(status_code=204)


@router.put("/workshops/{slug}/posting", response_model=PostingOut)
def set_posting(body: PostingIn, workshop: FacilitatorWorkshop, session: SessionDep) -> PostingOut:
    """Open or close posting for the whole workshop (facilitator token)."""
    facilitation.set_posting_open(session=session, workshop=workshop, posting_open=body.open)
    return PostingOut(posting_open=workshop.posting_open)


@router.get("/workshops/{slug}/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(slug: str, context: ContextDep,
                 last_event_id: Annotated[int | None, Header()] = None,
                 after: Annotated[int, Query(ge=0)] = 0) -> EventSourceResponse:
    """Server-sent events as JSON; reconnect with Last-Event-ID to replay what was missed."""
    workshop = await load_workshop(context, slug)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=ApiView())
