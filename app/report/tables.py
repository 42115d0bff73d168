"""The report as tables of records, one per kind: the sheets of the XLSX file and the files of
the CSV archive. Values keep their type (int, float, date) – each writer formats them."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from app.report.model import Report, ReportParticipation, ReportStats
from app.surveys import QuestionResult

Value = str | int | float | dt.date | dt.datetime | None

THEME_KINDS = {"mandatory": "Verpflichtend (Land)", "lag": "LAG",
               "conference": "Zukunftskonferenz"}
QUESTION_KINDS = {"single": "Einfachauswahl", "multiple": "Mehrfachauswahl",
                  "rating": "Bewertung", "ranking": "Rangfolge", "text": "Freitext",
                  "number": "Zahl"}
COUNTED = "Vor Ort gezählt"
BY_APP = "Von der App gezählt"


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14  # characters, for spreadsheets
    percent: bool = False  # a float 0–100 shown as a percentage


@dataclass
class Table:
    title: str  # the sheet's name
    file: str  # the CSV file's name
    columns: list[Column]
    rows: list[list[Value]] = field(default_factory=list)

    def add(self, *values: Value) -> None:
        assert len(values) == len(self.columns), (self.title, values)
        self.rows.append(list(values))


def tables(report: Report) -> list[Table]:
    """Every table, in the order of the document; a part left out gives its table no rows."""
    return [overview(report), cards(report), words(report), themes(report), statements(report),
            remarks(report), survey_answers(report), participation(report)]


def words(report: Report) -> Table:
    """Each field's word cloud as numbers: its most used words, by the cards' weight."""
    table = Table("Wörter", "woerter.csv",
                  [Column("Handlungsfeld", 14), Column("Wort", 30), Column("Anzahl", 8)])
    if report.options.working:
        for report_field in report.fields:
            for word in report_field.words:
                table.add(report_field.number or report_field.title, word.text, word.count)
    return table


def local_time(report: Report) -> dt.datetime:
    """The export time in the workshop's time zone, without zone (spreadsheets hold none)."""
    return report.exported_at.astimezone(ZoneInfo(report.timezone)).replace(tzinfo=None)


def overview(report: Report) -> Table:
    table = Table("Übersicht", "uebersicht.csv", [Column("Angabe", 18), Column("Wert", 60)])
    table.add("Titel", report.title)
    table.add("Region", report.region_name or report.region)
    table.add("Datum", report.date)
    table.add("Ort", report.place)
    table.add("Veranstalter", report.publisher)
    table.add("Leitbild", report.leitbild)
    table.add("Teilnehmende", report.stats.participants)
    table.add("Karten", report.stats.cards)
    table.add("Erstellt am", local_time(report))
    table.add("Erstellt mit", f"Zukunftskonferenz {report.version}")
    return table


def cards(report: Report) -> Table:
    columns = [Column("Handlungsfeld", 14), Column("Spalte", 14), Column("Text", 60),
               Column("Anzahl", 8), Column("Runde", 8)]
    if report.options.authors:
        columns.append(Column("Verfasst von", 20))
    table = Table("Karten", "karten.csv", columns)
    if not report.options.working:
        return table
    for report_field in report.fields:
        for column in report_field.columns:
            for card in column.cards:
                author = (card.author,) if report.options.authors else ()
                table.add(report_field.number or report_field.title, column.label, card.text,
                          card.weight, card.round, *author)
    return table


def themes(report: Report) -> Table:
    table = Table("Themen", "themen.csv", [
        Column("Plenum", 10), Column("Titel", 30), Column("Thema", 50), Column("Teilfeld", 10),
        Column("Art", 22), Column("Punkte", 8)])
    if not report.options.plenary:
        return table
    for column in report.plenary:
        for theme in column.themes:
            table.add(column.number, column.title, theme.text, theme.subfield,
                      THEME_KINDS.get(theme.kind, theme.kind), theme.dots)
    return table


def statements(report: Report) -> Table:
    table = Table("Leitsätze", "leitsaetze.csv", [
        Column("Handlungsfeld", 14), Column("Satzanfang", 50), Column("Ergänzung", 50),
        Column("Leitsatz", 80)])
    if not report.options.working:
        return table
    for report_field in report.fields:
        if report_field.statement:
            table.add(report_field.number or report_field.title, report_field.stem,
                      report_field.statement, report_field.sentence)
    return table


def remarks(report: Report) -> Table:
    table = Table("Bemerkungen", "bemerkungen.csv", [Column("Nr.", 6), Column("Bemerkung", 80)])
    if report.options.plenary:
        for number, remark in enumerate(report.remarks, start=1):
            table.add(number, remark)
    return table


