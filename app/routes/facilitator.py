"""Facilitator console (minimal): sign in by the secret link, open and close posting."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import cards, facilitation, workshops
from app.deps import (
    Context,
    ContextDep,
    FacilitatorWorkshop,
    SessionDep,
    WorkshopDep,
    facilitator_cookie,
    is_htmx,
    render,
    require_facilitator,
)
from app.errors import NotAllowed
from app.models import Workshop
from app.qr import join_url

router = APIRouter(tags=["facilitator"])


@router.get("/w/{slug}/facilitate")
def sign_in_or_console(request: Request, workshop: WorkshopDep, session: SessionDep,
                       context: ContextDep,
                       token: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """The facilitator link signs in (cookie) and leads to the console."""
    if token is not None:
        if not context.tokens.is_facilitator(workshop, token):
            raise NotAllowed("Dieser Moderationslink ist ungültig oder veraltet. Bitten Sie "
                             "die Organisation um den aktuellen Link.")
        response = RedirectResponse(f"/w/{workshop.slug}/facilitate", status_code=303)
        response.set_cookie(facilitator_cookie(workshop), token, httponly=True, samesite="lax",
                            max_age=7 * 86400, secure=request.url.scheme == "https")
        return response
    require_facilitator(request, context, workshop)
    return _console(request, workshop, session, context)


def _console(request: Request, workshop: Workshop, session: Session, context: Context) -> Response:
    return render(request, "facilitator/console.html", workshop=workshop,
                  fields=workshops.fields_of(session=session, workshop=workshop),
                  counts=cards.counts(session, workshop),
                  join_url=join_url(context.settings.resolved_base_url, workshop.join_code))


@router.post("/w/{slug}/facilitate/posting")
def set_posting(request: Request, workshop: FacilitatorWorkshop, session: SessionDep,
                open: Annotated[bool, Form()]) -> Response:
    """Open or close posting for the whole workshop."""
    facilitation.set_posting_open(session=session, workshop=workshop, posting_open=open)
    if is_htmx(request):
        return render(request, "facilitator/_controls.html", workshop=workshop)
    return RedirectResponse(f"/w/{workshop.slug}/facilitate", status_code=303)


@router.post("/w/{slug}/facilitate/joining")
def set_joining(request: Request, workshop: FacilitatorWorkshop, session: SessionDep,
                open: Annotated[bool, Form()]) -> Response:
    """Open or close joining by code."""
    facilitation.set_joining_open(session=session, workshop=workshop, joining_open=open)
    if is_htmx(request):
        return render(request, "facilitator/_controls.html", workshop=workshop)
    return RedirectResponse(f"/w/{workshop.slug}/facilitate", status_code=303)
