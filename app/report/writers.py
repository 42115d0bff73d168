"""One writer per format: each takes a Report and returns the file's content."""

import base64
import csv
import io
import json
import re
from functools import cache

from app.errors import N_
from app.report.docx import write_docx
from app.report.model import Report
from app.web.templating import Templates

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "md": "text/markdown; charset=utf-8", "json": "application/json",
           "csv": "text/csv; charset=utf-8"}
# What the export page offers, in its order (msgids): every format of FORMATS, once.
FORMAT_LABELS = {"docx": N_("Word (DOCX) – zum Bearbeiten"), "pdf": N_("PDF – zum Veröffentlichen"),
                 "html": N_("Webseite (HTML)"), "md": N_("Markdown"),
                 "json": N_("JSON – alle Daten"), "csv": N_("CSV – für Excel")}
assert FORMAT_LABELS.keys() == FORMATS.keys()
# Control characters that XML (and so DOCX) cannot hold.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@cache
def _templates() -> Templates:
    return Templates()


def write_html(report: Report, locale: str = "de") -> str:
    """A single self-contained page: styles and charts inline, no outside requests."""
    return _templates().render("report/report.html", locale=locale, report=report)


def write_pdf(report: Report, locale: str = "de") -> bytes:
    """A4 with page numbers and running header, the plenary on a landscape page; tagged."""
    from weasyprint import HTML  # imported here: it loads Pango at import time

    # Tagged PDF/UA-1: headings, lists and tables in the structure tree, the document
    # language and title set – what screen readers and PDF/UA checks read.
    pdf: bytes = HTML(string=write_html(report, locale)).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def _text(value: str) -> str:
    return _XML_INVALID.sub("", value)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&])")


def _md(text: str) -> str:
    """Markdown shows user text literally: every syntax character is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def write_markdown(report: Report) -> str:
    lines = [f"# {_md(report.title)}", "", "Ergebnisdokumentation", ""]
    if report.leitbild:
        lines += [f"Leitbild: „{_md(report.leitbild)}“", ""]
    if report.options.plenary and report.plenary:
        lines += ["## Ergebnisse der Diskussionsrunde im Plenum", ""]
        lines += [f"- {_md(q)}" for q in report.questions] + [""]
        lines += ["Erläuterung: <u>unterstrichen</u> = Verpflichtende Themen des Landes, "
                  "**fett** = von der LAG genannt, *(neu)* = in der Zukunftskonferenz "
                  "hinzugefügt; Punkte = Bedeutung.", ""]
        for pcol in report.plenary:
            lines += [f"### {_md(pcol.number)}: {_md(pcol.title)}", ""]
            for theme in pcol.themes:
                text = _md(theme.text)
                text = {"mandatory": f"<u>{text}</u>", "lag": f"**{text}**",
                        "conference": f"{text} *(neu)*"}.get(theme.kind, text)
                dots = "" if not theme.dots else (
                    " (1 Punkt)" if theme.dots == 1 else f" ({theme.dots} Punkte)")
                lines.append(f"- {text}{dots}")
            lines.append("")
        lines += [f"> **{_md(r)}**" for r in report.remarks] + [""]
    if report.options.working:
        lines += ["## Ergebnisse der Arbeitsphase", ""]
        for field in report.fields:
            if field.subfield_of and not field.card_count and not field.statement:
                continue
            lines += [f"### {_md(field.number)} {_md(field.title)}".replace("  ", " "), ""]
            if field.topics:
                lines += [_md(field.topics), ""]
            for column in field.columns:
                lines += [f"**{_md(column.label)}**", ""]
                for card in column.cards:
                    weight = f" (×{card.weight})" if card.weight > 1 else ""
                    lines.append(f"- {_md(card.text)}{weight}")
                lines.append("")
            if field.sentence:
                lines += [f"> {_md(field.sentence)}", ""]
    if report.options.surveys:
        for survey in report.surveys:
            lines += [f"## Umfrageergebnisse: {_md(survey.title)}", ""]
            for source in survey.sources:
                label = _md(source.label) if source.label else "Live"
                lines += [f"### {label} ({source.respondents} Personen)", ""]
                for chart in source.charts:
                    r = chart.result
                    lines.append(f"**{_md(r.text)}** (n = {r.respondents})")
                    if not r.suppressed and r.counts:
                        lines += [f"- {_md(o)}: {c} ({p:.0f} %)" for o, c, p in
                                  zip(r.options, r.counts, r.percents, strict=True)]
                    elif not r.suppressed and r.mean is not None:
                        lines.append(f"- Mittelwert {r.mean}, Median {r.median}")
                    lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_json(report: Report) -> str:
    """Everything, for archives and other tools (charts as base64 PNG)."""
    data = report.model_dump(mode="json", exclude={"surveys"})
    data["surveys"] = [{
        "title": s.title,
        "sources": [{"label": src.label, "respondents": src.respondents,
                     "results": [{**c.result.model_dump(mode="json"),
                                  "chart_png": base64.b64encode(c.png).decode() if c.png
                                  else None} for c in src.charts]}
                    for src in s.sources]} for s in report.surveys]
    return json.dumps(data, ensure_ascii=False, indent=2)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Spreadsheets run cells that start like a formula; a leading apostrophe stops that."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def write_csv(report: Report, delimiter: str = ";") -> bytes:
    """One row per card, theme, remark and survey answer; UTF-8 with BOM for German Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Art", "Handlungsfeld", "Spalte", "Text", "Anzahl", "Runde", "Art des Themas"])
    for field in report.fields:
        for column in field.columns:
            for card in column.cards:
                writer.writerow([_cell(v) for v in ("Karte", field.number or field.title,
                                                    column.label, card.text, card.weight,
                                                    card.round, "")])
        if field.sentence:
            writer.writerow([_cell(v) for v in ("Leitsatz", field.number, "", field.sentence,
                                                "", "", "")])
    for pcol in report.plenary:
        for theme in pcol.themes:
            writer.writerow([_cell(v) for v in ("Thema", pcol.number, "", theme.text,
                                                theme.dots, "", theme.kind)])
    for remark in report.remarks:
        writer.writerow([_cell(v) for v in ("Bemerkung", "", "", remark, "", "", "")])
    for survey in report.surveys:
        for source in survey.sources:
            for chart in source.charts:
                r = chart.result
                for option, count in zip(r.options, r.counts, strict=False):
                    writer.writerow([_cell(v) for v in (
                        "Umfrage", source.label or "live", r.text, option, count, "", r.kind)])
                for _id, text in r.texts:
                    writer.writerow([_cell(v) for v in (
                        "Umfrage", source.label or "live", r.text, text, "", "", r.kind)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write(report: Report, fmt: str, *, delimiter: str = ";") -> bytes:
    """The file of one format as bytes."""
    if fmt == "html":
        return write_html(report).encode()
    if fmt == "pdf":
        return write_pdf(report)
    if fmt == "docx":
        return write_docx(report)
    if fmt == "md":
        return write_markdown(report).encode()
    if fmt == "json":
        return write_json(report).encode()
    if fmt == "csv":
        return write_csv(report, delimiter)
    raise ValueError(fmt)
