"""The organizer in the browser: the first password through a one-time setup link, sign-in,
their workshops (create from a template or a copy, change the definition, download it, keep,
archive, delete) and tokens for scripts. One password (argon2) reaches every workshop."""

import datetime as dt
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app import access, cards, preparation, retention
from app import workshops as workshops_service
from app.definition import DefinitionError, WorkshopDef, parse_definition
from app.errors import N_, Conflict, DomainError, InvalidInput
from app.models import Organizer
from app.web.deps import (
    ORGANIZER_COOKIE,
    ORGANIZER_MAX_AGE,
    ContextDep,
    GettextDep,
    OrganizerDep,
    SessionDep,
    client_address,
    current_organizer,
    write,
)
from app.web.render import refused, render

router = APIRouter(tags=["organizer"])

# argon2 costs tens of milliseconds of CPU on purpose: one check at a time, so that people
# guessing passwords slow down each other, not the cards of the room.
PASSWORD_CHECKS = anyio.CapacityLimiter(1)


def _rows(session: Session, organizer: Organizer) -> list[dict[str, Any]]:
    today = dt.date.today()
    rows = []
    for workshop in workshops_service.all_workshops(session=session):
        if not access.may_manage(organizer, workshop):
            continue
        until = retention.retained_until(workshop)
        rows.append({"workshop": workshop, "until": until,
                     "cards": sum(cards.counts(session, workshop).cards.values()),
                     "state": retention.state(session=session, workshop=workshop),
                     "soon": (until - today).days <= retention.WARN_DAYS})
    return rows


def _list(request: Request, session: Session, organizer: Organizer, *, status_code: int = 200,
          error: str | None = None, message: str | None = None) -> Response:
    return render(request, "organizer/workshops.html", status_code=status_code, me=organizer,
                  rows=_rows(session, organizer), starters=list(preparation.STARTERS),
                  error=error, message=message)


