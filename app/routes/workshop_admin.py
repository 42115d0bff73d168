"""One workshop in the organizer's hands: its page (state, links, retention), its definition
– in a form or as TOML, downloaded or saved –, the printed join kit, archiving and deleting."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app import access, joinkit, preparation, retention
from app.definition import DefinitionError, parse_definition, to_toml
from app.errors import N_, DomainError
from app.models import Workshop
from app.web.deps import (
    ContextDep,
    GettextDep,
    ManagedWorkshopDep,
    OrganizerDep,
    SessionDep,
    locale_of,
    write,
)
from app.web.render import refused, render
from app.web.urls import facilitator_url, join_url

router = APIRouter(tags=["organizer"])


WORKSHOP_DONE = {"created": N_("Der Workshop ist angelegt."),
                 "saved": N_("Gespeichert. Offene Boards zeigen es sofort."),
                 "kept": N_("Aufbewahrung gespeichert."),
                 "shared": N_("Das Konto verwaltet den Workshop jetzt mit."),
                 "archived": N_("Archiviert: nur noch lesbar, die Exporte bleiben.")}


def _workshop_page(request: Request, context: ContextDep, session: Session, workshop: Workshop,
                   *, status_code: int = 200, error: str | None = None,
                   message: str | None = None, definition_text: str | None = None,
                   version: int | None = None, submitted: dict[str, str] | None = None
                   ) -> Response:
    definition = preparation.export_definition(session=session, workshop=workshop)
    base = context.settings.resolved_base_url
    return render(
        request, "organizer/workshop.html", status_code=status_code, workshop=workshop,
        state=retention.state(session=session, workshop=workshop),
        until=retention.retained_until(workshop), error=error, message=message,
        definition_text=to_toml(definition) if definition_text is None else definition_text,
        version=workshop.definition_version if version is None else version,
        definition=definition, submitted=submitted or {}, themes_text=preparation.themes_text,
        agenda_text=preparation.agenda_text,
        managers=[a.name for a in access.accounts(session=session)
                  if a.id in workshop.organizer_ids],
        join_link=join_url(base, workshop.join_code),
        facilitator_link=facilitator_url(base, workshop.slug,
                                         context.tokens.facilitator_token(workshop)))


@router.get("/admin/workshops/{slug}")
def workshop_page(request: Request, context: ContextDep, session: SessionDep,
                  workshop: ManagedWorkshopDep, gettext: GettextDep,
                  done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """One workshop: its state, links, retention, its definition to edit, deleting it."""
    message = gettext(WORKSHOP_DONE[done]) if done in WORKSHOP_DONE else None
    return _workshop_page(request, context, session, workshop, message=message)


@router.get("/admin/workshops/{slug}/definition.toml")
def download_definition(workshop: ManagedWorkshopDep, session: SessionDep) -> Response:
    """The definition as a workshop file, to keep, share or upload elsewhere."""
    text = to_toml(preparation.export_definition(session=session, workshop=workshop))
    return Response(text, media_type="application/toml", headers={
        "Content-Disposition": f'attachment; filename="{workshop.slug}.toml"'})


@router.get("/admin/workshops/{slug}/kit.pdf")
async def join_kit(request: Request, context: ContextDep, session: SessionDep,
                   workshop: ManagedWorkshopDep) -> Response:
    """The printed join kit: entrance poster, a table tent per group, the facilitator sheet."""
    pdf = await run_in_threadpool(
        joinkit.join_kit_pdf, session=session, workshop=workshop, templates=context.templates,
        base_url=context.settings.resolved_base_url,
        facilitator_token=context.tokens.facilitator_token(workshop), locale=locale_of(request))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{workshop.slug}-material.pdf"'})


@router.post("/admin/workshops/{slug}/definition")
async def save_definition(request: Request, context: ContextDep, session: SessionDep,
                          workshop: ManagedWorkshopDep, gettext: GettextDep,
                          text: Annotated[str, Form(max_length=2_000_000)] = "",
                          version: Annotated[int, Form(ge=0, le=10**9)] = 0) -> Response:
    """Save the changed definition (the text, or an uploaded file instead); every problem is
    listed and nothing is saved."""
    upload = (await request.form()).get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _workshop_page(request, context, session, workshop, status_code=422,
                                  error=gettext("Die Datei ist nicht in UTF-8 gespeichert."),
                                  version=version)

    def run() -> Response:
        try:
            definition = parse_definition(text, source="Definition")
        except DefinitionError as exc:
            return _workshop_page(request, context, session, workshop, status_code=422,
                                  error=str(exc), definition_text=text, version=version)
        try:
            with write(request, session, workshop):
                preparation.update_workshop(session=session, workshop=workshop,
                                            definition=definition, version=version)
        except DomainError as exc:
            error = refused(session, exc, gettext)
            return _workshop_page(request, context, session, workshop,
                                  status_code=exc.status_code, error=error,
                                  definition_text=text, version=version)
        return RedirectResponse(f"/admin/workshops/{workshop.slug}?done=saved",
                                status_code=303)

    return await run_in_threadpool(run)


@router.post("/admin/workshops/{slug}/edit")
async def save_form(request: Request, context: ContextDep, session: SessionDep,
                    workshop: ManagedWorkshopDep, gettext: GettextDep) -> Response:
    """Save the form editor: the definition with what the form changed."""
    form = {key: str(value) for key, value in (await request.form()).items()
            if isinstance(value, str)}

    def run() -> Response:
        version = int(form["version"]) if form.get("version", "").isdigit() else None
        try:
            preparation.require_version(workshop, version)  # before any other complaint
            current = preparation.export_definition(session=session, workshop=workshop)
            definition = preparation.definition_from_form(current, form)
            with write(request, session, workshop):
                preparation.update_workshop(session=session, workshop=workshop,
                                            definition=definition, version=version)
        except DomainError as exc:
            error = refused(session, exc, gettext)
            return _workshop_page(request, context, session, workshop,
                                  status_code=exc.status_code, error=error, submitted=form,
                                  version=version)
        return RedirectResponse(f"/admin/workshops/{workshop.slug}?done=saved",
                                status_code=303)

    return await run_in_threadpool(run)


def _act(request: Request, context: ContextDep, session: Session, workshop: Workshop,
         gettext: GettextDep, work: Callable[[], object], then: str) -> Response:
    """An organizer's step on the workshop (also when archived): `work` in the request's
    write, then on to `then`; refused, the page again with the reason."""
    try:
        with write(request, session, workshop, archived_ok=True):
            work()
    except DomainError as exc:
        return _workshop_page(request, context, session, workshop, status_code=exc.status_code,
                              error=refused(session, exc, gettext))
    return RedirectResponse(then, status_code=303)


@router.post("/admin/workshops/{slug}/share")
async def share(request: Request, context: ContextDep, session: SessionDep,
                workshop: ManagedWorkshopDep, organizer: OrganizerDep, gettext: GettextDep,
                name: Annotated[str, Form(max_length=300)] = "") -> Response:
    """Let another organizer account manage this workshop too."""
    return await run_in_threadpool(
        _act, request, context, session, workshop, gettext,
        lambda: access.give_workshop(session=session, workshop=workshop, by=organizer,
                                     name=name),
        f"/admin/workshops/{workshop.slug}?done=shared")


@router.post("/admin/workshops/{slug}/keep")
async def keep(request: Request, context: ContextDep, session: SessionDep,
               workshop: ManagedWorkshopDep, gettext: GettextDep,
               until: Annotated[dt.date | None, Form()] = None,
               action: Annotated[str, Form(pattern="^(keep|archive)$")] = "keep") -> Response:
    """How long the workshop is kept, or archive it (read-only)."""
    if action == "archive":
        return await run_in_threadpool(
            _act, request, context, session, workshop, gettext,
            lambda: retention.archive(session=session, workshop=workshop),
            f"/admin/workshops/{workshop.slug}?done=archived")
    return await run_in_threadpool(
        _act, request, context, session, workshop, gettext,
        lambda: retention.keep_until(session=session, workshop=workshop, until=until),
        f"/admin/workshops/{workshop.slug}?done=kept")


@router.post("/admin/workshops/{slug}/delete")
async def delete_workshop(request: Request, context: ContextDep, session: SessionDep,
                          workshop: ManagedWorkshopDep, gettext: GettextDep,
                          confirm: Annotated[str, Form(max_length=300)] = "") -> Response:
    """Delete the workshop with everything in it, once its name is typed to confirm."""
    response = await run_in_threadpool(
        _act, request, context, session, workshop, gettext,
        lambda: retention.delete_workshop(session=session, workshop=workshop, confirm=confirm),
        "/admin?done=deleted")
    if response.status_code == 303:
        await run_in_threadpool(context.db.scrub)  # no deleted text left in the file
    return response
