"""The documentation as Markdown: readable as plain text, user text shown literally with as few
backslashes as that takes."""

import re
from collections.abc import Iterable

from app.report.model import Report, ReportField, ReportSurveySource
from app.report.tables import local_time
from app.surveys import QuestionResult
from app.text import counted

# Syntax that starts anywhere in a line: escapes, code, emphasis, links, HTML and autolinks,
# strikethrough, and an entity ("&amp;") – a lone "&" is just text.
_INLINE = re.compile(r"([\\`*_\[\]~]|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;))")
# Syntax that only starts a block: an ATX heading, a quote, a list item or thematic break, an
# ordered list item ("1." / "1)").
_BLOCK = re.compile(r"^(#{1,6}(?=\s|$)|>|[-+](?=\s|$|-))")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_CLOSING_HASHES = re.compile(r"(\s)(#+)$")  # would close an ATX heading


def md(text: str, *, cell: bool = False, alone: bool = True) -> str:
    """User text as Markdown that renders to exactly that text; `cell`: inside a table,
    `alone`: no other user text shares its line (so "Bürger*innen", one star inside a word,
    has no star to pair with)."""
    text = " ".join(text.split())  # one line; leading spaces would make a code block
    lone_star = alone and text.count("*") == 1

    def escape(match: re.Match[str]) -> str:
        char, at = match.group(1), match.start()
        inside_word = 0 < at < len(text) - 1 and text[at - 1].isalnum() and (
            text[at + 1].isalnum())
        # An underscore inside a word never emphasizes (CommonMark), nor does a lone star.
        if inside_word and (char == "_" or (char == "*" and lone_star)):
            return char
        return "\\" + char

    text = _INLINE.sub(escape, text)
    text = _BLOCK.sub(r"\\\1", text)
    text = _ORDERED.sub(r"\1\\\2", text)
    text = _CLOSING_HASHES.sub(r"\1\\\2", text)
    return text.replace("|", r"\|") if cell else text


def _de(number: float) -> str:
    """1.75 → "1,8", 4.0 → "4"."""
    return f"{number:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = [md(str(h), cell=True) for h in header]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["--:"] * (len(head) - 1))
             + "|"]
    lines += ["| " + " | ".join(md(str(v), cell=True) for v in row) + " |" for row in rows]
    return [*lines, ""]


def write_markdown(report: Report) -> str:
    lines = [f"# {md(report.title)}", "", "Ergebnisdokumentation", ""]
    when = ", ".join(filter(None, (report.date.strftime("%d.%m.%Y") if report.date else "",
                                   md(report.place))))
    if when:
        lines += [when, ""]
    lines += [f"Region: {md(report.region_name or report.region)} · "
              f"{_participants(report)}", ""]
    if report.publisher:
        lines += [f"Veranstalter: {md(report.publisher)}", ""]
    if report.leitbild:
        lines += [f"Leitbild: „{md(report.leitbild)}“", ""]
    if report.goals:
        lines += ["## Ziele", "", *[f"- {md(g)}" for g in report.goals], ""]
    if report.method or report.agenda:
        lines += ["## Ablauf", ""]
        lines += [md(report.method), ""] if report.method else []
        lines += [f"- {md(a.time, alone=False) + ' ' if a.time else ''}"
                  f"**{md(a.title, alone=False)}**"
                  f"{': ' + md(a.text, alone=False) if a.text else ''}"
                  for a in report.agenda] + [""]
    if report.options.plenary and report.plenary:
        lines += _plenary(report)
    if report.options.working:
        lines += ["## Ergebnisse der Arbeitsphase", ""]
        for field in report.fields:
            if not field.subfield_of or field.card_count or field.statement:
                lines += _field(report, field)
    if report.options.surveys:
        for survey in report.surveys:
            lines += [f"## Umfrageergebnisse: {md(survey.title)}", ""]
            for source in survey.sources:
                lines += _source(source)
    if report.options.appendix:
        lines += _appendix(report)
    if report.privacy:
        lines += ["## Datenschutz", "", *[line for p in report.privacy for line in (md(p), "")]]
    lines.append(f"Erstellt am {local_time(report).strftime('%d.%m.%Y, %H:%M')} mit "
                 f"Zukunftskonferenz {md(report.version)}.")
    return "\n".join(lines).rstrip() + "\n"


def _participants(report: Report) -> str:
    people = report.participation.counted
    phones = counted(report.stats.participants, "Teilnehmende Person", "Teilnehmende")
    if people is None:
        return phones
    return f"{counted(people, 'Person', 'Personen')} vor Ort gezählt, " + (
        f"{report.stats.participants} mit dem Handy dabei")


def _plenary(report: Report) -> list[str]:
    lines = ["## Ergebnisse der Diskussionsrunde im Plenum", ""]
    if report.questions:
        lines += ["Zu den Fragen:", "", *[f"- {md(q)}" for q in report.questions], ""]
    lines += ["Erläuterung: <u>unterstrichen</u> = Verpflichtende Themen des Landes, "
              "**fett** = von der LAG genannt, *(neu)* = in der Zukunftskonferenz "
              "hinzugefügt; Punkte = Bedeutung.", ""]
    for column in report.plenary:
        lines += [f"### {md(column.number, alone=False)}: {md(column.title, alone=False)}", ""]
        for theme in column.themes:
            text = md(theme.text, alone=not theme.subfield) + (
                f" ({md(theme.subfield, alone=False)})" if theme.subfield else "")
            text = {"mandatory": f"<u>{text}</u>", "lag": f"**{text}**",
                    "conference": f"{text} *(neu)*"}.get(theme.kind, text)
            dots = f" ({counted(theme.dots, 'Punkt', 'Punkte')})" if theme.dots else ""
            lines.append(f"- {text}{dots}")
        lines.append("")
    for remark in report.remarks:
        lines += [f"> **{md(remark)}**", ""]
    return lines


