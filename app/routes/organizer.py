"""Organizer sign-in: one password (argon2) that reaches every workshop's console."""

from typing import Annotated

import anyio
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app import access
from app import workshops as workshops_service
from app.errors import DomainError
from app.web.deps import (
    ORGANIZER_COOKIE,
    ORGANIZER_MAX_AGE,
    ContextDep,
    GettextDep,
    SessionDep,
    client_address,
    organizer_signed_in,
)
from app.web.render import render

router = APIRouter(tags=["organizer"])

# argon2 costs tens of milliseconds of CPU on purpose: one check at a time, so that people
# guessing passwords slow down each other, not the cards of the room.
PASSWORD_CHECKS = anyio.CapacityLimiter(1)


@router.get("/admin")
def admin(request: Request, session: SessionDep, context: ContextDep) -> Response:
    """The organizer's list of workshops, or the sign-in form."""
    if not organizer_signed_in(request, context, session):
        return render(request, "organizer/login.html",
                      configured=access.organizer_configured(session=session))
    return render(request, "organizer/workshops.html",
                  workshops=workshops_service.all_workshops(session=session))


@router.post("/admin/login")
async def login(request: Request, context: ContextDep, gettext: GettextDep,
                password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Sign in with the organizer password."""

    def stored() -> tuple[str | None, bool]:
        with context.db.session() as session:
            password_hash = access.organizer_password_hash(session=session)
            return password_hash, password_hash is not None

    def page(status_code: int, error: str, configured: bool,
             headers: dict[str, str] | None = None) -> Response:
        return render(request, "organizer/login.html", status_code=status_code, error=error,
                      configured=configured, headers=headers)

    # No database session is open while the password is checked: it holds no write turn.
    password_hash, configured = await run_in_threadpool(stored)
    try:
        context.limits.sign_in(client_address(request))
    except DomainError as exc:
        return page(exc.status_code, exc.render(gettext), configured,
                    headers={"Retry-After": str(getattr(exc, "retry_after", 60))})
    valid = await anyio.to_thread.run_sync(access.check_password, password_hash, password,
                                           limiter=PASSWORD_CHECKS)
    if not valid:
        return page(401, gettext("Das Passwort stimmt nicht."), configured)
    token = await run_in_threadpool(
        context.db.commit_together, lambda session: access.start_organizer_session(
            session=session))
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(ORGANIZER_COOKIE, token, max_age=ORGANIZER_MAX_AGE, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/admin/logout")
async def logout(request: Request, context: ContextDep) -> Response:
    """Sign out: the session ends on the server, so a copied cookie stops working too."""
    token = request.cookies.get(ORGANIZER_COOKIE)
    await run_in_threadpool(context.db.commit_together, lambda session: access.
                            end_organizer_session(session=session, token=token))
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(ORGANIZER_COOKIE)
    return response
