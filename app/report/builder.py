"""Build the Report value from the database: the one place the documentation reads data."""

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, func, select

from app import attendance, photos, plenary, statements, surveys
from app.cards import counts, list_cards
from app.models import (
    Dot,
    Field,
    Participant,
    StatementProposal,
    StatementSupport,
    Survey,
    Workshop,
    utcnow,
)
from app.report.model import (
    Report,
    ReportAgendaItem,
    ReportCard,
    ReportChart,
    ReportColumn,
    ReportField,
    ReportOptions,
    ReportParticipation,
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
    step("Fotos")
    images, logos = photos.report_images(session, workshop)
    total = counts(session, workshop)
    per_field = {f.number or f.title: {c.label: len(by_column[(f.key, c.key)])
                                       for c in categories} for f in fields}
    labels = {f.key: f.number or f.title for f in fields}
    per_field_round: dict[str, Counter[int]] = defaultdict(Counter)
    for card in cards:
        per_field_round[labels.get(card.field, card.field)][card.round] += 1
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
                          per_round=dict(sorted(Counter(c.round for c in cards).items())),
                          per_field_round={f.number or f.title: dict(sorted(
                              per_field_round[f.number or f.title].items())) for f in fields}),
        options=options, exported_at=utcnow(), version=VERSION, timezone=workshop.timezone,
        method=workshop.method or method_text(workshop, fields, [c.label for c in categories],
                                              bool(columns), bool(report_surveys)),
        agenda=[ReportAgendaItem(**item) for item in workshop.agenda] or default_agenda(
            workshop, bool(columns)),
        participation=_participation(session, workshop, fields, total.participants),
        privacy=privacy_note(workshop, options, photos=bool(images)), photos=images,
        logos=logos)


def method_text(workshop: Workshop, fields: list[Field], categories: list[str],
                plenary_held: bool, surveys_held: bool) -> str:
    """How the workshop worked, from its definition, for the method section (editable: the
    definition's `method` replaces it)."""
    groups = [f for f in fields if f.parent_id is None]
    columns = ", ".join(categories[:-1]) + (f" und {categories[-1]}" if len(categories) > 1
                                             else "".join(categories))
    parts = []
    if plenary_held:
        parts.append(f"Im Plenum wurden die {len(groups)} Handlungsfelder mit ihren Themen "
                     "vorgestellt und diskutiert; die Teilnehmenden konnten Themen ergänzen und "
                     f"mit bis zu {workshop.dots_per_participant} Punkten gewichten.")
    rounds = (f"in {workshop.rounds} Runden" if workshop.rounds > 1 else "in einer Runde")
    parts.append(f"In der Arbeitsphase sammelten {len(groups)} Arbeitsgruppen – zu jedem "
                 f"Handlungsfeld eine – {rounds} {columns} und formulierten je Handlungsfeld "
                 "einen Leitsatz. Beiträge kamen auf Moderationskarten und per Smartphone "
                 "(QR-Code, ohne Anmeldung und ohne App); die Moderation fasste gleiche Karten "
                 "zusammen.")
    if surveys_held:
        parts.append("Ergänzend beantworteten die Teilnehmenden eine Umfrage.")
    parts.append("Im Abschlussplenum wurden die Ergebnisse vorgestellt.")
    return " ".join(parts)


def default_agenda(workshop: Workshop, plenary_held: bool) -> list[ReportAgendaItem]:
    """The day's steps when the definition names none (no times: those only it knows)."""
    items = [ReportAgendaItem(title="Begrüßung und Einführung")]
    if plenary_held:
        items.append(ReportAgendaItem(title="Plenum: Handlungsfelder und Themen"))
    items += [ReportAgendaItem(title=f"Arbeitsgruppen, Runde {n}" if workshop.rounds > 1
                               else "Arbeitsgruppen") for n in range(1, workshop.rounds + 1)]
    return [*items, ReportAgendaItem(title="Abschlussplenum: Vorstellung der Ergebnisse")]


