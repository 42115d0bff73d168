"""Organizer sign-in: one password (argon2) that reaches every workshop's console."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from app import access
from app.deps import (
    ORGANIZER_COOKIE,
    ORGANIZER_MAX_AGE,
    ContextDep,
    GettextDep,
    SessionDep,
    organizer_signed_in,
    render,
)
from app.models import Workshop

router = APIRouter(tags=["organizer"])


@router.get("/admin")
def admin(request: Request, session: SessionDep, context: ContextDep) -> Response:
    """The organizer's list of workshops, or the sign-in form."""
    if not organizer_signed_in(request, context, session):
        return render(request, "organizer/login.html",
                      configured=access.organizer_fingerprint(session=session) is not None)
    workshops = session.exec(select(Workshop).order_by(col(Workshop.id).desc())).all()
    return render(request, "organizer/workshops.html", workshops=workshops)


@router.post("/admin/login")
def login(request: Request, session: SessionDep, context: ContextDep, gettext: GettextDep,
          password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Sign in with the organizer password."""
    if not access.check_organizer_password(session=session, password=password):
        return render(request, "organizer/login.html", status_code=401,
                      error=gettext("Das Passwort stimmt nicht."),
                      configured=access.organizer_fingerprint(session=session) is not None)
    fingerprint = access.organizer_fingerprint(session=session)
    assert fingerprint is not None
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(ORGANIZER_COOKIE, context.tokens.organizer_session(fingerprint),
                        max_age=ORGANIZER_MAX_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.post("/admin/logout")
def logout() -> Response:
    """Sign out."""
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(ORGANIZER_COOKIE)
    return response
