"""What a public body must publish: the privacy notice of a workshop (Datenschutzhinweise) and
the accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0 § 7). Generated from the
workshop's publisher, contact and retention unless the organizer wrote their own."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app import retention
from app.web.deps import ContextDep, SessionDep, WorkshopDep
from app.web.render import render
from app.workshops import get_workshop

router = APIRouter(tags=["legal"])

# Cookies this app sets, for the privacy notice: name, purpose, how long.
COOKIES = (
    ("zk_participant", "participant", 60), ("zk_group", "group", 60), ("zk_lang", "lang", 365),
    ("zk_facilitator_…", "facilitator", 7), ("zk_organizer", "organizer", 0),
)


@router.get("/w/{slug}/datenschutz")
def privacy(request: Request, workshop: WorkshopDep) -> Response:
    """The workshop's privacy notice: who is responsible, what is stored, for how long."""
    return render(request, "legal/privacy.html", workshop=workshop,
                  legal=workshop.legal, until=retention.retained_until(workshop),
                  cookies=COOKIES)


@router.get("/barrierefreiheit")
def accessibility(request: Request, context: ContextDep) -> Response:
    """The accessibility statement of this server."""
    return render(request, "legal/accessibility.html", workshop=None, legal={},
                  operator=context.settings.operator, contact=context.settings.contact)


@router.get("/w/{slug}/barrierefreiheit")
def workshop_accessibility(request: Request, context: ContextDep, session: SessionDep,
                           slug: Annotated[str, Path(max_length=80)]) -> Response:
    """The accessibility statement, with the workshop's publisher as the contact."""
    workshop = get_workshop(session=session, slug=slug)
    return render(request, "legal/accessibility.html", workshop=workshop, legal=workshop.legal,
                  operator=context.settings.operator, contact=context.settings.contact)
