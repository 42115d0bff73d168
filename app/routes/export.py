"""Downloads of the Ergebnisdokumentation for facilitators and organizers."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.errors import InvalidInput
from app.report import ReportOptions, build_report
from app.report.writers import FORMAT_LABELS, FORMATS, filename, write
from app.web.deps import ContextDep, FacilitatorDep, SessionDep, WorkshopDep
from app.web.render import render
from app.workshops import slugify

router = APIRouter(tags=["export"])


@router.get("/w/{slug}/export")
def export_page(request: Request, workshop: WorkshopDep, facilitator: FacilitatorDep) -> Response:
    """Choose format and parts of the documentation."""
    facilitator.require_whole_workshop()
    return render(request, "report/export.html", workshop=workshop, formats=FORMAT_LABELS)


@router.get("/w/{slug}/export/{fmt}")
async def export(fmt: str, workshop: WorkshopDep, session: SessionDep,
                 facilitator: FacilitatorDep, context: ContextDep,
                 plenary: Annotated[bool, Query()] = True,
                 working: Annotated[bool, Query()] = True,
                 surveys: Annotated[bool, Query()] = True,
                 appendix: Annotated[bool, Query()] = True,
                 authors: Annotated[bool, Query()] = False,
                 rounds: Annotated[bool, Query()] = False,
                 charts: Annotated[bool, Query()] = False,
                 delimiter: Annotated[str, Query(pattern="^[;,]$")] = ";") -> Response:
    """The documentation as a file (DOCX, PDF, XLSX, HTML, Markdown, JSON or CSV as ZIP)."""
    facilitator.require_whole_workshop()
    if fmt not in FORMATS:
        raise InvalidInput("Dieses Format gibt es nicht: {fmt}.", fmt=fmt[:10])
    options = ReportOptions(plenary=plenary, working=working, surveys=surveys,
                            appendix=appendix, authors=authors, rounds=rounds,
                            charts=charts)

    def make() -> bytes:
        report = build_report(session=session, workshop=workshop, options=options)
        return write(report, fmt, delimiter=delimiter)

    body = await run_in_threadpool(make)
    name = filename(f"ergebnisdokumentation-{slugify(workshop.slug)}", fmt)
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
