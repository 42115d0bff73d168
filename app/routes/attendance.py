"""Participation evidence: the organizer counts who was in the room (form and API), and a
participant may name their stakeholder group on the phone (one tap, skippable)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import attendance
from app.cards import counts
from app.errors import DomainError
from app.models import Field, Workshop
from app.routes.api.organizing import Managed
from app.web.deps import (
    GettextDep,
    ManagedWorkshopDep,
    ParticipantDep,
    SessionDep,
    WorkshopDep,
    write,
)
from app.web.render import refused, render
from app.workshops import fields_of

router = APIRouter(tags=["organizer"])


def _working_groups(session: Session, workshop: Workshop) -> list[Field]:
    return [f for f in fields_of(session=session, workshop=workshop) if f.parent_id is None]


def _page(request: Request, session: SessionDep, workshop: Workshop, *, status_code: int = 200,
          error: str | None = None, saved: bool = False,
          submitted: dict[str, str] | None = None) -> Response:
    fields = _working_groups(session, workshop)
    return render(request, "organizer/attendance.html", status_code=status_code,
                  workshop=workshop, fields=fields, error=error, saved=saved,
                  settings=attendance.settings_of(workshop),
                  counted=attendance.attendance_of(workshop), submitted=submitted,
                  phone_groups=attendance.phone_groups(session, workshop),
                  phone_count=counts(session, workshop).participants)


@router.get("/admin/workshops/{slug}/attendance")
def attendance_page(request: Request, session: SessionDep, workshop: ManagedWorkshopDep,
                    saved: Annotated[bool, Query()] = False) -> Response:
    """Enter who was in the room: in all, by group, age, municipality and working group."""
    return _page(request, session, workshop, saved=saved)


@router.post("/admin/workshops/{slug}/attendance")
async def save_attendance(request: Request, session: SessionDep, workshop: ManagedWorkshopDep,
                          gettext: GettextDep) -> Response:
    """Save the counts; every problem named at once, nothing typed lost."""
    form = {key: str(value)[:5000] for key, value in (await request.form()).items()
            if isinstance(value, str)}
    fields = _working_groups(session, workshop)
    try:
        counted = attendance.attendance_from_form(workshop, fields, form)
        with write(request, session, workshop):
            attendance.set_attendance(session=session, workshop=workshop, attendance=counted)
    except DomainError as exc:
        return _page(request, session, workshop, status_code=exc.status_code,
                     error=refused(session, exc, gettext), submitted=form)
    return RedirectResponse(f"/admin/workshops/{workshop.slug}/attendance?saved=true",
                            status_code=303)


@router.get("/api/v1/workshops/{slug}/attendance", tags=["organizer"])
def get_attendance(workshop: Managed) -> attendance.Attendance:
    """What the organizer counted in the room (empty parts: not counted)."""
    return attendance.attendance_of(workshop)


@router.put("/api/v1/workshops/{slug}/attendance", tags=["organizer"])
def put_attendance(request: Request, workshop: Managed, session: SessionDep,
                   counted: attendance.Attendance) -> attendance.Attendance:
    """Replace the counts (field keys in `by_field`)."""
    with write(request, session, workshop):
        attendance.set_attendance(session=session, workshop=workshop, attendance=counted)
    return attendance.attendance_of(workshop)


@router.post("/w/{slug}/group")
def set_group(request: Request, workshop: WorkshopDep, session: SessionDep,
              participant: ParticipantDep, gettext: GettextDep,
              group: Annotated[str, Form(max_length=80)] = "",
              back: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The phone's one-tap question: which group one belongs to ("" : no answer)."""
    target = back if back.startswith(f"/w/{workshop.slug}/") else f"/w/{workshop.slug}/me"
    try:
        with write(request, session, workshop):
            attendance.set_group(session=session, workshop=workshop, participant=participant,
                                 group=group)
    except DomainError as exc:
        return render(request, "error.html", status_code=exc.status_code,
                      message=refused(session, exc, gettext), status=exc.status_code)
    return RedirectResponse(target, status_code=303)
