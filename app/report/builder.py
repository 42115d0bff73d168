"""Build the Report value from the database: the one place the documentation reads data."""

from collections import Counter, defaultdict
from collections.abc import Callable

from sqlmodel import Session, col, select

from app import charts, plenary, statements, surveys
from app.cards import counts, list_cards
from app.models import Participant, Survey, Workshop, utcnow
from app.report.model import (
    Report,
    ReportCard,
    ReportChart,
    ReportColumn,
    ReportField,
    ReportOptions,
    ReportPlenaryColumn,
    ReportStats,
    ReportSurvey,
    ReportSurveySource,
    ReportTheme,
)
from app.text import join_sentence
from app.workshops import categories_of, fields_of

VERSION = "0.1.0"
Progress = Callable[[str], None]


def build_report(*, session: Session, workshop: Workshop,
                 options: ReportOptions | None = None,
                 progress: Progress | None = None) -> Report:
    """Everything the Ergebnisdokumentation shows; hidden cards never appear."""
    options = options or ReportOptions()
    step = progress or (lambda _message: None)
    categories = categories_of(session=session, workshop=workshop)
    fields = fields_of(session=session, workshop=workshop)
    step("Karten")
    cards = list_cards(session=session, workshop=workshop)
    names = _display_names(session, workshop) if options.authors else {}
    by_column: dict[tuple[str, str], list[ReportCard]] = defaultdict(list)
    for card in cards:
        by_column[(card.field, card.category)].append(ReportCard(
            text=card.text, weight=card.weight, round=card.round,
            author=names.get(card.author, "")))
    parents = {f.id: f for f in fields}
    report_fields = []
    for field in fields:
        adopted = statements.adopted(session=session, field=field)
        stem = statements.stem(workshop, field)
        report_fields.append(ReportField(
            key=field.key, number=field.number, title=field.title, topics=field.topics,
            subfield_of=parents[field.parent_id].number if field.parent_id in parents else "",
            columns=[ReportColumn(key=c.key, label=c.label, cards=by_column[(field.key, c.key)])
                     for c in categories],
            stem=stem, statement=adopted.text if adopted else None,
            sentence=join_sentence(stem, adopted.text) if adopted else None))
    step("Plenum")
    columns = [ReportPlenaryColumn(number=c.number, title=c.title, themes=[
        ReportTheme(text=t.text, kind=t.kind, dots=t.dots, subfield=t.subfield)
        for t in c.themes]) for c in plenary.columns(session=session, workshop=workshop)]
    step("Umfragen")
    report_surveys = [_survey(session, workshop, s) for s in
                      surveys.surveys_of(session=session, workshop=workshop)] if (
        options.surveys) else []
    total = counts(session, workshop)
    per_field = {f.number or f.title: {c.label: len(by_column[(f.key, c.key)])
                                       for c in categories} for f in fields}
    return Report(
        publisher=workshop.legal.get("organizer", ""),
        title=workshop.title, region=workshop.region, region_name=workshop.region_name,
        date=workshop.date, place=workshop.place, leitbild=workshop.leitbild,
        goals=workshop.goals, questions=workshop.questions, plenary=columns,
        remarks=[r.text for r in plenary.remarks(session=session, workshop=workshop)],
        fields=report_fields, categories=[c.label for c in categories],
        rounds_used=len({c.round for c in cards}) > 1,
        surveys=[s for s in report_surveys if s.sources],
        stats=ReportStats(participants=total.participants, cards=len(cards),
                          per_field=per_field,
                          per_round=dict(sorted(Counter(c.round for c in cards).items()))),
        options=options, exported_at=utcnow(), version=VERSION)


def _display_names(session: Session, workshop: Workshop) -> dict[str, str]:
    """Names of those who agreed on their phone that the documentation shows them."""
    rows = session.exec(select(Participant.public_id, Participant.display_name).where(
        Participant.workshop_id == workshop.id, col(Participant.display_name) != "",
        col(Participant.name_in_report).is_(True)))
    return dict(rows.all())


def _survey(session: Session, workshop: Workshop, survey: Survey) -> ReportSurvey:
    by_source = surveys.results(session=session, workshop=workshop, survey=survey)
    sources = []
    for label, results in by_source.items():
        respondents = surveys.respondent_count(session=session, survey=survey, source=label)
        if not respondents:
            continue
        sources.append(ReportSurveySource(label=label, respondents=respondents, charts=[
            ReportChart(result=r, svg=charts.svg(r), png=charts.png(r)) for r in results]))
    return ReportSurvey(title=survey.title, sources=sources)
