"""The plenary: the projected themes board, the phone page (dots, proposals, remarks), and
the facilitator's plenary console."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app import phases, plenary, surveys, weighting, workshops
from app.access import Facilitator
from app.errors import N_, DomainError, InvalidInput
from app.live.events import latest_event_id
from app.live.views import PlenaryConsoleView, PlenaryView
from app.models import Participant, Workshop
from app.qr import qr_svg
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
    require_facilitator,
    write,
)
from app.web.render import is_htmx, refused, render, retry_after
from app.web.sse import event_stream, facilitator_check
from app.web.urls import join_url

router = APIRouter(tags=["plenary"])

DONE = {"dot": N_("Gespeichert."), "proposed": N_("Danke! Die Moderation sieht Ihren Vorschlag."),
        "remark": N_("Ihre Bemerkung ist auf der Leinwand.")}


def _after(session: Session, workshop: Workshop) -> int:
    assert workshop.id is not None
    return latest_event_id(session, workshop_id=workshop.id)


@router.get("/w/{slug}/plenary")
def board(request: Request, workshop: WorkshopDep, session: SessionDep,
          context: ContextDep) -> Response:
    """The plenary board for the projector: all fields' themes, legend, questions, remarks."""
    url = join_url(context.settings.resolved_base_url, workshop.join_code)
    totals = plenary.dot_totals(session, workshop)
    return render(request, "plenary/board.html", workshop=workshop,
                  columns=plenary.columns(session=session, workshop=workshop, totals=totals),
                  remarks=plenary.remarks(session=session, workshop=workshop),
                  max_dots=max(totals.values(), default=0), after=_after(session, workshop),
                  timer=phases.timer_state(workshop), join_url=url, qr=qr_svg(url))


@router.get("/w/{slug}/plenary/events")
async def board_events(slug: str, context: ContextDep, locale: LocaleDep,
                       last_event_id: LastEventId = None,
                       after: AfterId = 0,
                       phone: Annotated[bool, Query()] = False,
                       page: Annotated[str, Query(pattern="^(plenary|choice)$")] = "plenary"
                       ) -> EventSourceResponse:
    """Live updates of the plenary board (and, with `phone`, of a phone's plenary page or its
    choice of group: where the workshop goes next)."""
    workshop = await load_workshop(context, slug)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=PlenaryView(locale=locale, phone=phone, slug=workshop.slug,
                                         page=page))


