"""Projector pages: the overview of all fields and each field's live board."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from app import cards, phases, statements, word_cloud, workshops
from app.live.events import latest_event_id
from app.live.views import BoardView, WordsView
from app.models import Workshop
from app.qr import qr_svg
from app.web.deps import (
    AfterId,
    ContextDep,
    LastEventId,
    LocaleDep,
    SessionDep,
    WorkshopDep,
    load_workshop,
)
from app.web.render import render
from app.web.sse import event_stream
from app.web.urls import join_url

router = APIRouter(tags=["board"])


@router.get("/w/{slug}")
def overview(request: Request, workshop: WorkshopDep, session: SessionDep,
             context: ContextDep) -> Response:
    """All fields with their counts and links to each board."""
    counts = cards.counts(session, workshop)
    return render(request, "board/overview.html", workshop=workshop, counts=counts,
                  fields=workshops.fields_of(session=session, workshop=workshop),
                  join_url=join_url(context.settings.resolved_base_url, workshop.join_code))


@router.get("/w/{slug}/qr.svg")
def join_qr(workshop: WorkshopDep, context: ContextDep) -> Response:
    """The join QR code as SVG."""
    svg = qr_svg(join_url(context.settings.resolved_base_url, workshop.join_code))
    return Response(svg, media_type="image/svg+xml",
                    headers={"Cache-Control": "no-cache"})


@router.get("/w/{slug}/board/{field_key}")
def board(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
          context: ContextDep,
          round: Annotated[int | None, Query(ge=1, le=20)] = None) -> Response:
    """The live board of one field: four columns, join QR code, counts, phase and timer."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    # A sub-field's cards are on its parent's board.
    if (parent := workshops.parent_of(session=session, field=field)) is not None:
        return RedirectResponse(f"/w/{workshop.slug}/board/{parent.key}", status_code=303)
    # The stream starts after the last event this render includes, so nothing falls between.
    assert workshop.id is not None
    after = latest_event_id(session, workshop_id=workshop.id)
    all_cards = cards.list_cards(session=session, workshop=workshop, field=field.key,
                                 rounds=(round,) if round else None)
    categories = workshops.categories_of(session=session, workshop=workshop)
    counts = cards.counts(session, workshop)
    # The board's code takes phones straight to this group's form.
    url = join_url(context.settings.resolved_base_url, workshop.join_code, field.key)
    return render(
        request, "board/board.html", workshop=workshop, field=field, categories=categories,
        columns={c.key: [card for card in all_cards if card.category == c.key] for c in categories},
        participants=counts.participants, card_count=len(all_cards), after=after,
        join_url=url, qr=qr_svg(url), round=round, timer=phases.timer_state(workshop),
        statement=statements.snapshot(session, workshop, field),
        fields=workshops.fields_of(session=session, workshop=workshop),
    )


@router.get("/w/{slug}/board/{field_key}/events")
async def board_events(slug: str, field_key: str, context: ContextDep, locale: LocaleDep,
                       last_event_id: LastEventId = None,
                       after: AfterId = 0,
                       round: Annotated[int | None, Query(ge=1, le=20)] = None,
                       part: Annotated[Literal["", "status", "cards"], Query()] = ""
                       ) -> EventSourceResponse:
    """The board's live stream: HTML fragments named for the element they replace; a
    phone's page follows it in parts (`status`, and `cards` while its group panel is open)."""
    workshop = await load_workshop(context, slug)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=BoardView(field=field_key, locale=locale, round=round,
                                       slug=workshop.slug, part=part))


ColumnQuery = Annotated[str, Query(max_length=40, pattern=r"^[a-z0-9_-]*$")]


def _cloud(session: Session, workshop: Workshop, field_key: str, column: str
           ) -> dict[str, Any]:
    """A field's word cloud, of all columns or one: what its board shows now."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    categories = workshops.categories_of(session=session, workshop=workshop)
    chosen = next((c for c in categories if c.key == column), None)
    shown = [c for c in cards.list_cards(session=session, workshop=workshop, field=field.key)
             if chosen is None or c.category == chosen.key]
    return {"field": field, "categories": categories, "column": chosen,
            "words": word_cloud.cloud((c.text, c.weight) for c in shown),
            "card_count": len(shown)}


@router.get("/w/{slug}/board/{field_key}/words")
def words(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
          column: ColumnQuery = "") -> Response:
    """A field's word cloud for the projector, of all columns or one, updated live."""
    assert workshop.id is not None
    after = latest_event_id(session, workshop_id=workshop.id)
    return render(request, "board/words.html", workshop=workshop, after=after,
                  **_cloud(session, workshop, field_key, column))


@router.get("/w/{slug}/board/{field_key}/words/cloud")
def words_cloud(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
                column: ColumnQuery = "") -> Response:
    """The word cloud alone, refetched when the field's cards change."""
    return render(request, "board/_words.html", workshop=workshop,
                  **_cloud(session, workshop, field_key, column))


@router.get("/w/{slug}/board/{field_key}/words/events")
async def words_events(slug: str, field_key: str, context: ContextDep,
                       last_event_id: LastEventId = None, after: AfterId = 0
                       ) -> EventSourceResponse:
    """Tells the word cloud that the field's shown cards changed."""
    workshop = await load_workshop(context, slug)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=WordsView(field=field_key))
