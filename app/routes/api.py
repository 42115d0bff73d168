"""JSON API under /api/v1: join, workshop structure, cards, posting state and the event stream."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from app import (
    bulk,
    cards,
    facilitation,
    moderation,
    participants,
    phases,
    plenary,
    public,
    statements,
    surveys,
    workshops,
)
from app.deps import (
    AfterId,
    ContextDep,
    IdPath,
    LastEventId,
    ModeratorDep,
    SessionDep,
    WorkshopDep,
    client_address,
    event_stream,
    load_workshop,
    moderator_check,
    moderator_of,
    participant_of,
)
from app.errors import InvalidInput, NotSignedIn
from app.events import CardSnapshot, PlenaryColumn, RemarkSnapshot, TimerState
from app.live import ApiView
from app.models import Field as FieldModel
from app.models import ModerationAction, Participant, StatementProposal, Workshop
from app.public import OwnCard, PublicCard, PublicStatement
from app.text import MAX_ID

router = APIRouter(prefix="/api/v1", tags=["api"])
Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # a number no table can hold is refused (422)


class JoinIn(BaseModel):
    code: str = Field(max_length=40)
    name: str | None = None


class JoinOut(BaseModel):
    participant_token: str
    workshop: str


class ThemeOut(BaseModel):
    text: str
    kind: str


class FieldOut(BaseModel):
    key: str
    number: str
    title: str
    topics: str
    themes: list[ThemeOut]
    subfields: list["FieldOut"] = []


class CategoryOut(BaseModel):
    key: str
    label: str


class WorkshopOut(BaseModel):
    slug: str
    title: str
    region: str
    statement_stem: str
    posting_open: bool
    categories: list[CategoryOut]
    fields: list[FieldOut]


class CardIn(BaseModel):
    field: str = Field(max_length=40)
    category: str = Field(max_length=40)
    text: str  # bounded by the body limit; the service explains the 500-character limit
    client_id: str | None = Field(default=None, max_length=64)


class CardEditIn(BaseModel):
    text: str
    category: str | None = Field(default=None, max_length=40)


class PostingIn(BaseModel):
    open: bool


class PostingOut(BaseModel):
    posting_open: bool


@router.post("/join", response_model=JoinOut, status_code=201,
             responses={200: {"description": "Sent with this workshop's participant token: "
                                             "that participant again."}})
def join(body: JoinIn, request: Request, session: SessionDep, context: ContextDep) -> Response:
    """Join a workshop by its code; the token authorizes the participant's later calls.

    A client that joins again with its token keeps its participant (and its limits).
    """
    workshop = workshops.workshop_by_code(session=session, code=body.code)
    participant = participant_of(request, context, session, workshop)
    status = 200
    if participant is None:
        assert workshop.id is not None
        context.limits.join(workshop.id, client_address(request), online=workshop.open_online)
        participant = participants.join(session=session, workshop=workshop,
                                        display_name=body.name or "")
        status = 201
    out = JoinOut(participant_token=context.tokens.participant_token(participant.public_id),
                  workshop=workshop.slug)
    return Response(out.model_dump_json(), status_code=status, media_type="application/json")


@router.get("/workshops/{slug}", response_model=WorkshopOut)
def workshop_structure(workshop: WorkshopDep, session: SessionDep) -> WorkshopOut:
    """Fields with their sub-fields and themes, and the card categories."""
    fields = workshops.fields_of(session=session, workshop=workshop)
    themes = workshops.themes_by_field(session=session, workshop=workshop)

    def out(field_id: int | None) -> list[FieldOut]:
        return [
            FieldOut(key=f.key, number=f.number, title=f.title, topics=f.topics,
                     themes=[ThemeOut(text=t.text, kind=t.kind) for t in themes.get(f.id or 0, [])],
                     subfields=out(f.id))
            for f in fields if f.parent_id == field_id
        ]

    categories = workshops.categories_of(session=session, workshop=workshop)
    return WorkshopOut(
        slug=workshop.slug, title=workshop.title, region=workshop.region,
        statement_stem=statements.stem(workshop, None),
        posting_open=workshop.posting_open,
        categories=[CategoryOut(key=c.key, label=c.label) for c in categories],
        fields=out(None),
    )


def _author(request: Request, context: ContextDep, session: Session, workshop: Workshop
            ) -> Participant:
    participant = participant_of(request, context, session, workshop)
    if participant is not None:
        return participant
    if moderator_of(request, context, session, workshop) is not None:
        return participants.facilitator_participant(session=session, workshop=workshop)
    raise NotSignedIn("Bitte treten Sie dem Workshop bei (POST /api/v1/join) und senden Sie "
                      "das Token als „Authorization: Bearer …“.")


@router.post("/workshops/{slug}/cards", response_model=OwnCard, status_code=201,
             responses={200: {"description": "The same client_id was sent before: that card."}})
async def post_card(slug: str, body: CardIn, request: Request, context: ContextDep) -> Response:
    """Post a card; a repeated client_id returns the first card instead of a duplicate."""

    # The busiest route does all its database work in one go on one worker thread, and on
    # SQLite in one transaction with the posts that arrive meanwhile (one fsync for them all).
    def post(session: Session) -> tuple[CardSnapshot, bool]:
        workshop = workshops.get_workshop(session=session, slug=slug, lock=False)
        author = _author(request, context, session, workshop)
        return cards.post_card(session=session, workshop=workshop, participant=author,
                               field=body.field, category=body.category, text=body.text,
                               client_id=body.client_id, rate_limit=context.limits.card,
                               commit=False)

    card, created = await run_in_threadpool(context.db.commit_together, post)
    # It answers with its JSON directly: FastAPI would otherwise validate the model it was
    # just given once more, on a worker thread of its own.
    return Response(public.own_card(card).model_dump_json(),
                    status_code=201 if created else 200, media_type="application/json")


@router.get("/workshops/{slug}/cards", response_model=list[PublicCard])
def list_cards(workshop: WorkshopDep, session: SessionDep,
               field: Annotated[str | None, Query(max_length=40)] = None) -> list[PublicCard]:
    """Visible cards, optionally of one field."""
    if field is not None:
        workshops.get_field(session=session, workshop=workshop, key=field)
    return [public.public_card(card)
            for card in cards.list_cards(session=session, workshop=workshop, field=field)]


@router.patch("/workshops/{slug}/cards/{card_id}", response_model=OwnCard)
def edit_card(card_id: IdPath, body: CardEditIn, request: Request, workshop: WorkshopDep,
              session: SessionDep, context: ContextDep) -> OwnCard:
    """Change the text or column of one's own card."""
    author = _author(request, context, session, workshop)
    return public.own_card(cards.edit_card(session=session, workshop=workshop,
                                           participant=author, card_id=card_id,
                                           text=body.text, category=body.category))


