"""Facilitator console for the whole workshop: sign-in, phases, rounds, timer, switches, links.

Forms post normally and redirect back; with htmx the same routes answer with the
`_controls.html` fragment that the console page includes.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import access, bursts, cards, facilitation, phases, workshops
from app.errors import DomainError, InvalidInput, NotAllowed
from app.models import Workshop
from app.text import MAX_ID
from app.web.deps import (
    ContextDep,
    FacilitatorDep,
    GettextDep,
    SessionDep,
    WorkshopDep,
    facilitator_cookie,
    require_facilitator,
    write,
)
from app.web.render import is_htmx, refused, render
from app.web.urls import facilitator_url, join_url

router = APIRouter(tags=["facilitator"])


@router.get("/w/{slug}/facilitate")
def sign_in_or_console(request: Request, workshop: WorkshopDep, session: SessionDep,
                       context: ContextDep,
                       token: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """The facilitator link signs in (cookie) and leads to the console."""
    if token is not None:
        facilitator = access.facilitator_for(session=session, tokens=context.tokens,
                                             workshop=workshop, token=token)
        if facilitator is None:
            raise NotAllowed("Dieser Moderationslink ist ungültig oder veraltet. Bitten Sie "
                             "die Organisation um den aktuellen Link.")
        # The secret leaves the address bar (and the history, and any Referer) at once.
        response = RedirectResponse(_home(session, workshop, facilitator), status_code=303,
                                    headers={"Cache-Control": "no-store",
                                             "Referrer-Policy": "no-referrer"})
        response.set_cookie(facilitator_cookie(workshop), token, httponly=True, samesite="lax",
                            max_age=7 * 86400, secure=request.url.scheme == "https")
        return response
    facilitator = require_facilitator(request, context, session, workshop)
    if not facilitator.whole_workshop:
        return RedirectResponse(_home(session, workshop, facilitator), status_code=303)
    return _console(request, session, workshop, context, fragment=False)


def _home(session: Session, workshop: Workshop, facilitator: access.Facilitator) -> str:
    if facilitator.field_id is None:
        return f"/w/{workshop.slug}/facilitate"
    field = workshops.field_by_id(session=session, field_id=facilitator.field_id)
    return f"/w/{workshop.slug}/facilitate/{field.key}"


def _console(request: Request, session: Session, workshop: Workshop, context: ContextDep, *,
             fragment: bool, message: str | None = None, error: str | None = None,
             status_code: int = 200, invalid: str | None = None,
             minutes: str = "15") -> Response:
    fields = workshops.fields_of(session=session, workshop=workshop)
    links = access.links_of(session=session, workshop=workshop)
    base = context.settings.resolved_base_url
    link_urls = {link.id: facilitator_url(base, workshop.slug,
                                          access.link_token(context.tokens, link))
                 for link in links}
    assert workshop.id is not None
    joined, one_address = context.limits.recent_joins(workshop.id)
    return render(
        request, "facilitator/_controls.html" if fragment else "facilitator/console.html",
        status_code=status_code, workshop=workshop, fields=fields,
        joins=bursts.Joins(total=joined, one_address=one_address),
        bursts=bursts.vote_bursts(session=session, workshop=workshop),
        field_titles={f.id: f"{f.number} {f.title}".strip() for f in fields},
        counts=cards.counts(session, workshop), timer=phases.timer_state(workshop),
        links=links, link_urls=link_urls, message=message, error=error, invalid=invalid,
        minutes=minutes,
        main_url=facilitator_url(base, workshop.slug,
                                 context.tokens.facilitator_token(workshop)),
        join_url=join_url(base, workshop.join_code), phases=phases.PHASES,
    )


def _answer(request: Request, session: Session, workshop: Workshop, context: ContextDep,
            message: str) -> Response:
    if is_htmx(request):
        return _console(request, session, workshop, context, fragment=True, message=message)
    return RedirectResponse(f"/w/{workshop.slug}/facilitate", status_code=303)


def _failed(request: Request, session: Session, workshop: Workshop, context: ContextDep,
            exc: DomainError, gettext: GettextDep, invalid: str | None = None,
            minutes: str = "15") -> Response:
    """The console again with the refusal; `invalid` names the field it is about."""
    return _console(request, session, workshop, context, fragment=is_htmx(request),
                    error=refused(session, exc, gettext), status_code=exc.status_code,
                    invalid=invalid, minutes=minutes)


@router.post("/w/{slug}/facilitate/phase")
def set_phase(request: Request, workshop: WorkshopDep, session: SessionDep, context: ContextDep,
              facilitator: FacilitatorDep, gettext: GettextDep,
              phase: Annotated[str, Form(max_length=20)] = "",
              round: Annotated[int | None, Form(ge=1, le=99)] = None) -> Response:
    """Switch phase (plenary, working, closing) or the round of the working phase."""
    try:
        with write(request, session, workshop):
            if round is not None:
                phases.set_round(session=session, workshop=workshop, facilitator=facilitator,
                                 round_number=round)
            else:
                phases.set_phase(session=session, workshop=workshop, facilitator=facilitator,
                                 phase=phase)
    except DomainError as exc:
        return _failed(request, session, workshop, context, exc, gettext)
    return _answer(request, session, workshop, context, gettext("Gespeichert."))


@router.post("/w/{slug}/facilitate/timer")
def timer(request: Request, workshop: WorkshopDep, session: SessionDep, context: ContextDep,
          facilitator: FacilitatorDep, gettext: GettextDep,
          action: Annotated[str, Form(max_length=10)] = "start",
          minutes: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Start, pause, resume, extend or stop the countdown."""
    try:
        with write(request, session, workshop):
            if action == "start":
                phases.start_timer(session=session, workshop=workshop, facilitator=facilitator,
                                   minutes=_number(minutes))
            elif action == "extend":
                phases.extend_timer(session=session, workshop=workshop, facilitator=facilitator,
                                    minutes=_number(minutes))
            elif action == "pause":
                phases.pause_timer(session=session, workshop=workshop, facilitator=facilitator)
            elif action == "resume":
                phases.resume_timer(session=session, workshop=workshop, facilitator=facilitator)
            else:
                phases.stop_timer(session=session, workshop=workshop, facilitator=facilitator)
    except DomainError as exc:
        about_minutes = isinstance(exc, InvalidInput) and action in ("start", "extend")
        return _failed(request, session, workshop, context, exc, gettext,
                       invalid="minutes" if about_minutes else None, minutes=minutes)
    return _answer(request, session, workshop, context, gettext("Gespeichert."))


