"""Request dependencies: the app context, sessions, the workshop, and who is asking."""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Form, Header, Path, Query, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import access, moderation, participants
from app.auth import Tokens
from app.config import Settings
from app.db import Database
from app.db.unit import unit
from app.errors import Conflict, NotAllowed, NotSignedIn
from app.live.render import Views
from app.live.stream import LocalBus
from app.models import Field, Organizer, Participant, Workshop
from app.ratelimit import Limits
from app.text import MAX_ID
from app.web.templating import DEFAULT_LOCALE, LOCALES, Templates
from app.workshops import get_field, get_workshop

F = TypeVar("F", bound=Callable[..., Any])

# An id in a page address or a form: a number no table can hold is refused (422), not looked up.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdForm = Annotated[int, Form(ge=1, le=MAX_ID)]
# Where a live stream resumes: an event id (Last-Event-ID header, or ?after= on first connect).
LastEventId = Annotated[int | None, Header(ge=0, le=MAX_ID)]
AfterId = Annotated[int, Query(ge=0, le=MAX_ID)]

PARTICIPANT_COOKIE = "zk_participant"
LOCALE_COOKIE = "zk_lang"


@dataclass
class Context:
    settings: Settings
    db: Database
    bus: LocalBus
    templates: Templates
    views: Views
    tokens: Tokens
    limits: Limits
    # Requests with a session of their own at once (see Database.request_slots); the others
    # wait on the event loop, holding neither a thread nor a connection.
    sessions: anyio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = anyio.Semaphore(self.db.request_slots)


def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


# Dependencies that neither block nor read the database are `async def`: FastAPI runs each
# plain `def` dependency on a worker thread, and those hand-overs cost more than the work.
async def _context_dep(request: Request) -> Context:
    return get_context(request)


ContextDep = Annotated[Context, Depends(_context_dep)]


async def get_session(request: Request, context: ContextDep) -> AsyncIterator[Session]:
    """The request's session. It reads: dependencies never write, and a route writes through
    `Database.write`, which takes the database's turn for its service alone (a write outside
    it fails, see app/db/unit.py). Opening it touches no database; the first query connects."""
    async with context.sessions:  # see Database.request_slots
        session = context.db.session()
        unit(session).guarded = True
        try:
            yield session
        finally:
            if session.in_transaction():
                # Closing rolls back and returns the connection: database work, off the event
                # loop, on a thread outside the routes' pool. Routes whose threads wait for a
                # connection may fill that pool, and the connections they wait for come back
                # only through here (100 phones opening the join page at once stalled the
                # server until the pool timed out). FastAPI ends its own dependencies this way.
                # Also when cancelled.
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(session.close,
                                                   limiter=anyio.CapacityLimiter(1))
            else:
                session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def write(request: Request, session: Session, workshop: Workshop | None, *,
          archived_ok: bool = False) -> AbstractContextManager[None]:
    """`with write(request, session, workshop):` around a route's service call: the request's
    one write (`Database.write`), in the workshop's turn. An archived workshop is read-only:
    only what `archived_ok` marks passes (deleting one's own card, the organizer keeping,
    sharing or deleting it)."""
    if workshop is not None and workshop.archived_at is not None and not archived_ok:
        raise Conflict("Dieser Workshop ist archiviert und nur noch lesbar.")
    return get_context(request).db.write(session, workshop.id if workshop else None)


def workshop_dep(slug: str, session: SessionDep) -> Workshop:
    return get_workshop(session=session, slug=slug)


WorkshopDep = Annotated[Workshop, Depends(workshop_dep)]


async def load_workshop(context: Context, slug: str) -> Workshop:
    """For long-lived streams: look the workshop up in a session that closes at once, so no
    read transaction stays open (it would keep SQLite from checkpointing its WAL)."""

    def load() -> Workshop:
        with context.db.session() as session:
            return get_workshop(session=session, slug=slug)

    return await run_in_threadpool(load)


def locale_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LOCALE_COOKIE)
    return wanted if wanted in LOCALES else DEFAULT_LOCALE


async def _locale_dep(request: Request) -> str:
    return locale_of(request)


LocaleDep = Annotated[str, Depends(_locale_dep)]


def client_address(request: Request) -> str:
    """The address a request came from (behind a trusted proxy: the one it names)."""
    return request.client.host if request.client else ""


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def facilitator_cookie(workshop: Workshop) -> str:
    return f"zk_facilitator_{workshop.id}"


ORGANIZER_COOKIE = "zk_organizer"
ORGANIZER_MAX_AGE = int(access.ORGANIZER_ABSOLUTE.total_seconds())


