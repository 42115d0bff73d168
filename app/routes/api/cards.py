"""Cards: post, list, change, delete; posting open or closed."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import (
    cards,
    facilitation,
    workshops,
)
from app.live import public
from app.live.events import CardSnapshot
from app.live.public import OwnCard, PublicCard
from app.routes.api.common import _author, _poster
from app.web.deps import (
    ContextDep,
    FacilitatorDep,
    IdPath,
    SessionDep,
    WorkshopDep,
    write,
)

router = APIRouter()


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


@router.post("/workshops/{slug}/cards", response_model=OwnCard, status_code=201,
             responses={200: {"description": "The same client_id was sent before: that card."}})
async def post_card(slug: str, body: CardIn, request: Request, context: ContextDep) -> Response:
    """Post a card; a repeated client_id returns the first card instead of a duplicate."""

    # The busiest route does all its database work in one go on one worker thread, and on
    # SQLite in one transaction with the posts that arrive meanwhile (one fsync for them all).
    def post(session: Session) -> tuple[CardSnapshot, bool]:
        workshop = workshops.get_workshop(session=session, slug=slug)
        author = _poster(request, context, session, workshop)
        return cards.post_card(session=session, workshop=workshop, participant=author,
                               field=body.field, category=body.category, text=body.text,
                               client_id=body.client_id, rate_limit=context.limits.card)

    card, created = await run_in_threadpool(context.db.commit_together, post)
    # It answers with its JSON directly: FastAPI would otherwise validate the model it was
    # just given once more, on a worker thread of its own.
    return Response(public.own_card(card).model_dump_json(),
                    status_code=201 if created else 200, media_type="application/json")


@router.get("/workshops/{slug}/cards", response_model=list[PublicCard])
def list_cards(workshop: WorkshopDep, session: SessionDep,
               field: Annotated[str | None, Query(max_length=40)] = None) -> list[PublicCard]:
    """Visible cards, optionally of one field."""
    if field is not None:
        workshops.get_field(session=session, workshop=workshop, key=field)
    return [public.public_card(card)
            for card in cards.list_cards(session=session, workshop=workshop, field=field)]


@router.patch("/workshops/{slug}/cards/{card_id}", response_model=OwnCard)
def edit_card(card_id: IdPath, body: CardEditIn, request: Request, workshop: WorkshopDep,
              session: SessionDep, context: ContextDep) -> OwnCard:
    """Change the text or column of one's own card."""
    with write(request, session, workshop):
        author = _author(request, context, session, workshop)
        return public.own_card(cards.edit_card(session=session, workshop=workshop,
                                               participant=author, card_id=card_id,
                                               text=body.text, category=body.category))


@router.delete("/workshops/{slug}/cards/{card_id}", status_code=204)
def delete_card(card_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
                context: ContextDep) -> Response:
    """Delete one's own card."""
    with write(request, session, workshop, archived_ok=True):
        author = _author(request, context, session, workshop)
        cards.delete_card(session=session, workshop=workshop, participant=author, card_id=card_id)
        return Response(status_code=204)


@router.put("/workshops/{slug}/posting", response_model=PostingOut)
def set_posting(request: Request, body: PostingIn, workshop: WorkshopDep,
                facilitator: FacilitatorDep,
                session: SessionDep) -> PostingOut:
    """Open or close posting for the whole workshop (facilitator token)."""
    with write(request, session, workshop):
        facilitation.set_posting_open(session=session, workshop=workshop, posting_open=body.open,
                                      facilitator=facilitator)
        return PostingOut(posting_open=workshop.posting_open)


@router.put("/workshops/{slug}/fields/{field_key}/posting", response_model=PostingOut)
def set_field_posting(request: Request, field_key: str, body: PostingIn, workshop: WorkshopDep,
                      facilitator: FacilitatorDep, session: SessionDep) -> PostingOut:
    """Open or close posting for one field (facilitator token)."""
    with write(request, session, workshop):
        field = workshops.get_field(session=session, workshop=workshop, key=field_key)
        facilitation.set_field_posting_open(session=session, workshop=workshop, field=field,
                                            posting_open=body.open, facilitator=facilitator)
        return PostingOut(posting_open=field.posting_open)