@router.delete("/workshops/{slug}/cards/{card_id}", status_code=204)
def delete_card(card_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
                context: ContextDep) -> Response:
    """Delete one's own card."""
    author = _author(request, context, session, workshop)
    cards.delete_card(session=session, workshop=workshop, participant=author, card_id=card_id)
    return Response(status_code=204)


@router.put("/workshops/{slug}/posting", response_model=PostingOut)
def set_posting(body: PostingIn, workshop: WorkshopDep, moderator: ModeratorDep,
                session: SessionDep) -> PostingOut:
    """Open or close posting for the whole workshop (facilitator token)."""
    facilitation.set_posting_open(session=session, workshop=workshop, posting_open=body.open,
                                  moderator=moderator)
    return PostingOut(posting_open=workshop.posting_open)


@router.put("/workshops/{slug}/fields/{field_key}/posting", response_model=PostingOut)
def set_field_posting(field_key: str, body: PostingIn, workshop: WorkshopDep,
                      moderator: ModeratorDep, session: SessionDep) -> PostingOut:
    """Open or close posting for one field (facilitator token)."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    facilitation.set_field_posting_open(session=session, workshop=workshop, field=field,
                                        posting_open=body.open, moderator=moderator)
    return PostingOut(posting_open=field.posting_open)


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
def moderate(body: ModerationIn, workshop: WorkshopDep, moderator: ModeratorDep,
             session: SessionDep) -> ModerationOut:
    """Hide, show, approve, pin, reorder, edit, move, merge or split cards (facilitator)."""
    return _action_out(moderation.apply(
        session=session, workshop=workshop, moderator=moderator, action=body.action,
        card_ids=body.card_ids, text=body.text, field=body.field, category=body.category))


@router.post("/workshops/{slug}/moderation/undo", response_model=ModerationOut)
def undo(workshop: WorkshopDep, moderator: ModeratorDep, session: SessionDep) -> ModerationOut:
    """Take back this facilitator's last moderation action."""
    return _action_out(moderation.undo(session=session, workshop=workshop, moderator=moderator))


class BulkIn(BaseModel):
    field: str = Field(max_length=40)
    text: str
    preview: bool = False


class BulkOut(BaseModel):
    cards: list[dict[str, object]]
    errors: list[dict[str, object]]
    created: list[int] = []


