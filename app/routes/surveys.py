"""Surveys: answering on the phone, live results and charts, the facilitator's editor, import."""

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app import charts, survey_import, surveys, word_cloud
from app.access import Facilitator
from app.errors import N_, DomainError, InvalidInput, NotFound
from app.live.events import latest_event_id
from app.live.views import SurveyView
from app.models import Participant, Survey, Workshop
from app.qr import qr_svg
from app.text import parse_number
from app.web.deps import (
    AfterId,
    ContextDep,
    FacilitatorDep,
    GettextDep,
    IdPath,
    LastEventId,
    ParticipantDep,
    SessionDep,
    WorkshopDep,
    load_workshop,
    write,
)
from app.web.render import refused, render
from app.web.sse import event_stream
from app.web.urls import join_url

router = APIRouter(tags=["surveys"])
KIND_LABELS = {"single": N_("Einfachauswahl"), "multiple": N_("Mehrfachauswahl"),
               "rating": N_("Bewertungsskala"), "ranking": N_("Rangfolge"),
               "text": N_("Freitext"), "number": N_("Zahl")}


def form_answers(form: FormData, questions: list[Any]) -> dict[int, Any]:
    """Answers from the phone form: q-ID (one value), q-ID[] (several), q-ID-rank-N (places)."""
    values: dict[int, Any] = {}
    for question in questions:
        key = f"q-{question.id}"
        if question.kind == "multiple":
            values[question.id] = [str(v) for v in form.getlist(key)]
        elif question.kind == "ranking":
            raw = [str(form.get(f"{key}-rank-{i}") or "") for i in range(len(question.options))]
            if any(raw):
                places = [parse_number(place, maximum=1000) for place in raw]
                if None in places or len(set(places)) != len(places):
                    raise InvalidInput("„{question}“: bitte jeden Platz genau einmal vergeben.",
                                       question=question.text)
                values[question.id] = [i for _, i in sorted(
                    (place or 0, i) for i, place in enumerate(places))]
        else:
            values[question.id] = form.get(key)
    return values


def _redisplay(questions: list[Any], values: dict[int, Any]) -> dict[int, Any]:
    """Form values in the stored shape, so that a form with an error shows them again."""
    shown: dict[int, Any] = {}
    for question in questions:
        value = values.get(question.id)
        if question.kind in ("single", "multiple"):
            items = value if isinstance(value, list) else [value]
            shown[question.id] = [n for v in items if (n := parse_number(v)) is not None]
        elif question.kind == "rating":
            shown[question.id] = parse_number(value, maximum=1000)
        else:
            shown[question.id] = value
    return shown


def _phone(request: Request, session: Session, workshop: Workshop, survey: Survey,
           participant: Participant, *, values: dict[int, Any] | None = None,
           message: str | None = None, error: str | None = None,
           status_code: int = 200, about: object = None) -> Response:
    questions = surveys.questions_of(session=session, survey=survey)
    # The question an error names (its text, as the message says it) is marked at its place.
    error_question = next((q.id for q in questions if about is not None and q.text == about),
                          None)
    return render(request, "surveys/phone.html", status_code=status_code, workshop=workshop,
                  survey=survey, questions=questions,
                  values=values if values is not None else surveys.my_answers(
                      session=session, survey=survey, participant=participant),
                  participant=participant, message=message, error=error,
                  error_question=error_question)


@router.get("/w/{slug}/surveys/{survey_id}/me")
def phone(survey_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
          participant: ParticipantDep, gettext: GettextDep,
          saved: Annotated[int, Query()] = 0) -> Response:
    """The survey on the phone; earlier answers are filled in."""
    survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
    return _phone(request, session, workshop, survey, participant,
                  message=gettext("Danke, Ihre Antworten sind gespeichert.") if saved else None)


@router.post("/w/{slug}/surveys/{survey_id}/me")
async def answer(survey_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
                 participant: ParticipantDep, gettext: GettextDep) -> Response:
    """Send (or change) one's answers."""
    form = await request.form()

    def save() -> Response:
        survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
        questions = surveys.questions_of(session=session, survey=survey)
        values: dict[int, Any] = {}
        try:
            with write(request, session, workshop):
                values = form_answers(form, questions)
                surveys.answer(session=session, workshop=workshop, participant=participant,
                               survey=survey, values=values)
        except DomainError as exc:
            return _phone(request, session, workshop, survey, participant,
                          values=_redisplay(questions, values),
                          error=refused(session, exc, gettext),
                          status_code=exc.status_code, about=exc.params.get("question"))
        return RedirectResponse(f"/w/{workshop.slug}/surveys/{survey.id}/me?saved=1",
                                status_code=303)

    return await run_in_threadpool(save)


def _results(session: Session, workshop: Workshop, survey: Survey,
             include_hidden: bool = False) -> dict[str, Any]:
    assert workshop.id is not None
    by_source = surveys.results(session=session, workshop=workshop, survey=survey,
                                include_hidden=include_hidden)
    clouds = {(source, r.question_id): word_cloud.cloud((text, 1) for _, text in r.texts)
              for source, results in by_source.items() for r in results
              if r.kind == "text" and not r.suppressed}
    return {"by_source": by_source, "clouds": clouds,
            "counts": {source: surveys.respondent_count(session=session, survey=survey,
                                                        source=source) for source in by_source},
            "version": latest_event_id(session, workshop_id=workshop.id)}