@router.get("/admin")
def admin(request: Request, session: SessionDep, context: ContextDep, gettext: GettextDep,
          done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The organizer's list of workshops, or the sign-in form."""
    organizer = current_organizer(request, context, session)
    if organizer is None:
        return render(request, "organizer/login.html", name="",
                      configured=access.organizer_configured(session=session))
    return _list(request, session, organizer,
                 message=gettext(DONE[done]) if done in DONE else None)


DONE = {"deleted": N_("Der Workshop ist gelöscht – mit allem, was dazugehörte."),
        "password": N_("Das Passwort ist gesetzt. Willkommen!")}



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
                account = access.set_organizer_password(session=session, password=password)
                assert account.id is not None
                signed = access.start_organizer_session(session=session,
                                                        organizer_id=account.id)
        except DomainError as exc:
            return page(refused(session, exc, gettext), exc.status_code)
        response = RedirectResponse("/admin?done=password", status_code=303)
        _set_cookie(request, response, signed)
        return response

    return await run_in_threadpool(run)


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(ORGANIZER_COOKIE, token, max_age=ORGANIZER_MAX_AGE, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


@router.post("/admin/workshops/new")
async def new_workshop(request: Request, context: ContextDep, session: SessionDep,
                       gettext: GettextDep, organizer: OrganizerDep) -> Response:
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
                access.require_manage(organizer, original)
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
                workshop.organizer_ids = [organizer.id or 0]  # who created it manages it
        except DomainError as exc:
            return _list(request, session, organizer, status_code=exc.status_code,
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


@router.get("/admin/tokens")
def tokens_page(request: Request, session: SessionDep, organizer: OrganizerDep) -> Response:
    """Tokens for the organizer's scripts (the API)."""
    return render(request, "organizer/tokens.html", created=None, error=None,
                  tokens=access.organizer_tokens(session=session, organizer_id=organizer.id or 0))


@router.post("/admin/tokens")
async def tokens_action(request: Request, session: SessionDep, gettext: GettextDep,
                        organizer: OrganizerDep,
                        label: Annotated[str, Form(max_length=300)] = "",
                        revoke: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None
                        ) -> Response:
    """Create a token (shown once) or revoke one."""
    me = organizer.id or 0

    def run() -> Response:
        created, error, status_code = None, None, 200
        try:
            with write(request, session, None):
                if revoke is not None:
                    access.revoke_organizer_token(session=session, token_id=revoke,
                                                  organizer_id=me)
                else:
                    _row, created = access.create_organizer_token(session=session, label=label,
                                                                  organizer_id=me)
        except DomainError as exc:
            error, status_code = refused(session, exc, gettext), exc.status_code
        return render(request, "organizer/tokens.html", status_code=status_code,
                      tokens=access.organizer_tokens(session=session, organizer_id=me),
                      created=created, error=error)

    return await run_in_threadpool(run)


@router.get("/admin/accounts")
def accounts_page(request: Request, session: SessionDep, organizer: OrganizerDep) -> Response:
    """The server's organizer accounts (admins only)."""
    access.require_admin(organizer)
    return render(request, "organizer/accounts.html", me=organizer, error=None, message=None,
                  accounts=access.accounts(session=session))


@router.post("/admin/accounts")
async def accounts_action(request: Request, session: SessionDep, gettext: GettextDep,
                          organizer: OrganizerDep,
                          name: Annotated[str, Form(max_length=300)] = "",
                          password: Annotated[str, Form(max_length=1000)] = "",
                          admin: Annotated[bool, Form()] = False,
                          delete: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None
                          ) -> Response:
    """Create an account (another region's office) or delete one."""
    access.require_admin(organizer)

    def run() -> Response:
        error, message, status_code = None, None, 200
        try:
            with write(request, session, None):
                if delete is not None:
                    access.delete_account(session=session, account_id=delete, by=organizer)
                    message = gettext("Das Konto ist gelöscht.")
                else:
                    access.create_account(session=session, name=name, password=password,
                                          is_admin=admin)
                    message = gettext("Das Konto ist angelegt.")
        except DomainError as exc:
            error, status_code = refused(session, exc, gettext), exc.status_code
        return render(request, "organizer/accounts.html", status_code=status_code, me=organizer,
                      error=error, message=message, accounts=access.accounts(session=session))

    return await run_in_threadpool(run)


@router.post("/admin/login")
async def login(request: Request, context: ContextDep, gettext: GettextDep,
                name: Annotated[str, Form(max_length=300)] = "",
                password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """Sign in with an account's name and password (the name may be left out while there is
    only one account)."""

    def stored() -> tuple[int | None, str | None, bool]:
        with context.db.session() as session:
            account = access.account_for_sign_in(session=session, name=name)
            configured = access.organizer_configured(session=session)
            return (account.id, account.password_hash, configured) if account else (
                None, None, configured)

    def page(status_code: int, error: str, configured: bool,
             headers: dict[str, str] | None = None) -> Response:
        return render(request, "organizer/login.html", status_code=status_code, error=error,
                      configured=configured, headers=headers, name=name)

    # No database session is open while the password is checked: it holds no write turn.
    account_id, password_hash, configured = await run_in_threadpool(stored)
    try:
        context.limits.sign_in(client_address(request))
    except DomainError as exc:
        return page(exc.status_code, exc.render(gettext), configured,
                    headers={"Retry-After": str(getattr(exc, "retry_after", 60))})
    valid = await anyio.to_thread.run_sync(access.check_password, password_hash, password,
                                           limiter=PASSWORD_CHECKS)
    if not valid or account_id is None:
        return page(401, gettext("Name oder Passwort stimmen nicht.") if name.strip()
                    else gettext("Das Passwort stimmt nicht."), configured)
    token = await run_in_threadpool(
        context.db.commit_together, lambda session: access.start_organizer_session(
            session=session, organizer_id=account_id))
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