def _participation(session: Session, workshop: Workshop, fields: list[Field],
                   phones: int) -> ReportParticipation:
    counted = attendance.attendance_of(workshop)
    numbers = {f.key: f.number or f.title for f in fields}

    def count(query: Any) -> int:
        return int(session.exec(query).one() or 0)

    proposals = select(StatementProposal.id).where(StatementProposal.workshop_id == workshop.id)
    supports = select(StatementSupport.participant_id).where(
        col(StatementSupport.proposal_id).in_(proposals))
    return ReportParticipation(
        counted=counted.counted, by_group=counted.by_group, by_age=counted.by_age,
        by_municipality=counted.by_municipality, note=counted.note,
        by_field={numbers.get(k, k): n for k, n in counted.by_field.items()},
        phones=phones, phone_groups=attendance.phone_groups(session, workshop),
        proposals=count(select(func.count()).select_from(proposals.subquery())),
        supports=count(select(func.count()).select_from(supports.subquery())),
        supporters=count(select(func.count(func.distinct(supports.subquery().c.participant_id)))),
        dots=count(select(func.count()).where(Dot.workshop_id == workshop.id)),
        dot_givers=count(select(func.count(func.distinct(Dot.participant_id))).where(
            Dot.workshop_id == workshop.id)))


def privacy_note(workshop: Workshop, options: ReportOptions, *, photos: bool) -> list[str]:
    """The data-protection note: what was collected, what this document publishes."""
    names = ("Namen stehen nur bei Karten von Personen, die dem auf ihrem Smartphone "
             "ausdrücklich zugestimmt haben." if options.authors else
             "Die Beiträge erscheinen ohne Namen.")
    asked = attendance.settings_of(workshop).ask_on_phone
    kept = ("die Beiträge (Karten, Vorschläge, Punkte, Umfrageantworten), eine zufällige "
            "Kennung des Geräts, ein freiwillig angegebener Name"
            + (" und die freiwillig angegebene Gruppe" if asked else ""))
    publisher = workshop.legal.get("organizer", "")
    return [
        "Die Teilnahme per Smartphone war ohne Anmeldung, ohne App und ohne Tracking möglich. "
        f"Gespeichert wurden {kept}. " + names
        + (" Die Gruppen erscheinen nur als Anzahl." if asked else "")
        + (" Die Fotos zeigen Flipcharts, Pinnwände und den Saal; Ort und Kameradaten wurden "
           "beim Hochladen entfernt." if photos else ""),
        "Diese Dokumentation enthält nur, was im Workshop sichtbar war: ausgeblendete, "
        "gelöschte und nicht freigegebene Beiträge fehlen; zusammengefasste Karten stehen in "
        "der von der Moderation gewählten Fassung. Umfrageergebnisse mit weniger als "
        f"{workshop.survey_min_respondents} Antworten zeigen zum Schutz der Anonymität nur "
        "die Anzahl.",
        *([f"Verantwortlich für die Verarbeitung: {publisher}."] if publisher else []),
    ]


def _display_names(session: Session, workshop: Workshop) -> dict[str, str]:
    """Names of those who agreed on their phone that the documentation shows them."""
    rows = session.exec(select(Participant.public_id, Participant.display_name).where(
        Participant.workshop_id == workshop.id, col(Participant.display_name) != "",
        col(Participant.name_in_report).is_(True)))
    return dict(rows.all())


def _survey(session: Session, workshop: Workshop, survey: Survey) -> ReportSurvey:
    by_source = surveys.results(session=session, workshop=workshop, survey=survey,
                                combined=True)
    sources, parts = [], []
    for label, results in by_source.items():
        if label == surveys.COMBINED:
            continue
        respondents = surveys.respondent_count(session=session, survey=survey, source=label)
        if not respondents:
            continue
        parts.append((label, respondents))
        sources.append(ReportSurveySource(label=label, respondents=respondents,
                                          charts=[ReportChart(result=r) for r in results]))
    together = by_source.get(surveys.COMBINED, [])
    # Per question, the sources shown on their own (a suppressed one stays out of the total).
    shown = [[label for label, _n in parts if not by_source[label][i].suppressed
              and by_source[label][i].respondents] for i in range(len(together))]
    if any(len(labels) > 1 for labels in shown):  # else the total is a copy of one source
        included = [label for label, _n in parts if any(label in s for s in shown)]
        sources.append(ReportSurveySource(
            label="", combined=[label or "Live" for label in included],
            respondents=max(r.respondents for r in together),
            charts=[ReportChart(result=r) for r in together]))
    return ReportSurvey(title=survey.title, sources=sources)
