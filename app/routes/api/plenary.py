"""The plenary: themes with their dots, a participant's dots, proposals and remarks."""


from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app import (
    plenary,
    weighting,
)
from app.live.events import PlenaryColumn, RemarkSnapshot
from app.routes.api.common import Id, _participant
from app.web.deps import (
    ContextDep,
    SessionDep,
    WorkshopDep,
    write,
)

router = APIRouter()


class PlenaryOut(BaseModel):
    questions: list[str]
    columns: list[PlenaryColumn]
    remarks: list[RemarkSnapshot]
    dots_per_participant: int
    dots_per_theme: int


@router.get("/workshops/{slug}/plenary", response_model=PlenaryOut)
def plenary_state(workshop: WorkshopDep, session: SessionDep) -> PlenaryOut:
    """Themes of every field with their dots, the questions and the remarks."""
    return PlenaryOut(
        questions=workshop.questions,
        columns=plenary.columns(session=session, workshop=workshop),
        remarks=[RemarkSnapshot(id=r.id or 0, text=r.text)
                 for r in plenary.remarks(session=session, workshop=workshop)],
        dots_per_participant=workshop.dots_per_participant,
        dots_per_theme=workshop.dots_per_theme)


class DotIn(BaseModel):
    theme: Id
    remove: bool = False


@router.post("/workshops/{slug}/plenary/dots", response_model=weighting.DotAllowance)
def plenary_dot(body: DotIn, request: Request, workshop: WorkshopDep, session: SessionDep,
                context: ContextDep) -> weighting.DotAllowance:
    """Place (or with `remove` take back) one importance dot (participant token)."""
    with write(request, session, workshop):
        participant = _participant(request, context, session, workshop)
        if body.remove:
            return weighting.remove_dot(session=session, workshop=workshop, participant=participant,
                                      theme_id=body.theme, rate_limit=context.limits.vote)
        return weighting.place_dot(session=session, workshop=workshop, participant=participant,
                                 theme_id=body.theme, rate_limit=context.limits.vote)


class ProposalIn(BaseModel):
    field: str = Field(max_length=40)
    text: str | None = None
    theme: Id | None = None  # set: propose moving this theme to `field`


class ProposalOut(BaseModel):
    id: int
    kind: str
    status: str


@router.post("/workshops/{slug}/plenary/proposals", response_model=ProposalOut, status_code=201)
def plenary_proposal(body: ProposalIn, request: Request, workshop: WorkshopDep,
                     session: SessionDep, context: ContextDep) -> ProposalOut:
    """Propose a new theme for a field, or moving a theme (participant token)."""
    with write(request, session, workshop):
        participant = _participant(request, context, session, workshop)
        if body.theme is not None:
            proposal = plenary.propose_move(session=session, workshop=workshop,
                                            participant=participant, theme_id=body.theme,
                                            field=body.field,
                                            rate_limit=context.limits.contribution)
        else:
            proposal = plenary.propose_theme(session=session, workshop=workshop,
                                             participant=participant, field=body.field,
                                             text=body.text or "",
                                             rate_limit=context.limits.contribution)
        return ProposalOut(id=proposal.id or 0, kind=proposal.kind, status=proposal.status)


class RemarkIn(BaseModel):
    text: str


@router.post("/workshops/{slug}/plenary/remarks", response_model=RemarkSnapshot,
             status_code=201)
def plenary_remark(body: RemarkIn, request: Request, workshop: WorkshopDep,
                   session: SessionDep, context: ContextDep) -> RemarkSnapshot:
    """Add a cross-cutting remark (participant token)."""
    with write(request, session, workshop):
        participant = _participant(request, context, session, workshop)
        remark = plenary.add_remark(session=session, workshop=workshop, participant=participant,
                                    text=body.text, rate_limit=context.limits.contribution)
        return RemarkSnapshot(id=remark.id or 0, text=remark.text)