def _number(value: str) -> float:
    try:
        return float(value.replace(",", "."))
    except ValueError as exc:
        raise InvalidInput("Bitte eine Dauer in Minuten angeben, z. B. 15.") from exc


@router.post("/w/{slug}/facilitate/switch")
def switch(request: Request, workshop: WorkshopDep, session: SessionDep, context: ContextDep,
           facilitator: FacilitatorDep, gettext: GettextDep,
           what: Annotated[str, Form(max_length=20)], open: Annotated[bool, Form()],
           field: Annotated[str | None, Form(max_length=40)] = None) -> Response:
    """Open or close posting (workshop or one field), joining, or pre-moderation."""
    try:
        with write(request, session, workshop):
            if what == "posting" and field:
                target = workshops.get_field(session=session, workshop=workshop, key=field)
                facilitation.set_field_posting_open(session=session, workshop=workshop,
                                                    field=target, posting_open=open,
                                                    facilitator=facilitator)
            elif what == "posting":
                facilitation.set_posting_open(session=session, workshop=workshop, posting_open=open,
                                              facilitator=facilitator)
            elif what == "joining":
                facilitation.set_joining_open(session=session, workshop=workshop, joining_open=open,
                                              facilitator=facilitator)
            elif what == "premoderation":
                facilitation.set_premoderation(session=session, workshop=workshop, enabled=open,
                                               facilitator=facilitator)
            elif what == "online":
                facilitation.set_open_online(session=session, workshop=workshop, enabled=open,
                                             facilitator=facilitator)
            else:
                raise InvalidInput("Unbekannter Schalter.")
    except DomainError as exc:
        return _failed(request, session, workshop, context, exc, gettext)
    if field and not facilitator.whole_workshop:
        return RedirectResponse(f"/w/{workshop.slug}/facilitate/{field}", status_code=303)
    return _answer(request, session, workshop, context, gettext("Gespeichert."))


@router.post("/w/{slug}/facilitate/links")
def links(request: Request, workshop: WorkshopDep, session: SessionDep, context: ContextDep,
          facilitator: FacilitatorDep, gettext: GettextDep,
          action: Annotated[str, Form(max_length=10)] = "create",
          label: Annotated[str, Form(max_length=200)] = "",
          field: Annotated[str, Form(max_length=40)] = "",
          link: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None) -> Response:
    """Create, renew (rotate) or revoke facilitator links."""
    try:
        with write(request, session, workshop):
            facilitator.require_whole_workshop()
            if action == "create":
                target = workshops.get_field(session=session, workshop=workshop, key=field) if (
                    field) else None
                access.create_link(session=session, workshop=workshop, label=label, field=target)
            elif action == "rotate":
                access.rotate_link(session=session, workshop=workshop, link_id=link)
            elif action == "revoke" and link is not None:
                access.revoke_link(session=session, workshop=workshop, link_id=link)
            else:
                raise InvalidInput("Unbekannte Aktion.")
    except DomainError as exc:
        return _failed(request, session, workshop, context, exc, gettext)
    if action == "rotate" and link is None:
        # The main link changed: keep this browser signed in with the new one.
        response = _answer(request, session, workshop, context,
                           gettext("Neuer Hauptlink erstellt; der alte gilt nicht mehr."))
        response.set_cookie(facilitator_cookie(workshop),
                            context.tokens.facilitator_token(workshop), httponly=True,
                            samesite="lax", max_age=7 * 86400,
                            secure=request.url.scheme == "https")
        return response
    return _answer(request, session, workshop, context, gettext("Gespeichert."))