def _field(report: Report, field: ReportField) -> list[str]:
    number = f"Handlungsfeld {field.number.removeprefix('HF ')} – " if field.number else ""
    lines = [f"### {md(number + field.title)}", ""]
    if field.topics:
        lines += [md(field.topics), ""]
    marks = report.rounds_used and report.options.rounds
    for column in field.columns:
        lines += [f"**{md(column.label)}**", ""]
        for card in column.cards:
            lines.append(f"- {md(card.text, alone=not card.author)}"
                         + (f" (×{card.weight})" if card.weight > 1 else "")
                         + (f" (R{card.round})" if marks else "")
                         + (f" – {md(card.author, alone=False)}" if card.author else ""))
        lines += [""] if column.cards else ["(keine Karten)", ""]
    if field.words:
        lines += [f"Häufige Wörter: {md(field.words_text, alone=False)}", ""]
    lines += [f"> {md(field.sentence)}" if field.sentence else "(kein Leitsatz beschlossen)", ""]
    return lines


def _source(source: ReportSurveySource) -> list[str]:
    label = md(source.title)
    lines = [f"### {label} ({counted(source.respondents, 'Person', 'Personen')})", ""]
    for chart in source.charts:
        r = chart.result
        lines += [f"**{md(r.text)}** (n = {r.respondents})", "", *_result(r), ""]
    return lines


def _result(r: QuestionResult) -> list[str]:
    if r.suppressed:
        return [f"Weniger als {r.minimum} Antworten: zum Schutz der Anonymität nur die Anzahl."]
    if r.kind in ("single", "multiple"):
        return [f"- {md(o)}: {c} ({p:.0f} %)"
                for o, c, p in zip(r.options, r.counts, r.percents, strict=False)]
    if r.kind == "ranking":
        ranked = sorted(zip(r.options, r.average_ranks, strict=False), key=lambda o: o[1])
        return [f"- {md(o)}: Ø Platz {_de(rank)}" for o, rank in ranked]
    if r.kind == "text":
        return [f"{counted(len(r.texts), 'Antwort', 'Antworten')}:", "",
                *[f"- {md(text)}" for _id, text in r.texts]]
    if r.mean is None:
        return []
    lines = [f"Mittelwert {_de(r.mean)}, Median {_de(r.median or 0)}"]
    if r.distribution:
        total = sum(r.distribution.values()) or 1
        ends = {min(r.distribution): r.label_min, max(r.distribution): r.label_max}
        lines += [""] + [f"- {point}{' (' + md(ends[point]) + ')' if ends.get(point) else ''}: "
                         f"{count} ({100 * count / total:.0f} %)"
                         for point, count in r.distribution.items()]
    return lines


def _appendix(report: Report) -> list[str]:
    p, stats = report.participation, report.stats
    lines = ["## Anhang: Beteiligung", ""]
    if p.entered:
        lines += ["### Vor Ort gezählt", ""]
        if p.counted is not None:
            lines += [f"{counted(p.counted, 'Person', 'Personen')} im Raum (auch ohne Handy).", ""]
        for header, counts in (("Gruppe", p.by_group), ("Altersgruppe", p.by_age),
                               ("Gemeinde", p.by_municipality), ("Arbeitsgruppe", p.by_field)):
            if counts:
                lines += _table((header, "Personen"), counts.items())
        if p.note:
            lines += [md(p.note), ""]
    lines += ["### Von der App gezählt", ""]
    rounds = " (" + ", ".join(f"Runde {n}: {c}" for n, c in stats.per_round.items()) + ")" if (
        len(stats.per_round) > 1) else ""
    groups = "; ".join(f"{md(g, alone=False)}: {c}" for g, c in p.phone_groups.items())
    lines += [f"- {counted(stats.participants, 'Teilnehmende Person', 'Teilnehmende')}"
              + (f", {counted(p.phones, 'Handy', 'Handys')} angemeldet" if p.phones else "")
              + (f" (Gruppe laut Handy – {groups})" if groups else ""),
              f"- {counted(stats.cards, 'Karte', 'Karten')}{rounds}",
              f"- {counted(p.proposals, 'Leitsatz-Vorschlag', 'Leitsatz-Vorschläge')} auf den "
              f"Handys, {counted(p.supports, 'Unterstützung', 'Unterstützungen')} von "
              f"{counted(p.supporters, 'Person', 'Personen')}",
              f"- {counted(p.dots, 'Punkt', 'Punkte')} im Plenum von "
              f"{counted(p.dot_givers, 'Person', 'Personen')}", ""]
    empty_parts = {f.number for f in report.fields if f.subfield_of and not f.card_count}
    round_numbers = sorted({n for per in stats.per_field_round.values() for n in per})
    show_rounds = report.rounds_used and len(round_numbers) > 1
    columns = ["Handlungsfeld", *report.categories,
               *([f"Runde {n}" for n in round_numbers] if show_rounds else [])]
    rows = [[number, *[per.get(label, 0) for label in report.categories],
             *([stats.per_field_round.get(number, {}).get(n, 0) for n in round_numbers]
               if show_rounds else [])]
            for number, per in stats.per_field.items() if number not in empty_parts]
    lines += ["Karten je Handlungsfeld:", "", *_table(columns, rows)]
    if report.photos:
        lines += [f"Fotodokumentation: {counted(len(report.photos), 'Foto', 'Fotos')} in der Word- "
                  "und PDF-Fassung.", ""]
    return lines
