"""Photos of flipcharts and pinboards, uploaded from a field's console or the workshop's (on a
phone the file input opens the camera), and the cover's logos on the organizer's page. The
images themselves go only to the workshop's facilitators and organizers.

Each list is one fragment (`facilitator/_photos.html`, `organizer/_logos.html`): its page
without JavaScript, the htmx answer and the consoles' section render the same markup. Forms
post normally and redirect to that page; with htmx the same routes answer with the fragment.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app import access, photos
from app.access import Facilitator
from app.errors import N_, DomainError, InvalidInput, NotFound
from app.models import Field, Workshop
from app.web.deps import (
    FacilitatorDep,
    GettextDep,
    IdPath,
    ManagedWorkshopDep,
    SessionDep,
    WorkshopDep,
    moderated_field,
    write,
)
from app.web.render import is_htmx, refused, render

router = APIRouter(tags=["facilitator"])

DONE = {"uploaded": N_("Foto gespeichert. Ort und Kameradaten sind entfernt."),
        "caption": N_("Bildunterschrift gespeichert."),
        "hide": N_("Das Foto erscheint nicht in der Dokumentation."),
        "show": N_("Das Foto erscheint wieder in der Dokumentation."),
        "delete": N_("Foto gelöscht.")}
LOGO_DONE = {"uploaded": N_("Logo gespeichert."), "caption": N_("Beschreibung gespeichert."),
             "delete": N_("Logo entfernt.")}
# A photo never changes under its id; only its viewers may keep it, and nobody sniffs it.
IMAGE_HEADERS = {"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}


@router.get("/w/{slug}/photos/{photo_id}")
def image(photo_id: IdPath, workshop: WorkshopDep, session: SessionDep,
          facilitator: FacilitatorDep,
          thumb: Annotated[bool, Query()] = False) -> Response:
    """A photo or logo (or a small copy for a list), for the workshop's facilitators only."""
    photo = photos.get_photo(session=session, workshop=workshop, photo_id=photo_id,
                             facilitator=facilitator)
    content = photos.thumbnail(photo) if thumb else photo.content
    return Response(content, media_type=photo.media_type, headers=IMAGE_HEADERS)


async def _upload(request: Request) -> tuple[bytes, str, str]:
    """The chosen file (the camera's input or the file picker's, whichever has one), its
    name and the caption."""
    form = await request.form(max_files=4, max_fields=20)
    caption = str(form.get("caption") or "")
    for value in form.getlist("file"):
        if isinstance(value, UploadFile) and value.filename:
            data = await value.read()
            if data:
                return data, value.filename, caption
    return b"", "", caption


# The photos of a field, or of the whole workshop (field None)


def _section(request: Request, session: Session, workshop: Workshop, field: Field | None,
             facilitator: Facilitator, *, fragment: bool, message: str | None = None,
             error: str | None = None, caption: str = "", status_code: int = 200) -> Response:
    return render(
        request, "facilitator/_photos.html" if fragment else "facilitator/photos.html",
        status_code=status_code, workshop=workshop, field=field, facilitator=facilitator,
        photos=photos.photos_of(session=session, workshop=workshop, field=field),
        count=photos.photo_count(session=session, workshop=workshop),
        limit=photos.MAX_PHOTOS, message=message, error=error, caption=caption)


def _section_url(workshop: Workshop, field: Field | None) -> str:
    if field is None:
        return f"/w/{workshop.slug}/photos"
    return f"/w/{workshop.slug}/facilitate/{field.key}/photos"


def _done(request: Request, session: Session, workshop: Workshop, field: Field | None,
          facilitator: Facilitator, kind: str, gettext: GettextDep) -> Response:
    if is_htmx(request):
        return _section(request, session, workshop, field, facilitator, fragment=True,
                        message=gettext(DONE[kind]))
    return RedirectResponse(f"{_section_url(workshop, field)}?done={kind}", status_code=303)


