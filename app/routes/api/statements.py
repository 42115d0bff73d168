"""Guiding sentences: read, propose, support; a facilitator's draft and adoption."""


from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlmodel import Session

from app import (
    statements,
    workshops,
)
from app.live import public
from app.live.public import PublicStatement
from app.models import Participant, Workshop
from app.routes.api.common import _participant
from app.web.deps import (
    ContextDep,
    FacilitatorDep,
    IdPath,
    SessionDep,
    WorkshopDep,
    participant_of,
    write,
)

router = APIRouter()


def _statement_out(session: Session, workshop: Workshop, field_key: str,
                   viewer: Participant | None = None) -> PublicStatement:
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    return public.public_statement(statements.snapshot(session, workshop, field),
                                   viewer.public_id if viewer else None)


@router.get("/workshops/{slug}/fields/{field_key}/statement", response_model=PublicStatement)
def statement(field_key: str, request: Request, workshop: WorkshopDep, session: SessionDep,
              context: ContextDep) -> PublicStatement:
    """The field's guiding sentence: proposals by support (with a participant token: which
    are the caller's own and which they support), draft, adopted sentence."""
    return _statement_out(session, workshop, field_key,
                          participant_of(request, context, session, workshop))


class StatementProposalIn(BaseModel):
    text: str


@router.post("/workshops/{slug}/fields/{field_key}/statement/proposals",
             response_model=PublicStatement, status_code=201)
def statement_proposal(field_key: str, body: StatementProposalIn, request: Request,
                       workshop: WorkshopDep, session: SessionDep,
                       context: ContextDep) -> PublicStatement:
    """Propose a completion (participant token)."""
    with write(request, session, workshop):
        participant = _participant(request, context, session, workshop)
        statements.propose(session=session, workshop=workshop, participant=participant,
                           field=field_key, text=body.text, rate_limit=context.limits.contribution)
    return _statement_out(session, workshop, field_key, participant)


@router.post("/workshops/{slug}/statement-proposals/{proposal_id}/support",
             response_model=PublicStatement)
def statement_support(proposal_id: IdPath, request: Request, workshop: WorkshopDep,
                      session: SessionDep, context: ContextDep) -> PublicStatement:
    """Support a proposal once (participant token)."""
    with write(request, session, workshop):
        participant = _participant(request, context, session, workshop)
        statements.support(session=session, workshop=workshop, participant=participant,
                           proposal_id=proposal_id, rate_limit=context.limits.vote)
        field = statements.field_of_proposal(session=session, workshop=workshop,
                                             proposal_id=proposal_id)
    return _statement_out(session, workshop, field, participant)


@router.delete("/workshops/{slug}/statement-proposals/{proposal_id}/support",
               response_model=PublicStatement)
def statement_withdraw(proposal_id: IdPath, request: Request, workshop: WorkshopDep,
                       session: SessionDep, context: ContextDep) -> PublicStatement:
    """Take one's support back (participant token)."""
    with write(request, session, workshop):
        participant = _participant(request, context, session, workshop)
        statements.withdraw(session=session, workshop=workshop, participant=participant,
                            proposal_id=proposal_id, rate_limit=context.limits.vote)
        field = statements.field_of_proposal(session=session, workshop=workshop,
                                             proposal_id=proposal_id)
    return _statement_out(session, workshop, field, participant)


class StatementTextIn(BaseModel):
    text: str


@router.put("/workshops/{slug}/fields/{field_key}/statement/draft",
            response_model=PublicStatement)
def statement_draft(request: Request, field_key: str, body: StatementTextIn, workshop: WorkshopDep,
                    facilitator: FacilitatorDep, session: SessionDep) -> PublicStatement:
    """Set the draft the board shows while it is shaped (facilitator)."""
    with write(request, session, workshop):
        field = workshops.get_field(session=session, workshop=workshop, key=field_key)
        statements.set_draft(session=session, workshop=workshop, facilitator=facilitator,
                             field=field,
                             text=body.text)
    return _statement_out(session, workshop, field_key)


@router.post("/workshops/{slug}/fields/{field_key}/statement/adopt",
             response_model=PublicStatement)
def statement_adopt(request: Request, field_key: str, body: StatementTextIn, workshop: WorkshopDep,
                    facilitator: FacilitatorDep, session: SessionDep) -> PublicStatement:
    """Adopt the guiding sentence; adopting again keeps the earlier version (facilitator)."""
    with write(request, session, workshop):
        field = workshops.get_field(session=session, workshop=workshop, key=field_key)
        statements.adopt(session=session, workshop=workshop, facilitator=facilitator, field=field,
                         text=body.text)
    return _statement_out(session, workshop, field_key)
