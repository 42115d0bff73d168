"""What facilitators do: moderation and its undo, bulk entry, phase and timer."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app import (
    bulk,
    duplicates,
    moderation,
    phases,
)
from app import (
    undo as undoing,
)
from app.errors import InvalidInput
from app.live.events import TimerState
from app.models import ModerationAction
from app.routes.api.common import Id
from app.web.deps import (
    FacilitatorDep,
    SessionDep,
    WorkshopDep,
    moderated_field,
    write,
)

router = APIRouter()


class ModerationIn(BaseModel):
    action: Literal["hide", "unhide", "approve", "pin", "unpin", "up", "down", "edit", "move",
                    "merge", "unmerge"]
    card_ids: list[Id] = Field(min_length=1, max_length=moderation.MERGE_MAX)
    text: str | None = None
    field: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=40)


class ModerationOut(BaseModel):
    action_id: int | None
    kind: str | None
    created: list[int] = []


def _action_out(action: ModerationAction | None) -> ModerationOut:
    if action is None:
        return ModerationOut(action_id=None, kind=None)
    return ModerationOut(action_id=action.id, kind=action.kind, created=action.created)


@router.post("/workshops/{slug}/moderation", response_model=ModerationOut)
def moderate(request: Request, body: ModerationIn, workshop: WorkshopDep,
             facilitator: FacilitatorDep,
             session: SessionDep) -> ModerationOut:
    """Hide, show, approve, pin, reorder, edit, move, merge or split cards (facilitator)."""
    with write(request, session, workshop):
        return _action_out(moderation.apply(
            session=session, workshop=workshop, facilitator=facilitator, action=body.action,
            card_ids=body.card_ids, text=body.text, field=body.field, category=body.category))


@router.post("/workshops/{slug}/moderation/undo", response_model=ModerationOut)
def undo(request: Request, workshop: WorkshopDep, facilitator: FacilitatorDep,
         session: SessionDep) -> ModerationOut:
    """Take back this facilitator's last moderation action."""
    with write(request, session, workshop):
        return _action_out(undoing.undo(session=session, workshop=workshop,
                                        facilitator=facilitator))


class DuplicatesOut(BaseModel):
    groups: list[list[int]] = Field(description="Card ids that likely say the same thing, the "
                                    "surest group first; a group's first card is in the column "
                                    "most of them are in (where a merge puts the merged card).")


class DismissIn(BaseModel):
    card_ids: list[Id] = Field(min_length=2, max_length=moderation.MERGE_MAX)


def _duplicates_out(session: SessionDep, workshop: WorkshopDep, field_key: str,
                    facilitator: FacilitatorDep) -> DuplicatesOut:
    field = moderation.group_of(session, moderated_field(session, workshop, facilitator,
                                                         field_key).id or 0)
    return DuplicatesOut(groups=[s.ids for s in duplicates.suggestions(
        session=session, workshop=workshop, field=field)])


@router.get("/workshops/{slug}/fields/{field_key}/duplicates", response_model=DuplicatesOut)
def duplicate_suggestions(field_key: str, workshop: WorkshopDep, facilitator: FacilitatorDep,
                          session: SessionDep) -> DuplicatesOut:
    """Groups of the field's shown cards that likely say the same thing, also across rounds and
    columns (facilitator). Nothing is merged: merge a group with the moderation action "merge"
    or dismiss it."""
    return _duplicates_out(session, workshop, field_key, facilitator)


@router.post("/workshops/{slug}/fields/{field_key}/duplicates/dismiss",
             response_model=DuplicatesOut)
def dismiss_duplicates(request: Request, field_key: str, body: DismissIn, workshop: WorkshopDep,
                       facilitator: FacilitatorDep, session: SessionDep) -> DuplicatesOut:
    """These cards are no duplicates of each other: they are not suggested together again
    (facilitator). Answers with the suggestions that remain."""
    with write(request, session, workshop):
        field = moderation.group_of(session, moderated_field(session, workshop, facilitator,
                                                             field_key).id or 0)
        duplicates.dismiss(session=session, workshop=workshop, facilitator=facilitator,
                           field=field, card_ids=body.card_ids)
    return _duplicates_out(session, workshop, field_key, facilitator)