@router.get("/w/{slug}/photos")
def workshop_photos(request: Request, workshop: WorkshopDep, session: SessionDep,
                    facilitator: FacilitatorDep, gettext: GettextDep,
                    done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The photos of the whole workshop (plenary, the hall): upload, caption, remove."""
    facilitator.require_whole_workshop()
    return _section(request, session, workshop, None, facilitator, fragment=is_htmx(request),
                    message=gettext(DONE[done]) if done in DONE else None)


@router.get("/w/{slug}/facilitate/{field_key}/photos")
def field_photos(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
                 facilitator: FacilitatorDep, gettext: GettextDep,
                 done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The photos of one field's flipcharts and pinboards: upload, caption, remove."""
    field = moderated_field(session, workshop, facilitator, field_key)
    return _section(request, session, workshop, field, facilitator, fragment=is_htmx(request),
                    message=gettext(DONE[done]) if done in DONE else None)


def _add(request: Request, session: Session, workshop: Workshop, field: Field | None,
         facilitator: Facilitator, gettext: GettextDep, upload: tuple[bytes, str, str]
         ) -> Response:
    data, filename, caption = upload
    try:
        photos.require_room(session=session, workshop=workshop)
        prepared = photos.prepare(data, filename=filename)  # before the turn to write
        with write(request, session, workshop):
            photos.add_photo(session=session, workshop=workshop, field=field, data=prepared,
                             caption=caption, uploaded_by=facilitator.actor)
    except DomainError as exc:
        return _section(request, session, workshop, field, facilitator,
                        fragment=is_htmx(request), error=refused(session, exc, gettext),
                        caption=caption, status_code=exc.status_code)
    return _done(request, session, workshop, field, facilitator, "uploaded", gettext)


@router.post("/w/{slug}/photos")
async def upload_workshop_photo(request: Request, workshop: WorkshopDep, session: SessionDep,
                                facilitator: FacilitatorDep, gettext: GettextDep) -> Response:
    """Upload a photo of the whole workshop."""
    facilitator.require_whole_workshop()
    upload = await _upload(request)
    return await run_in_threadpool(_add, request, session, workshop, None, facilitator,
                                   gettext, upload)


@router.post("/w/{slug}/facilitate/{field_key}/photos")
async def upload_field_photo(field_key: str, request: Request, workshop: WorkshopDep,
                             session: SessionDep, facilitator: FacilitatorDep,
                             gettext: GettextDep) -> Response:
    """Upload a photo of a field's flipchart or pinboard (also of a group on paper only)."""
    field = await run_in_threadpool(moderated_field, session, workshop, facilitator, field_key)
    upload = await _upload(request)
    return await run_in_threadpool(_add, request, session, workshop, field, facilitator,
                                   gettext, upload)


@router.post("/w/{slug}/photos/{photo_id}")
def change_photo(photo_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
                 facilitator: FacilitatorDep, gettext: GettextDep,
                 op: Annotated[str, Form(max_length=20)] = "caption",
                 caption: Annotated[str, Form(max_length=2000)] = "",
                 field_key: Annotated[str, Form(alias="field", max_length=40)] = "") -> Response:
    """Change a photo's caption, leave it out of the documentation (or in again), delete it."""
    # The answer is the list the form was in: a field's, or (no field) the whole workshop's.
    if field_key:
        field: Field | None = moderated_field(session, workshop, facilitator, field_key)
    else:
        facilitator.require_whole_workshop()
        field = None
    args: dict[str, Any] = {"session": session, "workshop": workshop, "photo_id": photo_id,
            "facilitator": facilitator}
    try:
        with write(request, session, workshop):
            if op == "caption":
                photos.set_caption(**args, caption=caption)
            elif op in ("hide", "show"):
                photos.hide(**args, hidden=op == "hide")
            elif op == "delete":
                photos.delete(**args)
            else:
                raise InvalidInput("Unbekannte Aktion.")
    except DomainError as exc:
        return _section(request, session, workshop, field, facilitator,
                        fragment=is_htmx(request), error=refused(session, exc, gettext),
                        status_code=exc.status_code)
    return _done(request, session, workshop, field, facilitator, op, gettext)


# The cover's logos, on the organizer's page


def _logos(request: Request, session: Session, workshop: Workshop, *, fragment: bool,
           message: str | None = None, error: str | None = None, caption: str = "",
           status_code: int = 200) -> Response:
    return render(request, "organizer/_logos.html" if fragment else "organizer/logos.html",
                  status_code=status_code, workshop=workshop,
                  logos=photos.logos_of(session=session, workshop=workshop),
                  limit=photos.MAX_LOGOS, message=message, error=error, caption=caption)


def _logos_done(request: Request, session: Session, workshop: Workshop, kind: str,
                gettext: GettextDep) -> Response:
    if is_htmx(request):
        return _logos(request, session, workshop, fragment=True, message=gettext(LOGO_DONE[kind]))
    return RedirectResponse(f"/admin/workshops/{workshop.slug}/logos?done={kind}",
                            status_code=303)


@router.get("/admin/workshops/{slug}/logos", tags=["organizer"])
def logos(request: Request, session: SessionDep, workshop: ManagedWorkshopDep,
          gettext: GettextDep,
          done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The logos on the documentation's cover (EU, LEADER, the region's): upload, remove."""
    return _logos(request, session, workshop, fragment=is_htmx(request),
                  message=gettext(LOGO_DONE[done]) if done in LOGO_DONE else None)


@router.post("/admin/workshops/{slug}/logos", tags=["organizer"])
async def upload_logo(request: Request, session: SessionDep,
                      workshop: ManagedWorkshopDep, gettext: GettextDep) -> Response:
    """Upload a logo for the cover (PNG keeps its transparency)."""
    data, filename, caption = await _upload(request)

    def run() -> Response:
        try:
            photos.require_room(session=session, workshop=workshop, kind="logo")
            prepared = photos.prepare(data, filename=filename, kind="logo")
            with write(request, session, workshop):
                photos.add_photo(session=session, workshop=workshop, field=None, data=prepared,
                                 caption=caption, uploaded_by=access.ORGANIZER.actor,
                                 kind="logo")
        except DomainError as exc:
            return _logos(request, session, workshop, fragment=is_htmx(request),
                          error=refused(session, exc, gettext), caption=caption,
                          status_code=exc.status_code)
        return _logos_done(request, session, workshop, "uploaded", gettext)

    return await run_in_threadpool(run)


@router.post("/admin/workshops/{slug}/logos/{photo_id}", tags=["organizer"])
def change_logo(photo_id: IdPath, request: Request, session: SessionDep,
                workshop: ManagedWorkshopDep, gettext: GettextDep,
                op: Annotated[str, Form(max_length=20)] = "delete",
                caption: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Change a logo's description (its alternative text) or remove it."""
    args: dict[str, Any] = {"session": session, "workshop": workshop, "photo_id": photo_id,
            "facilitator": access.ORGANIZER}
    try:
        with write(request, session, workshop):
            if photos.get_photo(**args).kind != "logo":  # photos are changed in the console
                raise NotFound("Dieses Foto gibt es nicht (mehr).")
            if op == "caption":
                photos.set_caption(**args, caption=caption)
            elif op == "delete":
                photos.delete(**args)
            else:
                raise InvalidInput("Unbekannte Aktion.")
    except DomainError as exc:
        return _logos(request, session, workshop, fragment=is_htmx(request),
                      error=refused(session, exc, gettext), status_code=exc.status_code)
    return _logos_done(request, session, workshop, op, gettext)