@router.post("/workshops/{slug}/bulk", response_model=BulkOut)
def bulk_entry(body: BulkIn, workshop: WorkshopDep, moderator: ModeratorDep,
               session: SessionDep) -> BulkOut:
    """Cards typed in from paper, one per line; `preview` only parses (facilitator)."""
    parsed = bulk.preview(session=session, workshop=workshop, text=body.text)
    out = BulkOut(cards=[{"line": i.line, "category": i.category, "text": i.text}
                         for i in parsed.items],
                  errors=[{"line": e.line, "message": e.render()} for e in parsed.errors])
    if body.preview:
        return out
    action = bulk.create_cards(session=session, workshop=workshop, moderator=moderator,
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
def set_phase(body: PhaseIn, workshop: WorkshopDep, moderator: ModeratorDep,
              session: SessionDep) -> PhaseOut:
    """Switch the phase and/or the round (facilitator)."""
    if body.phase is not None:
        phases.set_phase(session=session, workshop=workshop, moderator=moderator,
                         phase=body.phase)
    if body.round is not None:
        phases.set_round(session=session, workshop=workshop, moderator=moderator,
                         round_number=body.round)
    return PhaseOut(phase=workshop.phase, round=workshop.current_round, rounds=workshop.rounds)


class TimerIn(BaseModel):
    action: Literal["start", "pause", "resume", "extend", "stop"]
    minutes: float | None = None


@router.put("/workshops/{slug}/timer", response_model=TimerState)
def set_timer(body: TimerIn, workshop: WorkshopDep, moderator: ModeratorDep,
              session: SessionDep) -> TimerState:
    """Start, pause, resume, extend or stop the countdown (facilitator)."""
    if body.action in ("start", "extend") and body.minutes is None:
        raise InvalidInput("Bitte eine Dauer in Minuten angeben, z. B. 15.")
    if body.action == "start":
        return phases.start_timer(session=session, workshop=workshop, moderator=moderator,
                                  minutes=body.minutes or 0)
    if body.action == "extend":
        return phases.extend_timer(session=session, workshop=workshop, moderator=moderator,
                                   minutes=body.minutes or 0)
    if body.action == "pause":
        return phases.pause_timer(session=session, workshop=workshop, moderator=moderator)
    if body.action == "resume":
        return phases.resume_timer(session=session, workshop=workshop, moderator=moderator)
    return phases.stop_timer(session=session, workshop=workshop, moderator=moderator)


@router.get("/workshops/{slug}/events", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def events(slug: str, request: Request, context: ContextDep,
                 last_event_id: LastEventId = None,
                 after: AfterId = 0) -> EventSourceResponse:
    """Server-sent events as JSON, each as much as the caller may see (a facilitator token:
    also pending and hidden cards). A client that missed anything (`after`, Last-Event-ID)
    first gets one `state` event with the workshop as it is now."""
    workshop = await load_workshop(context, slug)

    def audience() -> public.Audience:
        with context.db.session() as session:
            moderator = moderator_of(request, context, session, workshop)
            if moderator is None:
                return public.Audience()
            field = session.get(FieldModel, moderator.field_id) if moderator.field_id else None
            return public.Audience(facilitator=True, field=field.key if field else None)

    seen_as = await run_in_threadpool(audience)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=ApiView(audience=seen_as),
                        still_allowed=moderator_check(request, context, workshop)
                        if seen_as.facilitator else None)


def _participant(request: Request, context: ContextDep, session: Session,
                 workshop: Workshop) -> Participant:
    participant = participant_of(request, context, session, workshop)
    if participant is None:
        raise NotSignedIn("Bitte treten Sie dem Workshop bei (POST /api/v1/join) und senden Sie "
                          "das Token als „Authorization: Bearer …“.")
    return participant


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


@router.post("/workshops/{slug}/plenary/dots", response_model=plenary.DotAllowance)
def plenary_dot(body: DotIn, request: Request, workshop: WorkshopDep, session: SessionDep,
                context: ContextDep) -> plenary.DotAllowance:
    """Place (or with `remove` take back) one importance dot (participant token)."""
    participant = _participant(request, context, session, workshop)
    if body.remove:
        return plenary.remove_dot(session=session, workshop=workshop, participant=participant,
                                  theme_id=body.theme, rate_limit=context.limits.vote)
    return plenary.place_dot(session=session, workshop=workshop, participant=participant,
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
    participant = _participant(request, context, session, workshop)
    if body.theme is not None:
        proposal = plenary.propose_move(session=session, workshop=workshop,
                                        participant=participant, theme_id=body.theme,
                                        field=body.field, rate_limit=context.limits.contribution)
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
    participant = _participant(request, context, session, workshop)
    remark = plenary.add_remark(session=session, workshop=workshop, participant=participant,
                                text=body.text, rate_limit=context.limits.contribution)
    return RemarkSnapshot(id=remark.id or 0, text=remark.text)


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
    participant = _participant(request, context, session, workshop)
    statements.propose(session=session, workshop=workshop, participant=participant,
                       field=field_key, text=body.text, rate_limit=context.limits.contribution)
    return _statement_out(session, workshop, field_key, participant)


@router.post("/workshops/{slug}/statement-proposals/{proposal_id}/support",
             response_model=PublicStatement)
def statement_support(proposal_id: IdPath, request: Request, workshop: WorkshopDep,
                      session: SessionDep, context: ContextDep) -> PublicStatement:
    """Support a proposal once (participant token)."""
    participant = _participant(request, context, session, workshop)
    statements.support(session=session, workshop=workshop, participant=participant,
                       proposal_id=proposal_id, rate_limit=context.limits.vote)
    return _statement_out(session, workshop, _proposal_field(session, proposal_id), participant)


@router.delete("/workshops/{slug}/statement-proposals/{proposal_id}/support",
               response_model=PublicStatement)
def statement_withdraw(proposal_id: IdPath, request: Request, workshop: WorkshopDep,
                       session: SessionDep, context: ContextDep) -> PublicStatement:
    """Take one's support back (participant token)."""
    participant = _participant(request, context, session, workshop)
    statements.withdraw(session=session, workshop=workshop, participant=participant,
                        proposal_id=proposal_id, rate_limit=context.limits.vote)
    return _statement_out(session, workshop, _proposal_field(session, proposal_id), participant)


def _proposal_field(session: Session, proposal_id: int) -> str:
    proposal = session.get(StatementProposal, proposal_id)
    field = session.get(FieldModel, proposal.field_id) if proposal else None
    assert field is not None
    return field.key


class StatementTextIn(BaseModel):
    text: str


@router.put("/workshops/{slug}/fields/{field_key}/statement/draft",
            response_model=PublicStatement)
def statement_draft(field_key: str, body: StatementTextIn, workshop: WorkshopDep,
                    moderator: ModeratorDep, session: SessionDep) -> PublicStatement:
    """Set the draft the board shows while it is shaped (facilitator)."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    statements.set_draft(session=session, workshop=workshop, moderator=moderator, field=field,
                         text=body.text)
    return _statement_out(session, workshop, field_key)


@router.post("/workshops/{slug}/fields/{field_key}/statement/adopt",
             response_model=PublicStatement)
def statement_adopt(field_key: str, body: StatementTextIn, workshop: WorkshopDep,
                    moderator: ModeratorDep, session: SessionDep) -> PublicStatement:
    """Adopt the guiding sentence; adopting again keeps the earlier version (facilitator)."""
    field = workshops.get_field(session=session, workshop=workshop, key=field_key)
    statements.adopt(session=session, workshop=workshop, moderator=moderator, field=field,
                     text=body.text)
    return _statement_out(session, workshop, field_key)


class SurveyAnswersIn(BaseModel):
    answers: dict[int, Any]


class SurveyResultsOut(BaseModel):
    survey: int
    title: str
    status: str
    respondents: dict[str, int]
    results: dict[str, list[surveys.QuestionResult]]


@router.post("/workshops/{slug}/surveys/{survey_id}/responses", status_code=201)
def survey_answer(survey_id: IdPath, body: SurveyAnswersIn, request: Request,
                  workshop: WorkshopDep, session: SessionDep,
                  context: ContextDep) -> dict[str, int]:
    """Answer (or re-answer) a survey: question id → value (participant token)."""
    participant = _participant(request, context, session, workshop)
    survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
    response = surveys.answer(session=session, workshop=workshop, participant=participant,
                              survey=survey, values=body.answers)
    return {"response": response.id or 0}


@router.get("/workshops/{slug}/surveys/{survey_id}/results", response_model=SurveyResultsOut)
def survey_results(survey_id: IdPath, workshop: WorkshopDep, session: SessionDep
                   ) -> SurveyResultsOut:
    """Results per source ("" = live) with the small-number protection applied."""
    survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
    by_source = surveys.results(session=session, workshop=workshop, survey=survey)
    return SurveyResultsOut(
        survey=survey.id or 0, title=survey.title, status=survey.status, results=by_source,
        respondents={s: surveys.respondent_count(session=session, survey=survey, source=s)
                     for s in by_source})


class QuestionOut(BaseModel):
    id: int
    kind: str
    text: str
    required: bool
    options: list[str]
    max_choices: int | None
    scale_min: int
    scale_max: int


class SurveyOut(BaseModel):
    id: int
    title: str
    status: str
    questions: list[QuestionOut]


@router.get("/workshops/{slug}/surveys", response_model=list[SurveyOut])
def survey_list(workshop: WorkshopDep, session: SessionDep) -> list[SurveyOut]:
    """The workshop's surveys with their questions."""
    return [SurveyOut(id=s.id or 0, title=s.title, status=s.status, questions=[
        QuestionOut.model_validate(q, from_attributes=True)
        for q in surveys.questions_of(session=session, survey=s)])
        for s in surveys.surveys_of(session=session, workshop=workshop)]


@router.get("/ping")
def ping() -> dict[str, bool]:
    """A minimal endpoint of the same stack (the load benchmark's ceiling)."""
    return {"ok": True}