def current_organizer(request: Request, context: Context, session: Session) -> Organizer | None:
    """The account whose cookie names a session that has not ended (logout, a new password,
    two idle hours, twelve hours in all). Use keeps it alive."""
    row = access.organizer_session(session=session, token=request.cookies.get(ORGANIZER_COOKIE))
    if row is None:
        return None
    if access.needs_touch(row):
        assert row.id is not None
        session_id = row.id
        if unit(session).writes:
            # Asked from inside a write (an API call of the organizer, in Database.write or a
            # group commit): the touch is part of it. Another write from here would wait for
            # the writer this thread holds.
            access.touch_organizer_session(session=session, session_id=session_id)
        else:  # a dependency: it only reads, the touch is a write of its own beside it
            context.db.commit_together(lambda write: access.touch_organizer_session(
                session=write, session_id=session_id))
    return session.get(Organizer, row.organizer_id)


def organizer_signed_in(request: Request, context: Context, session: Session) -> bool:
    return current_organizer(request, context, session) is not None


def facilitator_of(request: Request, context: Context, session: Session,
                   workshop: Workshop) -> access.Facilitator | None:
    """The facilitator behind the bearer token or the cookie, or the organizer."""
    token = bearer_token(request) or request.cookies.get(facilitator_cookie(workshop))
    facilitator = access.facilitator_for(session=session, tokens=context.tokens, workshop=workshop,
                                         token=token)
    if facilitator is None:
        organizer = current_organizer(request, context, session)
        if organizer is not None and access.may_manage(organizer, workshop):
            return access.ORGANIZER
    return facilitator


def public_id_of(request: Request, context: Context) -> str | None:
    """The participant's public id that the bearer token or the cookie carries, if signed."""
    token = bearer_token(request) or request.cookies.get(PARTICIPANT_COOKIE)
    return context.tokens.participant_public_id(token)


def participant_of(
    request: Request, context: Context, session: Session, workshop: Workshop
) -> Participant | None:
    """The participant behind the bearer token or the cookie, if it belongs to this workshop."""
    return participants.participant_by_public_id(
        session=session, workshop=workshop, public_id=public_id_of(request, context)
    )


class SignInFirst(Exception):
    """An organizer page was opened without signing in: send them to the sign-in form."""


def require_organizer_page(request: Request, context: ContextDep,
                           session: SessionDep) -> Organizer:
    organizer = current_organizer(request, context, session)
    if organizer is None:
        raise SignInFirst()
    return organizer


OrganizerDep = Annotated[Organizer, Depends(require_organizer_page)]


def managed_workshop(workshop: WorkshopDep, organizer: OrganizerDep) -> Workshop:
    """The workshop of an organizer page, if this account manages it (else 403)."""
    access.require_manage(organizer, workshop)
    return workshop


ManagedWorkshopDep = Annotated[Workshop, Depends(managed_workshop)]


class JoinFirst(Exception):
    """A page for participants was opened by someone who has not joined: send them to join,
    and from there on to the page they wanted (a group's form, a survey)."""

    def __init__(self, join_code: str, to: str = "") -> None:
        super().__init__(join_code)
        self.join_code = join_code
        self.to = to


_WANTED = re.compile(r"^/w/[^/]+/(?:me/(?P<field>[a-z0-9][a-z0-9_-]{0,39})|"
                     r"surveys/(?P<survey>[0-9]{1,10})/me)$")


def current_participant(request: Request, context: ContextDep, session: SessionDep,
                        workshop: WorkshopDep) -> Participant:
    participant = participant_of(request, context, session, workshop)
    if participant is None:
        wanted = _WANTED.match(request.url.path)
        to = ""
        if wanted and wanted["field"]:
            to = wanted["field"]
        elif wanted and wanted["survey"]:
            to = f"umfrage/{wanted['survey']}"
        raise JoinFirst(workshop.join_code, to)
    return participant


ParticipantDep = Annotated[Participant, Depends(current_participant)]


def gettext_of(request: Request, context: ContextDep) -> Callable[[str], str]:
    return context.templates.gettext(locale_of(request))


GettextDep = Annotated[Callable[[str], str], Depends(gettext_of)]


def require_facilitator(request: Request, context: ContextDep, session: SessionDep,
                        workshop: WorkshopDep) -> access.Facilitator:
    facilitator = facilitator_of(request, context, session, workshop)
    if facilitator is not None:
        return facilitator
    anonymous = bearer_token(request) is None and facilitator_cookie(workshop) not in (
        request.cookies)
    if anonymous and request.url.path.startswith("/api/"):
        raise NotSignedIn("Diese Aktion braucht den Moderationsschlüssel (Bearer-Token).")
    raise NotAllowed(
        "Diese Seite ist der Moderation vorbehalten. Öffnen Sie den Moderationslink, "
        "den Sie beim Anlegen des Workshops erhalten haben."
    )


FacilitatorDep = Annotated[access.Facilitator, Depends(require_facilitator)]


def moderated_field(session: Session, workshop: Workshop, facilitator: access.Facilitator,
                    key: str) -> Field:
    """The field of a console address, if this facilitator may moderate it."""
    field = get_field(session=session, workshop=workshop, key=key)
    assert field.id is not None
    moderation.require_field(session, facilitator, field.id)  # sub-fields with their parent
    return field
