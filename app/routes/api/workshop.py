"""Joining, a workshop's structure and its live JSON stream."""


from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from app import (
    participants,
    statements,
    workshops,
)
from app.live import public
from app.live.views import ApiView
from app.web.deps import (
    AfterId,
    ContextDep,
    LastEventId,
    SessionDep,
    WorkshopDep,
    client_address,
    facilitator_of,
    load_workshop,
    participant_of,
    write,
)
from app.web.sse import event_stream, facilitator_check

router = APIRouter()


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


@router.post("/join", response_model=JoinOut, status_code=201,
             responses={200: {"description": "Sent with this workshop's participant token: "
                                             "that participant again."}})
def join(body: JoinIn, request: Request, session: SessionDep, context: ContextDep) -> Response:
    """Join a workshop by its code; the token authorizes the participant's later calls.

    A client that joins again with its token keeps its participant (and its limits).
    """
    workshop = workshops.workshop_by_code(session=session, code=body.code)
    participant = participant_of(request, context, session, workshop)
    status = 200
    if participant is None:
        assert workshop.id is not None
        context.limits.join(workshop.id, client_address(request), online=workshop.open_online)
        with write(request, session, workshop):
            participant = participants.join(session=session, workshop=workshop,
                                            display_name=body.name or "")
        status = 201
    out = JoinOut(participant_token=context.tokens.participant_token(participant.public_id),
                  workshop=workshop.slug)
    return Response(out.model_dump_json(), status_code=status, media_type="application/json")


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
        statement_stem=statements.stem(workshop, None),
        posting_open=workshop.posting_open,
        categories=[CategoryOut(key=c.key, label=c.label) for c in categories],
        fields=out(None),
    )


@router.get("/workshops/{slug}/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(slug: str, request: Request, context: ContextDep,
                 last_event_id: LastEventId = None,
                 after: AfterId = 0) -> EventSourceResponse:
    """Server-sent events as JSON, each as much as the caller may see (a facilitator token:
    also pending and hidden cards). A client that missed anything (`after`, Last-Event-ID)
    first gets one `state` event with the workshop as it is now."""
    workshop = await load_workshop(context, slug)

    def audience() -> public.Audience:
        with context.db.session() as session:
            facilitator = facilitator_of(request, context, session, workshop)
            if facilitator is None:
                return public.Audience()
            field = (workshops.field_by_id(session=session, field_id=facilitator.field_id)
                     if facilitator.field_id else None)
            return public.Audience(facilitator=True, field=field.key if field else None)

    seen_as = await run_in_threadpool(audience)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=ApiView(audience=seen_as),
                        still_allowed=facilitator_check(request, context, workshop)
                        if seen_as.facilitator else None)