def _phone(request: Request, session: Session, workshop: Workshop, participant: Participant,
           *, message: str | None = None, error: str | None = None,
           status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    proposals = plenary.my_proposals(session=session, participant=participant)
    return render(request, "plenary/phone.html", status_code=status_code, headers=headers,
                  workshop=workshop,
                  columns=plenary.columns(session=session, workshop=workshop),
                  remarks=plenary.remarks(session=session, workshop=workshop),
                  fields=[f for f in workshops.fields_of(session=session, workshop=workshop)
                          if f.parent_id is None],
                  my_dots=weighting.my_dots(session=session, participant=participant),
                  allowance=weighting.allowance(session=session, workshop=workshop,
                                              participant=participant),
                  my_proposals=proposals, after=_after(session, workshop),
                  timer=phases.timer_state(workshop), message=message, error=error,
                  offers=surveys.offers(session=session, workshop=workshop),
                  participant=participant)


@router.get("/w/{slug}/plenary/me")
def phone(request: Request, workshop: WorkshopDep, session: SessionDep,
          participant: ParticipantDep, gettext: GettextDep,
          done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The plenary on the phone: themes of all fields, dots, proposals, remarks."""
    message = gettext(DONE[done]) if done in DONE else None
    return _phone(request, session, workshop, participant, message=message)


def _back(workshop: Workshop, done: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/w/{workshop.slug}/plenary/me?done={done}{anchor}",
                            status_code=303)


@router.post("/w/{slug}/plenary/me/dots")
def dots(request: Request, workshop: WorkshopDep, session: SessionDep,
         participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
         theme: IdForm, action: Annotated[str, Form(max_length=10)] = "add",
         have: Annotated[int | None, Form(ge=0, le=1000)] = None) -> Response:
    """Place or take back one dot; with htmx the theme row and the allowance are redrawn.
    `have` (the own dots the phone showed) makes a resent tap count once."""
    error = None
    status_code = 200
    headers = None
    try:
        with write(request, session, workshop):
            if action == "remove":
                weighting.remove_dot(session=session, workshop=workshop, participant=participant,
                                   theme_id=theme, rate_limit=context.limits.vote, have=have)
            else:
                weighting.place_dot(session=session, workshop=workshop, participant=participant,
                                  theme_id=theme, rate_limit=context.limits.vote, have=have)
    except DomainError as exc:
        error = refused(session, exc, gettext)
        status_code, headers = exc.status_code, retry_after(exc)
        if not is_htmx(request):
            return _phone(request, session, workshop, participant, error=error,
                          status_code=status_code, headers=headers)
    if not is_htmx(request):
        return _back(workshop, "dot", f"#ptheme-{theme}")
    row = _theme_row(request, session, workshop, participant, theme, error, status_code)
    row.headers.update(headers or {})
    return row


def _theme_row(request: Request, session: Session, workshop: Workshop,
               participant: Participant, theme_id: int, error: str | None,
               status_code: int) -> Response:
    for column in plenary.columns(session=session, workshop=workshop):
        for theme in column.themes:
            if theme.id == theme_id:
                fields = [f for f in workshops.fields_of(session=session, workshop=workshop)
                          if f.parent_id is None]
                row = render(request, "plenary/_phone_theme.html", workshop=workshop,
                             theme=theme, fields=fields, column_field=column.field, error=error,
                             mine=weighting.my_dots(session=session,
                                                  participant=participant)[theme_id])
                allowance = render(request, "plenary/_allowance.html", oob=True,
                                   allowance=weighting.allowance(session=session,
                                                               workshop=workshop,
                                                               participant=participant))
                return Response(bytes(row.body) + bytes(allowance.body),
                                status_code=status_code, media_type="text/html")
    # The theme left the board meanwhile (hidden or merged): show the whole page anew.
    return Response(status_code=200, headers={"HX-Refresh": "true"})


@router.post("/w/{slug}/plenary/me/propose")
def propose(request: Request, workshop: WorkshopDep, session: SessionDep,
            participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
            field: Annotated[str, Form(max_length=40)], text: Annotated[str, Form()] = ""
            ) -> Response:
    """Propose a new theme for a field."""
    try:
        with write(request, session, workshop):
            plenary.propose_theme(session=session, workshop=workshop, participant=participant,
                                  field=field, text=text, rate_limit=context.limits.contribution)
    except DomainError as exc:
        return _phone(request, session, workshop, participant, error=refused(session, exc, gettext),
                      status_code=exc.status_code, headers=retry_after(exc))
    return _back(workshop, "proposed")


@router.post("/w/{slug}/plenary/me/move")
def propose_move(request: Request, workshop: WorkshopDep, session: SessionDep,
                 participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
                 theme: IdForm, field: Annotated[str, Form(max_length=40)]
                 ) -> Response:
    """Propose that a theme belongs to another field."""
    try:
        with write(request, session, workshop):
            plenary.propose_move(session=session, workshop=workshop, participant=participant,
                                 theme_id=theme, field=field,
                                 rate_limit=context.limits.contribution)
    except DomainError as exc:
        return _phone(request, session, workshop, participant, error=refused(session, exc, gettext),
                      status_code=exc.status_code, headers=retry_after(exc))
    return _back(workshop, "proposed")


@router.post("/w/{slug}/plenary/me/remark")
def remark(request: Request, workshop: WorkshopDep, session: SessionDep,
           participant: ParticipantDep, gettext: GettextDep, context: ContextDep,
           text: Annotated[str, Form()] = "") -> Response:
    """Add a cross-cutting remark."""
    try:
        with write(request, session, workshop):
            plenary.add_remark(session=session, workshop=workshop, participant=participant,
                               text=text, rate_limit=context.limits.contribution)
    except DomainError as exc:
        return _phone(request, session, workshop, participant, error=refused(session, exc, gettext),
                      status_code=exc.status_code, headers=retry_after(exc))
    return _back(workshop, "remark")


def _console(request: Request, session: Session, workshop: Workshop, *, fragment: bool,
             message: str | None = None, error: str | None = None,
             status_code: int = 200, refresh: bool = False) -> Response:
    fields = workshops.fields_of(session=session, workshop=workshop)
    return render(
        request, "plenary/_moderate.html" if fragment else "plenary/moderate.html",
        status_code=status_code, workshop=workshop,
        columns=plenary.columns(session=session, workshop=workshop),
        proposals=plenary.pending_proposals(session=session, workshop=workshop),
        field_labels={f.id: f"{f.number} {f.title}".strip() for f in fields},
        remarks=plenary.remarks(session=session, workshop=workshop, hidden=True),
        after=_after(session, workshop), message=message, error=error, refresh=refresh)


@router.get("/w/{slug}/plenary/moderate")
def console(request: Request, workshop: WorkshopDep, session: SessionDep,
            facilitator: FacilitatorDep) -> Response:
    """Proposals, themes with their dots, remarks, and the dot allowance."""
    facilitator.require_whole_workshop()
    return _console(request, session, workshop, fragment=False)


@router.get("/w/{slug}/plenary/moderate/fragment")
def console_fragment(request: Request, workshop: WorkshopDep, session: SessionDep,
                     facilitator: FacilitatorDep) -> Response:
    """The plenary console's content alone, for its live refresh."""
    facilitator.require_whole_workshop()
    return _console(request, session, workshop, fragment=True, refresh=True)


@router.get("/w/{slug}/plenary/moderate/events")
async def console_events(slug: str, request: Request, context: ContextDep,
                         last_event_id: LastEventId = None,
                         after: AfterId = 0) -> EventSourceResponse:
    """Tells the plenary console that something changed."""
    workshop = await load_workshop(context, slug)

    def authorize() -> None:
        with context.db.session() as session:
            require_facilitator(request, context, session, workshop).require_whole_workshop()

    await run_in_threadpool(authorize)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=PlenaryConsoleView(),
                        still_allowed=facilitator_check(request, context, workshop,
                                                        whole_workshop=True))


@router.post("/w/{slug}/plenary/moderate/act")
async def act(request: Request, workshop: WorkshopDep, session: SessionDep,
              facilitator: FacilitatorDep, gettext: GettextDep) -> Response:
    """Accept or reject proposals, edit, hide or merge themes, handle remarks and dots."""
    form = await request.form()
    return await run_in_threadpool(_act, form, request, workshop, session, facilitator, gettext)


def _act(form: FormData, request: Request, workshop: Workshop, session: Session,
         facilitator: Facilitator, gettext: GettextDep) -> Response:
    action, _, target = str(form.get("op") or "").partition(":")
    number = parse_number(target) or 0
    args: dict[str, Any] = {"session": session, "workshop": workshop, "facilitator": facilitator}
    try:
        with write(request, session, workshop):
            if action == "accept":
                # Proposals and themes have ids of their own: their fields are named apart.
                plenary.accept_proposal(**args, proposal_id=number,
                                        text=_text(form, f"proposal-text-{number}"))
            elif action == "reject":
                plenary.reject_proposal(**args, proposal_id=number)
            elif action == "edit":
                plenary.edit_theme(**args, theme_id=number,
                                   text=_text(form, f"theme-text-{number}") or "")
            elif action == "hide":
                plenary.hide_theme(**args, theme_id=number)
            elif action == "merge":
                ids = [n for v in form.getlist("theme_ids") if (n := parse_number(v))]
                plenary.merge_themes(**args, theme_ids=ids, text=_text(form, "merge_text"))
            elif action in ("hide-remark", "show-remark"):
                plenary.set_remark_hidden(**args, remark_id=number,
                                          hidden=action == "hide-remark")
            elif action == "remark":
                facilitator.require_whole_workshop()
                plenary.add_remark(session=session, workshop=workshop, participant=None,
                                   text=_text(form, "remark") or "")
            elif action == "dots":
                weighting.set_dot_allowance(**args, dots=_int(form, "dots"),
                                          per_theme=_int(form, "per_theme"))
            else:
                raise InvalidInput("Unbekannte Aktion.")
    except DomainError as exc:
        return _console(request, session, workshop, fragment=is_htmx(request),
                        error=refused(session, exc, gettext), status_code=exc.status_code)
    if is_htmx(request):
        return _console(request, session, workshop, fragment=True,
                        message=gettext("Gespeichert."))
    return RedirectResponse(f"/w/{workshop.slug}/plenary/moderate", status_code=303)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return str(value) if value is not None else None


def _int(form: FormData, name: str) -> int:
    value = parse_number(form.get(name), maximum=1000)
    if value is None:
        raise InvalidInput("Punkte: jeweils 1 bis {max}.", max=weighting.DOTS_LIMIT)
    return value