class BulkIn(BaseModel):
    field: str = Field(max_length=40)
    text: str
    preview: bool = False


class BulkOut(BaseModel):
    cards: list[dict[str, object]]
    errors: list[dict[str, object]]
    created: list[int] = []


@router.post("/workshops/{slug}/bulk", response_model=BulkOut)
def bulk_entry(request: Request, body: BulkIn, workshop: WorkshopDep, facilitator: FacilitatorDep,
               session: SessionDep) -> BulkOut:
    """Cards typed in from paper, one per line; `preview` only parses (facilitator)."""
    parsed = bulk.preview(session=session, workshop=workshop, text=body.text)
    out = BulkOut(cards=[{"line": i.line, "category": i.category, "text": i.text}
                         for i in parsed.items],
                  errors=[{"line": e.line, "message": e.render()} for e in parsed.errors])
    if body.preview:  # only parses: no turn of the database taken
        return out
    with write(request, session, workshop):
        action = bulk.create_cards(session=session, workshop=workshop, facilitator=facilitator,
                                   field_key=body.field, text=body.text)
    out.created = action.created
    return out


class PhaseIn(BaseModel):
    phase: Literal["plenary", "working", "closing"] | None = None
    round: int | None = None


class PhaseOut(BaseModel):
    phase: str
    round: int
    rounds: int


@router.put("/workshops/{slug}/phase", response_model=PhaseOut)
def set_phase(request: Request, body: PhaseIn, workshop: WorkshopDep, facilitator: FacilitatorDep,
              session: SessionDep) -> PhaseOut:
    """Switch the phase and/or the round (facilitator)."""
    if body.round is not None and not 1 <= body.round <= workshop.rounds:
        # Refused before anything is written: the phase does not change either.
        raise InvalidInput("Runde {round} gibt es nicht; dieser Workshop hat {rounds} Runden.",
                           round=body.round, rounds=workshop.rounds)
    with write(request, session, workshop):
        if body.phase is not None:
            phases.set_phase(session=session, workshop=workshop, facilitator=facilitator,
                             phase=body.phase)
        if body.round is not None:
            phases.set_round(session=session, workshop=workshop, facilitator=facilitator,
                             round_number=body.round)
        return PhaseOut(phase=workshop.phase, round=workshop.current_round, rounds=workshop.rounds)


class TimerIn(BaseModel):
    action: Literal["start", "pause", "resume", "extend", "stop"]
    minutes: float | None = None


@router.put("/workshops/{slug}/timer", response_model=TimerState)
def set_timer(request: Request, body: TimerIn, workshop: WorkshopDep, facilitator: FacilitatorDep,
              session: SessionDep) -> TimerState:
    """Start, pause, resume, extend or stop the countdown (facilitator)."""
    with write(request, session, workshop):
        if body.action in ("start", "extend") and body.minutes is None:
            raise InvalidInput("Bitte eine Dauer in Minuten angeben, z. B. 15.")
        if body.action == "start":
            return phases.start_timer(session=session, workshop=workshop, facilitator=facilitator,
                                      minutes=body.minutes or 0)
        if body.action == "extend":
            return phases.extend_timer(session=session, workshop=workshop, facilitator=facilitator,
                                       minutes=body.minutes or 0)
        if body.action == "pause":
            return phases.pause_timer(session=session, workshop=workshop, facilitator=facilitator)
        if body.action == "resume":
            return phases.resume_timer(session=session, workshop=workshop, facilitator=facilitator)
        return phases.stop_timer(session=session, workshop=workshop, facilitator=facilitator)