@router.get("/w/{slug}/survey/{survey_id}")
def projector(survey_id: IdPath, request: Request, workshop: WorkshopDep,
              session: SessionDep, context: ContextDep) -> Response:
    """Live results for the projector: a chart per question, per source."""
    survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
    url = join_url(context.settings.resolved_base_url, workshop.join_code,
                   f"umfrage/{survey.id}")
    return render(request, "surveys/projector.html", workshop=workshop, survey=survey,
                  join_url=url, qr=qr_svg(url), **_results(session, workshop, survey))


@router.get("/w/{slug}/survey/{survey_id}/results")
def results_fragment(survey_id: IdPath, request: Request, workshop: WorkshopDep,
                     session: SessionDep) -> Response:
    """The results alone, refetched when answers arrive."""
    survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
    return render(request, "surveys/_results.html", workshop=workshop, survey=survey,
                  **_results(session, workshop, survey))


@lru_cache(maxsize=256)
def _chart(kind: str, result_json: str) -> bytes | None:
    result = surveys.QuestionResult.model_validate_json(result_json)
    if kind == "png":
        return charts.png(result)
    svg = charts.svg(result)
    return svg.encode() if svg else None


@router.get("/w/{slug}/survey/{survey_id}/chart/{question_id}.{kind}")
def chart(survey_id: IdPath, question_id: IdPath, kind: str, workshop: WorkshopDep,
          session: SessionDep, source: Annotated[str, Query(max_length=120)] = "") -> Response:
    """One question's chart as SVG or PNG; identical results are drawn once (cached)."""
    if kind not in ("svg", "png"):
        raise InvalidInput("Nur SVG oder PNG.")
    survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
    by_source = surveys.results(session=session, workshop=workshop, survey=survey)
    result = next((r for r in by_source.get(source, []) if r.question_id == question_id), None)
    if result is None:
        raise NotFound("Diese Frage gibt es nicht (mehr).")
    body = _chart(kind, result.model_dump_json())
    if body is None:
        raise NotFound("Für diese Frage gibt es (noch) kein Diagramm.")
    media = "image/png" if kind == "png" else "image/svg+xml"
    return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})


def _editor(request: Request, session: Session, workshop: Workshop, *,
            message: str | None = None, error: str | None = None, status_code: int = 200,
            mapping: dict[str, Any] | None = None) -> Response:
    items = []
    for survey in surveys.surveys_of(session=session, workshop=workshop):
        results = surveys.results(session=session, workshop=workshop, survey=survey,
                                  include_hidden=True)
        items.append({"survey": survey,
                      "questions": surveys.questions_of(session=session, survey=survey),
                      "texts": [r for rs in results.values() for r in rs if r.kind == "text"],
                      "count": surveys.respondent_count(session=session, survey=survey)})
    return render(request, "surveys/editor.html", status_code=status_code, workshop=workshop,
                  items=items, kinds=KIND_LABELS, message=message, error=error,
                  mapping=mapping)


@router.get("/w/{slug}/surveys")
def editor(request: Request, workshop: WorkshopDep, session: SessionDep,
           facilitator: FacilitatorDep, gettext: GettextDep,
           done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The facilitator's surveys: open/close, questions, free-text moderation, import."""
    facilitator.require_whole_workshop()
    return _editor(request, session, workshop,
                   message=gettext("Gespeichert.") if done else None)


def _done(workshop: Workshop) -> Response:
    return RedirectResponse(f"/w/{workshop.slug}/surveys?done=1", status_code=303)


@router.post("/w/{slug}/surveys")
async def edit(request: Request, workshop: WorkshopDep, session: SessionDep,
               facilitator: FacilitatorDep, gettext: GettextDep) -> Response:
    """Create a survey, add or remove questions, open or close, hide free-text answers."""
    form = await request.form()
    return await run_in_threadpool(_edit, form, request, workshop, session, facilitator, gettext)


def _edit(form: FormData, request: Request, workshop: Workshop, session: Session,
          facilitator: Facilitator, gettext: GettextDep) -> Response:
    op, _, target = str(form.get("op") or "").partition(":")
    number = parse_number(target) or 0
    args: dict[str, Any] = {"session": session, "workshop": workshop, "facilitator": facilitator}
    try:
        with write(request, session, workshop):
            facilitator.require_whole_workshop()
            if op == "create":
                definition = surveys.SurveyDef(title=str(form.get("title") or "").strip() or "—",
                                               questions=[_question(form)])
                surveys.create_survey(session=session, workshop=workshop, definition=definition,
                                      position=len(surveys.surveys_of(session=session,
                                                                      workshop=workshop)))
            elif op in ("open", "close", "draft"):
                survey = surveys.get_survey(session=session, workshop=workshop, survey_id=number)
                surveys.set_status(**args, survey=survey,
                                   status={"close": "closed"}.get(op, op))
            elif op == "add":
                survey = surveys.get_survey(session=session, workshop=workshop, survey_id=number)
                surveys.add_question(**args, survey=survey, definition=_question(form))
            elif op == "remove":
                survey_id, _, question_id = target.partition("-")
                survey = surveys.get_survey(session=session, workshop=workshop,
                                            survey_id=parse_number(survey_id) or 0)
                surveys.remove_question(**args, survey=survey,
                                        question_id=parse_number(question_id) or 0)
            elif op in ("hide", "show"):
                survey_id, _, answer_id = target.partition("-")
                survey = surveys.get_survey(session=session, workshop=workshop,
                                            survey_id=parse_number(survey_id) or 0)
                surveys.hide_text_answer(**args, survey=survey,
                                         answer_id=parse_number(answer_id) or 0,
                                         hidden=op == "hide")
            else:
                raise InvalidInput("Unbekannte Aktion.")
    except DomainError as exc:
        return _editor(request, session, workshop, error=refused(session, exc, gettext),
                       status_code=exc.status_code)
    except ValueError as exc:  # the question form did not describe a valid question
        incomplete = InvalidInput("Die Frage ist unvollständig: {detail}", detail=_first_error(exc))
        return _editor(request, session, workshop, status_code=422,
                       error=refused(session, incomplete, gettext))
    return _done(workshop)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("ctx", {}).get("error") or first.get("msg"))
    return str(exc)


