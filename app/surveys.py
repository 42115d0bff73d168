"""Surveys (Umfragen): questions of six kinds, answers from phones, results by source.

Answers are stored as plain values: option indexes for choices and rankings (the ranking in
order, first place first), a number for ratings and numbers, a string for free text.
"""

import statistics
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as Constraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.access import Facilitator
from app.db.unit import savepoint
from app.errors import Conflict, InvalidInput, NotFound
from app.live.events import SurveyChanged, SurveyOffer, record
from app.models import Answer, Participant, Question, Survey, SurveyResponse, Workshop, utcnow
from app.text import clean_strings, clean_text, parse_number

Kind = Literal["single", "multiple", "rating", "ranking", "text", "number"]
KINDS: tuple[str, ...] = ("single", "multiple", "rating", "ranking", "text", "number")
TEXT_MAX = 500
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class QuestionDef(BaseModel):
    """A question as written in a workshop file or the survey editor."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _cleaned(cls, data: Any) -> Any:
        return clean_strings(data)

    kind: Kind
    text: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    required: bool = False
    options: list[Line] = []
    max_choices: Annotated[int, Constraint(ge=1, le=50)] | None = None
    scale_min: Annotated[int, Constraint(ge=0, le=10)] = 1
    scale_max: Annotated[int, Constraint(ge=1, le=10)] = 5
    label_min: Annotated[str, StringConstraints(max_length=60)] = ""
    label_max: Annotated[str, StringConstraints(max_length=60)] = ""

    @model_validator(mode="after")
    def _consistent(self) -> "QuestionDef":
        if self.kind in ("single", "multiple", "ranking") and len(self.options) < 2:
            raise ValueError("options: mindestens zwei Antwortmöglichkeiten sind nötig")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options: jede Antwortmöglichkeit nur einmal")
        if self.kind == "rating" and self.scale_min >= self.scale_max:
            raise ValueError("scale_max: muss größer als scale_min sein")
        return self


class SurveyDef(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _cleaned(cls, data: Any) -> Any:
        return clean_strings(data)

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    questions: list[QuestionDef] = Constraint(min_length=1)


def create_survey(*, session: Session, workshop: Workshop, definition: SurveyDef,
                  position: int = 0) -> Survey:
    """A new survey of the workshop (the facilitator's editor)."""
    survey = add_survey(session=session, workshop=workshop, definition=definition,
                        position=position)
    return survey


def add_survey(*, session: Session, workshop: Workshop, definition: SurveyDef,
               position: int = 0) -> Survey:
    """A survey as part of a larger change (a workshop created from its file): not committed."""
    assert workshop.id is not None
    survey = Survey(workshop_id=workshop.id, title=definition.title, position=position)
    session.add(survey)
    session.flush()
    for index, question in enumerate(definition.questions):
        _add_question(session, survey, question, index)
    return survey


def _add_question(session: Session, survey: Survey, definition: QuestionDef,
                  position: int) -> Question:
    assert survey.id is not None
    question = Question(survey_id=survey.id, position=position, **definition.model_dump())
    session.add(question)
    return question


def surveys_of(*, session: Session, workshop: Workshop) -> list[Survey]:
    return list(session.exec(select(Survey).where(Survey.workshop_id == workshop.id)
                             .order_by(col(Survey.position), col(Survey.id))))


def find_survey(*, session: Session, workshop: Workshop, survey_id: int) -> Survey | None:
    survey = session.get(Survey, survey_id)
    return survey if survey is not None and survey.workshop_id == workshop.id else None


def get_survey(*, session: Session, workshop: Workshop, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None or survey.workshop_id != workshop.id:
        raise NotFound("Diese Umfrage gibt es nicht (mehr).")
    return survey


def questions_of(*, session: Session, survey: Survey) -> list[Question]:
    return list(session.exec(select(Question).where(Question.survey_id == survey.id)
                             .order_by(col(Question.position), col(Question.id))))


def open_surveys(*, session: Session, workshop: Workshop) -> list[Survey]:
    return [s for s in surveys_of(session=session, workshop=workshop) if s.status == "open"]


def add_question(*, session: Session, workshop: Workshop, facilitator: Facilitator, survey: Survey,
                 definition: QuestionDef) -> Question:
    """The facilitator adds a question (not once answers have come in)."""
    facilitator.require_whole_workshop()
    if _has_responses(session, survey):
        raise Conflict("Diese Umfrage hat schon Antworten; Fragen lassen sich nicht mehr ändern.")
    question = _add_question(session, survey, definition,
                             len(questions_of(session=session, survey=survey)))
    return question


def remove_question(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                    survey: Survey, question_id: int) -> None:
    facilitator.require_whole_workshop()
    if _has_responses(session, survey):
        raise Conflict("Diese Umfrage hat schon Antworten; Fragen lassen sich nicht mehr ändern.")
    question = session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        raise NotFound("Diese Frage gibt es nicht (mehr).")
    session.delete(question)


def _has_responses(session: Session, survey: Survey) -> bool:
    return session.exec(select(SurveyResponse.id).where(
        SurveyResponse.survey_id == survey.id)).first() is not None


def set_status(*, session: Session, workshop: Workshop, facilitator: Facilitator, survey: Survey,
               status: str) -> Survey:
    """Open or close a survey (closed: answers kept, no new ones)."""
    facilitator.require_whole_workshop()
    if status not in ("draft", "open", "closed"):
        raise InvalidInput("Unbekannter Status.")
    if status == "open" and not questions_of(session=session, survey=survey):
        raise InvalidInput("Eine Umfrage ohne Fragen lässt sich nicht öffnen.")
    survey.status = status
    session.add(survey)
    record_change(session, workshop, survey, opened_or_closed=True)
    return survey


def offers(*, session: Session, workshop: Workshop) -> list[SurveyOffer]:
    """The open surveys, for phones to offer."""
    return [SurveyOffer(id=s.id or 0, title=s.title)
            for s in open_surveys(session=session, workshop=workshop)]


def record_change(session: Session, workshop: Workshop, survey: Survey, *,
                  opened_or_closed: bool = False) -> None:
    assert workshop.id is not None and survey.id is not None
    session.flush()
    record(session, SurveyChanged(
        workshop_id=workshop.id, survey=survey.id, status=survey.status,
        offers=offers(session=session, workshop=workshop) if opened_or_closed else None))


def parse_value(question: Question, raw: Any, *, enforce_required: bool = True) -> Any:
    """One answer checked against its question; None when it was left empty."""
    if raw is None or raw == "" or raw == []:
        if question.required and enforce_required:
            raise InvalidInput("„{question}“ braucht eine Antwort.", question=question.text)
        return None
    if question.kind == "single":
        return [_option(question, raw)]
    if question.kind == "multiple":
        values = raw if isinstance(raw, list) else [raw]
        chosen = sorted({_option(question, v) for v in values})
        if question.max_choices and len(chosen) > question.max_choices:
            raise InvalidInput("„{question}“: höchstens {max} Antworten wählen.",
                               question=question.text, max=question.max_choices)
        return chosen
    if question.kind == "ranking":
        order = [_option(question, v) for v in (raw if isinstance(raw, list) else [raw])]
        if sorted(order) != list(range(len(question.options))):
            raise InvalidInput("„{question}“: bitte jeden Platz genau einmal vergeben.",
                               question=question.text)
        return order
    if question.kind == "rating":
        value = _number(question, raw)
        if value != int(value) or not question.scale_min <= value <= question.scale_max:
            raise InvalidInput("„{question}“: bitte eine Zahl von {min} bis {max}.",
                               question=question.text, min=question.scale_min,
                               max=question.scale_max)
        return int(value)
    if question.kind == "number":
        return _number(question, raw)
    text = clean_text(str(raw))
    if len(text) > TEXT_MAX:
        raise InvalidInput("„{question}“: höchstens {max} Zeichen.", question=question.text,
                           max=TEXT_MAX)
    return text or None


def _option(question: Question, raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < len(question.options):
        return raw
    text = str(raw).strip()
    index = parse_number(text, maximum=len(question.options) - 1)
    if index is not None:
        return index
    for index, option in enumerate(question.options):
        if option.casefold() == text.casefold():
            return index
    raise InvalidInput("„{question}“: „{value}“ ist keine der Antwortmöglichkeiten.",
                       question=question.text, value=text[:60])


def _number(question: Question, raw: Any) -> float:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError as exc:
        raise InvalidInput("„{question}“: „{value}“ ist keine Zahl.", question=question.text,
                           value=str(raw)[:30]) from exc
    if not abs(value) < 1e9:
        raise InvalidInput("„{question}“: die Zahl ist zu groß.", question=question.text)
    return value


def answer(*, session: Session, workshop: Workshop, participant: Participant, survey: Survey,
           values: dict[int, Any]) -> SurveyResponse:
    """Store a participant's answers; answering again replaces them while the survey is open."""
    if survey.status != "open":
        raise Conflict("Diese Umfrage ist gerade nicht offen.")
    questions = {q.id or 0: q for q in questions_of(session=session, survey=survey)}
    unknown = set(values) - set(questions)
    if unknown:
        raise InvalidInput("Diese Frage gibt es in der Umfrage nicht: {id}.", id=min(unknown))
    parsed = {qid: parse_value(q, values.get(qid)) for qid, q in questions.items()}
    assert survey.id is not None and participant.id is not None and workshop.id is not None
    response = session.exec(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.participant_id == participant.id)).first()
    if response is None:
        response = SurveyResponse(survey_id=survey.id, participant_id=participant.id)
        try:
            with savepoint(session):
                session.add(response)
                session.flush()
        except IntegrityError as exc:  # a second tap raced in; the first one stands
            raise Conflict("Ihre Antworten kamen doppelt an; bitte noch einmal senden.") from exc
    else:
        for old in session.exec(select(Answer).where(Answer.response_id == response.id)):
            session.delete(old)
    assert response.id is not None
    for qid, value in parsed.items():
        if value is not None and qid is not None:
            session.add(Answer(response_id=response.id, question_id=qid, value=value))
    record_change(session, workshop, survey)
    return response


def my_answers(*, session: Session, survey: Survey, participant: Participant) -> dict[int, Any]:
    response = session.exec(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.participant_id == participant.id)).first()
    if response is None:
        return {}
    return {a.question_id: a.value for a in session.exec(
        select(Answer).where(Answer.response_id == response.id))}


def hide_text_answer(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                     survey: Survey, answer_id: int, hidden: bool = True) -> None:
    """Keep an inappropriate free-text answer off the projector and the documentation."""
    facilitator.require_whole_workshop()
    row = session.get(Answer, answer_id)
    response = session.get(SurveyResponse, row.response_id) if row else None
    if row is None or response is None or response.survey_id != survey.id:
        raise NotFound("Diese Antwort gibt es nicht (mehr).")
    row.hidden_at = utcnow() if hidden else None
    session.add(row)
    record_change(session, workshop, survey)


class QuestionResult(BaseModel):
    """What one source (live, or one imported file) answered to one question."""

    model_config = ConfigDict(frozen=True)

    question_id: int
    kind: str
    text: str
    source: str  # "" for the live answers
    respondents: int  # who answered this question
    suppressed: bool  # too few respondents to show more than the count
    minimum: int = 0  # the workshop's threshold for showing more (survey_min_respondents)
    options: list[str] = []
    counts: list[int] = []
    percents: list[float] = []
    distribution: dict[int, int] = {}
    mean: float | None = None
    median: float | None = None
    average_ranks: list[float] = []
    texts: list[tuple[int, str]] = []  # (answer id, text)
    label_min: str = ""
    label_max: str = ""


COMBINED = "*"  # the source key of all sources together


def results(*, session: Session, workshop: Workshop, survey: Survey, include_hidden: bool = False,
            combined: bool = False) -> dict[str, list[QuestionResult]]:
    """Results per source ("" = live, then each import), each a list in question order;
    `combined`: also all sources together (COMBINED), when more than one has answers."""
    questions = questions_of(session=session, survey=survey)
    rows = session.exec(
        select(Answer, SurveyResponse.source)
        .join(SurveyResponse, col(SurveyResponse.id) == Answer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
    ).all()
    sources = sorted({source for _, source in rows} | {""}, key=lambda s: (s != "", s))
    grouped: dict[tuple[str, int], list[Answer]] = {}
    for row, source in rows:
        grouped.setdefault((source, row.question_id), []).append(row)
    by_source = {source: [_result(q, grouped.get((source, q.id or 0), []), source,
                                  workshop.survey_min_respondents, include_hidden)
                          for q in questions] for source in sources}
    if combined and sum(1 for s in sources if any(r.respondents for r in by_source[s])) > 1:
        # Per question only the sources shown on their own: a source held back for its small
        # number must not be readable as the difference between the total and the others.
        by_source[COMBINED] = [_result(q, [a for s in sources if not by_source[s][i].suppressed
                                           for a in grouped.get((s, q.id or 0), [])],
                                       COMBINED, workshop.survey_min_respondents,
                                       include_hidden) for i, q in enumerate(questions)]
    return by_source


def _result(question: Question, answers: list[Answer], source: str, minimum: int,
            include_hidden: bool) -> QuestionResult:
    base: dict[str, Any] = {
        "question_id": question.id or 0, "kind": question.kind, "text": question.text,
        "source": source, "respondents": len(answers), "options": question.options,
        "label_min": question.label_min, "label_max": question.label_max, "minimum": minimum,
    }
    if len(answers) < minimum:
        return QuestionResult(**base, suppressed=True)
    values = [a.value for a in answers]
    if question.kind in ("single", "multiple"):
        counts = [sum(1 for v in values if i in v) for i in range(len(question.options))]
        percents = [round(100 * c / len(values), 1) for c in counts]
        return QuestionResult(**base, suppressed=False, counts=counts, percents=percents)
    if question.kind == "ranking":
        ranks = [statistics.fmean(v.index(i) + 1 for v in values)
                 for i in range(len(question.options))]
        return QuestionResult(**base, suppressed=False, average_ranks=[round(r, 2) for r in ranks])
    if question.kind in ("rating", "number"):
        numbers = [float(v) for v in values]
        distribution: dict[int, int] = {}
        if question.kind == "rating":
            distribution = {k: sum(1 for v in numbers if v == k)
                            for k in range(question.scale_min, question.scale_max + 1)}
        return QuestionResult(**base, suppressed=False, distribution=distribution,
                              mean=round(statistics.fmean(numbers), 2),
                              median=statistics.median(numbers))
    texts = [(a.id or 0, str(a.value)) for a in answers if include_hidden or a.hidden_at is None]
    return QuestionResult(**base, suppressed=False, texts=texts)


def respondent_count(*, session: Session, survey: Survey, source: str = "") -> int:
    return len(session.exec(select(SurveyResponse.id).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.source == source)).all())
