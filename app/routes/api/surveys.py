"""Surveys: the list, a participant's answers, the results."""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app import (
    surveys,
)
from app.routes.api.common import _participant
from app.web.deps import (
    ContextDep,
    IdPath,
    SessionDep,
    WorkshopDep,
    write,
)

router = APIRouter()


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
    with write(request, session, workshop):
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
