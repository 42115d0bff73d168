"""The organizer in the browser: the first password through a one-time setup link, sign-in,
their workshops (create from a template or a copy, change the definition, download it, keep,
archive, delete) and tokens for scripts. One password (argon2) reaches every workshop."""

import datetime as dt
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app import access, preparation, retention
from app import workshops as workshops_service
from app.definition import DefinitionError, WorkshopDef, parse_definition
from app.errors import N_, Conflict, DomainError, InvalidInput
from app.web.deps import (
    ORGANIZER_COOKIE,
    ORGANIZER_MAX_AGE,
    ContextDep,
    GettextDep,
    SessionDep,
    client_address,
    organizer_signed_in,
    require_organizer_page,
    write,
)
from app.web.render import refused, render

router = APIRouter(tags=["organizer"])

# argon2 costs tens of milliseconds of CPU on purpose: one check at a time, so that people
# guessing passwords slow down each other, not the cards of the room.
PASSWORD_CHECKS = anyio.CapacityLimiter(1)


def _rows(session: Session) -> list[dict[str, Any]]:
    today = dt.date.today()
    rows = []
    for workshop in workshops_service.all_workshops(session=session):
        until = retention.retained_until(workshop)
        rows.append({"workshop": workshop, "until": until,
                     "state": retention.state(session=session, workshop=workshop),
                     "soon": (until - today).days <= retention.WARN_DAYS})
    return rows


def _list(request: Request, session: Session, *, status_code: int = 200,
          error: str | None = None, message: str | None = None,
          definition_text: str = "") -> Response:
    return render(request, "organizer/workshops.html", status_code=status_code,
                  rows=_rows(session), starters=list(preparation.STARTERS), error=error,
                  message=message, definition_text=definition_text)