SURVEY_COLUMNS = [Column("Umfrage", 24), Column("Quelle", 14), Column("Frage", 40),
                  Column("Art", 16), Column("Antworten", 10), Column("Antwort", 40),
                  Column("Anzahl", 8), Column("Anteil (%)", 10, percent=True),
                  Column("Ø Platz", 8), Column("Mittelwert", 10), Column("Median", 8),
                  Column("Hinweis", 30)]


def survey_answers(report: Report) -> Table:
    """One row per option, scale point or free-text answer; a result held back for its small
    number gives one row with the count alone."""
    table = Table("Umfragen", "umfragen.csv", SURVEY_COLUMNS)
    for survey in report.surveys:
        for source in survey.sources:
            for chart in source.charts:
                for answer, count, percent, rank, mean, median, note in _answers(chart.result):
                    r = chart.result
                    table.add(survey.title, source.source_name, r.text,
                              QUESTION_KINDS.get(r.kind, r.kind), r.respondents, answer, count,
                              percent, rank, mean, median, note)
    return table


_Answer = tuple[Value, int | None, float | None, float | None, float | None, float | None, str]


def _answers(r: QuestionResult) -> list[_Answer]:
    if r.suppressed:
        return [(None, None, None, None, None, None,
                 f"Weniger als {r.minimum} Antworten: nur die Anzahl")]
    if r.kind in ("single", "multiple"):
        return [(option, count, percent, None, None, None, "") for option, count, percent in
                zip(r.options, r.counts, r.percents, strict=False)]
    if r.kind == "ranking":
        return [(option, None, None, rank, None, None, "") for option, rank in
                zip(r.options, r.average_ranks, strict=False)]
    if r.kind == "text":
        return [(text, None, None, None, None, None, "") for _id, text in r.texts]
    if r.distribution:  # a rating: one row per point of the scale
        return [(point, count, round(100 * count / r.respondents, 1) if r.respondents else None,
                 None, r.mean, r.median, "") for point, count in r.distribution.items()]
    return [(None, None, None, None, r.mean, r.median, "")]


def participation(report: Report) -> Table:
    """Counted in the room by the organizer beside what the app counted itself."""
    table = Table("Beteiligung", "beteiligung.csv", [
        Column("Erhoben", 18), Column("Bereich", 34), Column("Merkmal", 30), Column("Runde", 8),
        Column("Anzahl", 8)])
    if report.options.appendix:
        _counted(table, report.participation)
        _by_app(table, report.participation, report.stats)
    return table


def _counted(table: Table, p: ReportParticipation) -> None:
    if p.counted is not None:
        table.add(COUNTED, "Personen im Raum", "", None, p.counted)
    for area, counts in (("Gruppe", p.by_group), ("Altersgruppe", p.by_age),
                         ("Gemeinde", p.by_municipality), ("Arbeitsgruppe", p.by_field)):
        for label, count in counts.items():
            table.add(COUNTED, area, label, None, count)
    if p.note:
        table.add(COUNTED, "Hinweis", p.note, None, None)


def _by_app(table: Table, p: ReportParticipation, stats: ReportStats) -> None:
    table.add(BY_APP, "Teilnehmende", "", None, stats.participants)
    table.add(BY_APP, "Handys angemeldet", "", None, p.phones)
    for group, count in p.phone_groups.items():
        table.add(BY_APP, "Gruppe (Angabe am Handy)", group, None, count)
    table.add(BY_APP, "Karten", "", None, stats.cards)
    for round_, count in stats.per_round.items():
        table.add(BY_APP, "Karten je Runde", "", round_, count)
    if stats.per_field_round:
        for number, rounds in stats.per_field_round.items():
            for round_, count in rounds.items():
                table.add(BY_APP, "Karten je Handlungsfeld und Runde", number, round_, count)
    else:
        for number, per_category in stats.per_field.items():
            table.add(BY_APP, "Karten je Handlungsfeld", number, None, sum(per_category.values()))
    table.add(BY_APP, "Leitsatz-Vorschläge", "", None, p.proposals)
    table.add(BY_APP, "Unterstützungen für Leitsatz-Vorschläge", "", None, p.supports)
    table.add(BY_APP, "Personen, die Vorschläge unterstützt haben", "", None, p.supporters)
    table.add(BY_APP, "Punkte im Plenum", "", None, p.dots)
    table.add(BY_APP, "Personen, die Punkte vergeben haben", "", None, p.dot_givers)
