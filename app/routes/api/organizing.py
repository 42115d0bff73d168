"""The organizer's workshops through the API: list, create (TOML or JSON), read and change the
definition, delete. An organizer token (`Authorization: Bearer zko_…`, created in /admin) or
the organizer's signed-in browser; anyone else gets 401 (nothing sent) or 403."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app import access, preparation, retention
from app.definition import DefinitionError, WorkshopDef, parse_definition, problems, to_toml
from app.errors import InvalidInput, NotAllowed, NotSignedIn
from app.models import Organizer, Workshop
from app.web.deps import (
    ContextDep,
    SessionDep,
    WorkshopDep,
    bearer_token,
    current_organizer,
    write,
)
from app.web.urls import facilitator_url, join_url, overview_url
from app.workshops import all_workshops, create_workshop

router = APIRouter(tags=["organizer"])

TOML_TYPES = ("application/toml", "text/toml", "text/plain")


def require_organizer(request: Request, context: ContextDep, session: SessionDep) -> Organizer:
    token = bearer_token(request)
    if token is not None:
        organizer = access.organizer_for_token(session=session, token=token)
        if organizer is None:
            raise NotAllowed("Dieses Token ist kein gültiges Token der Organisation (oder es "
                             "wurde widerrufen).")
        return organizer
    organizer = current_organizer(request, context, session)
    if organizer is None:
        raise NotSignedIn("Nur für die Organisation: ein Token aus /admin als "
                          "„Authorization: Bearer zko_…“ senden.")
    return organizer


OrganizerApi = Annotated[Organizer, Depends(require_organizer)]


def _managed(workshop: WorkshopDep, organizer: OrganizerApi) -> Workshop:
    access.require_manage(organizer, workshop)
    return workshop


Managed = Annotated[Workshop, Depends(_managed)]


class WorkshopSummary(BaseModel):
    slug: str
    title: str
    date: dt.date | None
    place: str
    state: str  # preparation, live, closed, archived
    participants: int
    retain_until: dt.date
    definition_version: int


class CreatedWorkshop(WorkshopSummary):
    join_code: str
    join_url: str
    overview_url: str
    facilitator_url: str


def _summary(session: Session, workshop: Workshop) -> dict[str, Any]:
    state = retention.state(session=session, workshop=workshop)
    return {"slug": workshop.slug, "title": workshop.title, "date": workshop.date,
            "place": workshop.place, "state": state.key, "participants": state.participants,
            "retain_until": retention.retained_until(workshop),
            "definition_version": workshop.definition_version}


async def _definition(request: Request) -> WorkshopDef:
    """The body as a definition: TOML (as a workshop file) or JSON; every problem listed."""
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("Die Definition ist nicht in UTF-8.") from exc
    try:
        if kind in TOML_TYPES:
            return parse_definition(text, source="Definition")
        return WorkshopDef.model_validate_json(text or "{}")
    except DefinitionError as exc:
        raise InvalidInput("{problems}", problems=str(exc)) from exc
    except ValidationError as exc:
        raise InvalidInput("{problems}", problems=problems(exc)) from exc


DefinitionBody = Annotated[WorkshopDef, Depends(_definition)]
# TOML also as application/toml or text/toml; described once, as text/plain.
_BODY = {"requestBody": {"content": {
    "text/plain": {"schema": {"type": "string", "description": "a workshop file (TOML)"}},
    "application/json": {"schema": {"$ref": "#/components/schemas/WorkshopDef"}}}}}


@router.get("/workshops", response_model=list[WorkshopSummary])
def list_workshops(session: SessionDep, organizer: OrganizerApi) -> list[dict[str, Any]]:
    """The workshops this account manages (an admin: every one), the newest first."""
    return [_summary(session, w) for w in all_workshops(session=session)
            if access.may_manage(organizer, w)]


@router.post("/workshops", response_model=CreatedWorkshop, status_code=201,
             openapi_extra=_BODY)
def create(request: Request, context: ContextDep, session: SessionDep,
           organizer: OrganizerApi, definition: DefinitionBody) -> dict[str, Any]:
    """A new workshop from a definition (TOML as in workshops/*.toml, or JSON); a slug that
    exists gets "-2", a join code that exists a new one."""
    with write(request, session, None):
        workshop = create_workshop(session=session, definition=definition)
        workshop.organizer_ids = [organizer.id or 0]
    base = context.settings.resolved_base_url
    return {**_summary(session, workshop), "join_code": workshop.join_code,
            "join_url": join_url(base, workshop.join_code),
            "overview_url": overview_url(base, workshop.slug),
            "facilitator_url": facilitator_url(
                base, workshop.slug, context.tokens.facilitator_token(workshop))}


@router.get("/workshops/{slug}/definition",
            responses={200: {"content": {"application/toml": {}}}})
def get_definition(workshop: Managed, session: SessionDep,
                   as_: Annotated[str, Query(alias="format", pattern="^(json|toml)$")] = "json",
                   ) -> Response:
    """The definition as it stands (`?format=toml` for a workshop file); the ETag is its
    version, to send back as If-Match with the change."""
    definition = preparation.export_definition(session=session, workshop=workshop)
    headers = {"ETag": f'"{workshop.definition_version}"'}
    if as_ == "toml":
        return Response(to_toml(definition), media_type="application/toml", headers={
            **headers, "Content-Disposition": f'attachment; filename="{workshop.slug}.toml"'})
    return Response(definition.model_dump_json(), media_type="application/json",
                    headers=headers)


@router.put("/workshops/{slug}/definition", response_model=WorkshopSummary,
            openapi_extra=_BODY)
def put_definition(request: Request, workshop: Managed, session: SessionDep,
                   definition: DefinitionBody,
                   if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Change the workshop by a definition (fields, columns and themes by key; cards stay).
    With `If-Match: "<version>"` a change saved meanwhile by someone else is refused (409)."""
    version = None
    if if_match is not None:
        digits = if_match.strip().strip('W/').strip('"')
        if not digits.isdigit() or len(digits) > 9:
            raise InvalidInput("If-Match muss die Version aus dem ETag sein, z. B. \"3\".")
        version = int(digits)
    with write(request, session, workshop):
        preparation.update_workshop(session=session, workshop=workshop, definition=definition,
                                    version=version)
    return _summary(session, workshop)


@router.delete("/workshops/{slug}", status_code=204)
async def delete(request: Request, context: ContextDep, workshop: Managed,
                 session: SessionDep) -> Response:
    """Delete the workshop with everything in it. A live one (joining still open, people in
    it) is refused with 409 until joining is closed."""

    def run() -> None:
        with write(request, session, workshop, archived_ok=True):
            retention.delete_workshop(session=session, workshop=workshop,
                                      confirm=workshop.slug)
        context.db.scrub()

    await run_in_threadpool(run)
    return Response(status_code=204)