@router.get("/admin")
def admin(request: Request, session: SessionDep, context: ContextDep, gettext: GettextDep,
          done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The organizer's list of workshops, or the sign-in form."""
    if not organizer_signed_in(request, context, session):
        return render(request, "organizer/login.html",
                      configured=access.organizer_configured(session=session))
    return _list(request, session, message=gettext(DONE[done]) if done in DONE else None)


DONE = {"deleted": N_("Der Workshop ist gelöscht – mit allem, was dazugehörte."),
        "password": N_("Das Passwort ist gesetzt. Willkommen!")}


Signed = Depends(require_organizer_page)


@router.get("/admin/setup")
def setup_page(request: Request, context: ContextDep, session: SessionDep,
               gettext: GettextDep,
               token: Annotated[str, Query(max_length=300)] = "") -> Response:
    """The one-time link `make run` prints: the first organizer chooses the password."""
    problem = _setup_problem(context, session, token, gettext)
    return render(request, "organizer/setup.html", token=token, error=problem,
                  status_code=200 if problem is None else 410)


def _setup_problem(context: ContextDep, session: Session, token: str,
                   gettext: GettextDep) -> str | None:
    if access.organizer_configured(session=session):
        return gettext("Die Einrichtung ist schon abgeschlossen: Das Passwort ist gesetzt. "
                       "Bitte melden Sie sich an.")
    state = context.tokens.setup_state(token)
    if state == "expired":
        return gettext("Dieser Einrichtungslink ist abgelaufen. Starten Sie den Server neu "
                       "(make run): er zeigt einen neuen.")
    if state != "valid":
        return gettext("Dieser Einrichtungslink stimmt nicht. Bitte kopieren Sie ihn vollständig "
                       "aus der Ausgabe von make run.")
    return None


@router.post("/admin/setup")
async def setup(request: Request, context: ContextDep, session: SessionDep,
                gettext: GettextDep, token: Annotated[str, Form(max_length=300)] = "",
                password: Annotated[str, Form(max_length=1000)] = "",
                again: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Set the first password (once) and sign in."""

    def run() -> Response:
        def page(error: str, status_code: int) -> Response:
            return render(request, "organizer/setup.html", token=token, error=error,
                          status_code=status_code)

        problem = _setup_problem(context, session, token, gettext)
        if problem is not None:
            return page(problem, 410)
        if password != again:
            return page(gettext("Die beiden Passwörter sind nicht gleich."), 422)
        try:
            with write(request, session, None):
                if access.organizer_configured(session=session):  # a second tab was faster
                    raise Conflict("Die Einrichtung ist schon abgeschlossen: Das Passwort ist "
                                   "gesetzt. Bitte melden Sie sich an.")
                access.set_organizer_password(session=session, password=password)
                signed = access.start_organizer_session(session=session)
        except DomainError as exc:
            return page(refused(session, exc, gettext), exc.status_code)
        response = RedirectResponse("/admin?done=password", status_code=303)
        _set_cookie(request, response, signed)
        return response

    return await run_in_threadpool(run)


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(ORGANIZER_COOKIE, token, max_age=ORGANIZER_MAX_AGE, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


@router.post("/admin/workshops/new", dependencies=[Signed])
async def new_workshop(request: Request, context: ContextDep, session: SessionDep,
                       gettext: GettextDep) -> Response:
    """A new workshop: from a template, as a copy of an earlier one, or from a TOML file."""
    form = await request.form(max_part_size=context.settings.max_upload_bytes)
    start, title = str(form.get("start") or ""), str(form.get("title") or "").strip()
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""

    def run() -> Response:
        try:
            if start == "file" or data:
                definition = _uploaded(data)
            elif start.startswith("copy:"):
                original = workshops_service.get_workshop(session=session, slug=start[5:])
                definition = preparation.export_definition(session=session, workshop=original)
                definition = definition.model_copy(update={"slug": None, "join_code": None,
                                                           "date": None})
            else:
                definition = preparation.starter(start)
            if title:
                definition = definition.model_copy(update={"title": title[:200]})
            with write(request, session, None):
                workshop = workshops_service.create_workshop(session=session,
                                                             definition=definition)
        except DomainError as exc:
            return _list(request, session, status_code=exc.status_code,
                         error=refused(session, exc, gettext))
        return RedirectResponse(f"/admin/workshops/{workshop.slug}?done=created",
                                status_code=303)

    return await run_in_threadpool(run)


def _uploaded(data: bytes) -> WorkshopDef:
    if not data:
        raise InvalidInput("Bitte wählen Sie eine Workshop-Datei (.toml) aus.")
    try:
        return parse_definition(data.decode("utf-8"), source="Datei")
    except UnicodeDecodeError as exc:
        raise InvalidInput("Die Datei ist nicht in UTF-8 gespeichert.") from exc
    except DefinitionError as exc:
        raise InvalidInput("{problems}", problems=str(exc)) from exc


@router.get("/admin/tokens", dependencies=[Signed])
def tokens_page(request: Request, session: SessionDep) -> Response:
    """Tokens for the organizer's scripts (the API)."""
    return render(request, "organizer/tokens.html",
                  tokens=access.organizer_tokens(session=session), created=None, error=None)


@router.post("/admin/tokens", dependencies=[Signed])
async def tokens_action(request: Request, session: SessionDep, gettext: GettextDep,
                        label: Annotated[str, Form(max_length=300)] = "",
                        revoke: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None
                        ) -> Response:
    """Create a token (shown once) or revoke one."""

    def run() -> Response:
        created, error, status_code = None, None, 200
        try:
            with write(request, session, None):
                if revoke is not None:
                    access.revoke_organizer_token(session=session, token_id=revoke)
                else:
                    _row, created = access.create_organizer_token(session=session, label=label)
        except DomainError as exc:
            error, status_code = refused(session, exc, gettext), exc.status_code
        return render(request, "organizer/tokens.html", status_code=status_code,
                      tokens=access.organizer_tokens(session=session), created=created,
                      error=error)

    return await run_in_threadpool(run)


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
    _set_cookie(request, response, token)
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