def _question(form: FormData) -> surveys.QuestionDef:
    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    options = [line.strip() for line in text("options").splitlines() if line.strip()]
    data: dict[str, Any] = {"kind": text("kind") or "single", "text": text("text"),
                            "required": form.get("required") == "on", "options": options,
                            "label_min": text("label_min"), "label_max": text("label_max")}
    for name in ("max_choices", "scale_min", "scale_max"):
        if text(name):
            data[name] = text(name)
    return surveys.QuestionDef.model_validate(data)


@router.post("/w/{slug}/surveys/{survey_id}/import")
def upload(survey_id: IdPath, request: Request, workshop: WorkshopDep, session: SessionDep,
           facilitator: FacilitatorDep, gettext: GettextDep,
           file: Annotated[UploadFile, File()], label: Annotated[str, Form()] = "") -> Response:
    """Step 1 of an import: read the file and propose which column answers which question."""
    try:  # only reads: the file is parsed without taking the database's turn
        facilitator.require_whole_workshop()
        survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
        text = survey_import.decode(file.file.read())
        table = survey_import.read_table(text)
    except DomainError as exc:
        return _editor(request, session, workshop, error=exc.render(gettext),
                       status_code=exc.status_code)
    questions = surveys.questions_of(session=session, survey=survey)
    return _editor(request, session, workshop, mapping={
        "survey": survey, "questions": questions, "headers": table.headers, "csv": text,
        "rows": len(table.rows), "label": label,
        "suggested": survey_import.suggest_mapping(questions, table.headers)})


@router.post("/w/{slug}/surveys/{survey_id}/import/confirm")
async def confirm_import(survey_id: IdPath, request: Request, workshop: WorkshopDep,
                         session: SessionDep, facilitator: FacilitatorDep,
                         gettext: GettextDep, context: ContextDep) -> Response:
    """Step 2: import with the chosen columns; one bad cell and nothing is imported."""
    # The file's text comes back as one form field (it may have grown in UTF-8).
    form = await request.form(max_part_size=2 * context.settings.max_upload_bytes)

    def run() -> Response:
        survey = surveys.get_survey(session=session, workshop=workshop, survey_id=survey_id)
        questions = surveys.questions_of(session=session, survey=survey)
        mapping = {q.id or 0: parse_number(form.get(f"map-{q.id}"), maximum=10_000)
                   for q in questions}
        text, label = str(form.get("csv") or ""), str(form.get("label") or "")
        try:  # the file is checked before the write, which only stores it
            checked = survey_import.check_responses(facilitator=facilitator, questions=questions,
                                                    data=text, mapping=mapping, label=label)
            with write(request, session, workshop):
                survey_import.store_responses(session=session, workshop=workshop, survey=survey,
                                              checked=checked)
        except DomainError as exc:
            table = survey_import.read_table(text) if text.strip() else None
            return _editor(request, session, workshop, error=refused(session, exc, gettext),
                           status_code=exc.status_code, mapping={
                               "survey": survey, "questions": questions,
                               "headers": table.headers if table else [], "csv": text,
                               "rows": len(table.rows) if table else 0, "label": label,
                               "suggested": mapping})
        return _done(workshop)

    return await run_in_threadpool(run)


@router.get("/w/{slug}/survey/{survey_id}/events")
async def projector_events(slug: str, survey_id: IdPath, context: ContextDep,
                           last_event_id: LastEventId = None,
                           after: AfterId = 0) -> EventSourceResponse:
    """Tells the projector that the survey's results changed."""
    workshop = await load_workshop(context, slug)
    return event_stream(context, workshop, last_event_id=last_event_id, after=after,
                        view=SurveyView(survey=survey_id))
