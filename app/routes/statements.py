"""The guiding sentence: phones propose and support, the facilitator drafts and adopts."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from app import statements, workshops
from app.errors import AlreadyDone, DomainError, NotSignedIn
from app.live.events import latest_event_id
from app.live.views import StatementView
from app.models import Field, Participant, Workshop
from app.text import parse_number
from app.web.deps import (
    AfterId,
    ContextDep,
    FacilitatorDep,
    GettextDep,
    IdForm,
    LastEventId,
    LocaleDep,
    ParticipantDep,
    SessionDep,
    WorkshopDep,
    load_workshop,
    moderated_field,
    participant_of,
    write,
)
from app.web.render import is_htmx, refused, render, retry_after
from app.web.sse import event_stream

router = APIRouter(tags=["statements"])


def _phone_fragment(request: Request, session: Session, workshop: Workshop, field: Field,
                    participant: Participant, *, error: str | None = None,
                    status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return render(request, "statements/_phone.html", status_code=status_code, headers=headers,
                  statement=statements.snapshot(session, workshop, field),
                  viewer=participant.public_id, workshop_slug=workshop.slug, error=error)


def _answer(request: Request, session: Session, workshop: Workshop, field: Field,
            participant: Participant, exc: DomainError | None, gettext: GettextDep, *,
            emptied: bool = False) -> Response:
    error = refused(session, exc, gettext) if exc is not None else None
    if is_htmx(request) and exc is None:
        # The phone's live stream brings the new state (this action's event included); an
        # answer rendered now could arrive after a newer one and undo it.
        if emptied:
            return render(request, "statements/_proposal_text.html", oob=True,
                          headers={"HX-Reswap": "none"})
        return Response(status_code=204)
    if is_htmx(request):
        return _phone_fragment(request, session, workshop, field, participant,
                               error=error,
                               status_code=exc.status_code if exc else 200,
                               headers=retry_after(exc) if exc else None)
    if exc is not None:
        return render(request, "error.html", status_code=exc.status_code,
                      message=error, status=exc.status_code,
                      headers=retry_after(exc))
    return RedirectResponse(f"/w/{workshop.slug}/me/{field.key}#statement-title",
                            status_code=303)


@router.post("/w/{slug}/statement/{field_key}/propose")
def propose(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
            participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
            text: Annotated[str, Form()] = "") -> Response:
    """Propose a completion of the guiding sentence."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    try:
        with write(request, session, workshop):
            statements.propose(session=session, workshop=workshop, participant=participant,
                               field=field.key, text=text, rate_limit=context.limits.contribution)
    except DomainError as exc:
        return _answer(request, session, workshop, field, participant, exc, gettext)
    return _answer(request, session, workshop, field, participant, None, gettext, emptied=True)


@router.post("/w/{slug}/statement/{field_key}/support")
def support(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
            participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
            proposal: IdForm,
            action: Annotated[str, Form(max_length=10)] = "support") -> Response:
    """Support a proposal, or take the support back."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    try:
        with write(request, session, workshop):
            if action == "withdraw":
                statements.withdraw(session=session, workshop=workshop, participant=participant,
                                    proposal_id=proposal, rate_limit=context.limits.vote)
            else:
                statements.support(session=session, workshop=workshop, participant=participant,
                                   proposal_id=proposal, rate_limit=context.limits.vote)
    except AlreadyDone as done:  # a resent tap whose first answer was lost: it counted once
        refused(session, done, gettext)  # nothing to show: the state it asked for holds
    except DomainError as exc:
        return _answer(request, session, workshop, field, participant, exc, gettext)
    return _answer(request, session, workshop, field, participant, None, gettext)


@router.get("/w/{slug}/statement/{field_key}/events")
async def phone_events(slug: str, field_key: str, request: Request, context: ContextDep,
                       locale: LocaleDep, last_event_id: LastEventId = None,
                       after: AfterId = 0) -> EventSourceResponse:
    """The field's guiding sentence for one phone, live."""
    workshop = await load_workshop(context, slug)

    def viewer() -> str:
        with context.db.session() as session:
            participant = participant_of(request, context, session, workshop)
            if participant is None:
                raise NotSignedIn("Bitte treten Sie dem Workshop zuerst bei.")
            return participant.public_id

    public_id = await run_in_threadpool(viewer)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=StatementView(field=field_key, locale=locale, viewer=public_id,
                                           slug=workshop.slug))


def console_context(session: Session, workshop: Workshop, field: Field) -> dict[str, Any]:
    assert workshop.id is not None
    return {"statement": statements.snapshot(session, workshop, field),
            "history": statements.history(session=session, field=field),
            "after": latest_event_id(session, workshop_id=workshop.id)}


def _console(request: Request, session: Session, workshop: Workshop, field: Field, *,
             message: str | None = None, error: str | None = None,
             status_code: int = 200, refresh: bool = False) -> Response:
    return render(request, "facilitator/_statement.html", status_code=status_code,
                  workshop=workshop, field=field, message=message, error=error,
                  refresh=refresh, **console_context(session, workshop, field))


@router.get("/w/{slug}/facilitate/{field_key}/statement")
def console(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
            facilitator: FacilitatorDep) -> Response:
    """The facilitator's guiding-sentence panel, for its live refresh."""
    field = moderated_field(session, workshop, facilitator, field_key)
    return _console(request, session, workshop, field, refresh=True)


@router.post("/w/{slug}/facilitate/{field_key}/statement/draft")
def draft(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
          facilitator: FacilitatorDep, text: Annotated[str, Form()] = "") -> Response:
    """Save the draft while the facilitator types; boards show it at once."""
    field = moderated_field(session, workshop, facilitator, field_key)
    with write(request, session, workshop):
        statements.set_draft(session=session, workshop=workshop, facilitator=facilitator,
                             field=field, text=text)
    return Response(status_code=204)


@router.post("/w/{slug}/facilitate/{field_key}/statement")
def act(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
        facilitator: FacilitatorDep, gettext: GettextDep,
        op: Annotated[str, Form(max_length=20)] = "draft",
        text: Annotated[str, Form()] = "") -> Response:
    """Save the draft, take a proposal into it, adopt it, or open/close proposals."""
    field = moderated_field(session, workshop, facilitator, field_key)
    args: dict[str, Any] = {"session": session, "workshop": workshop, "facilitator": facilitator,
                            "field": field}
    action, _, target = op.partition(":")
    try:
        with write(request, session, workshop):
            if action == "adopt":
                statements.adopt(**args, text=text)
                message = gettext("Leitsatz beschlossen.")
            elif action == "take":
                proposal = statements.proposal_in(session=session, field=field,
                                                  proposal_id=parse_number(target) or 0)
                statements.set_draft(**args, text=f"{text.strip()} {proposal.text}".strip())
                message = gettext("In den Entwurf übernommen.")
            elif action in ("open", "close", "auto"):
                statements.set_open(**args, open_={"open": True, "close": False}.get(action))
                message = gettext("Gespeichert.")
            else:
                statements.set_draft(**args, text=text)
                message = gettext("Entwurf gespeichert.")
    except DomainError as exc:
        return _console(request, session, workshop, field, error=refused(session, exc, gettext),
                        status_code=exc.status_code)
    if is_htmx(request):
        return _console(request, session, workshop, field, message=message)
    return RedirectResponse(f"/w/{workshop.slug}/facilitate/{field.key}#statement-console",
                            status_code=303)
