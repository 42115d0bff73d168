"""One writer per format: each takes a Report and returns the file's content."""

import base64
import csv
import io
import json
import re
from functools import cache

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.errors import N_
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
GREEN = RGBColor(0x1E, 0x6B, 0x34)
# Control characters that XML (and so DOCX) cannot hold.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@cache
def _templates() -> Templates:
    return Templates()


def write_html(report: Report, locale: str = "de") -> str:
    """A single self-contained page: styles and charts inline, no outside requests."""
    return _templates().render("report/report.html", locale=locale, report=report)


def write_pdf(report: Report, locale: str = "de") -> bytes:
    """A4 with page numbers and running header, the plenary on a landscape page."""
    from weasyprint import HTML  # imported here: it loads Pango at import time

    pdf: bytes = HTML(string=write_html(report, locale)).write_pdf()
    return pdf


def _text(value: str) -> str:
    return _XML_INVALID.sub("", value)


def _page_number(paragraph) -> None:  # type: ignore[no-untyped-def]
    """A PAGE field, which Word fills in with the page number."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def write_docx(report: Report) -> bytes:
    """Word with real headings (navigation pane, table of contents) and real tables."""
    document = Document()
    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10.5)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_text(f"{report.title} – Seite "))
    _page_number(footer)

    document.add_paragraph("Ergebnisdokumentation")
    document.add_heading(_text(report.title), level=0)
    when = report.date.strftime("%d.%m.%Y") if report.date else ""
    if when or report.place:
        document.add_paragraph(_text(", ".join(p for p in (when, report.place) if p)))
    if report.leitbild:
        document.add_paragraph(_text(f"Leitbild: „{report.leitbild}“")).runs[0].italic = True
    document.add_paragraph(f"Region: {_text(report.region_name or report.region)} · "
                           f"{report.stats.participants} Teilnehmende")
    if report.goals:
        document.add_heading("Ziele", level=2)
        for goal in report.goals:
            document.add_paragraph(_text(goal), style="List Bullet")

    if report.options.plenary and report.plenary:
        wide = document.add_section()
        wide.orientation = WD_ORIENT.LANDSCAPE
        wide.page_width, wide.page_height = section.page_height, section.page_width
        document.add_heading("Ergebnisse der Diskussionsrunde im Plenum", level=1)
        if report.questions:
            document.add_paragraph("Zu den Fragen:")
            for question in report.questions:
                document.add_paragraph(_text(question), style="List Bullet")
        legend = document.add_paragraph("Erläuterung: ")
        legend.add_run("Unterstrichen").underline = True
        legend.add_run(" = Verpflichtende Themen des Landes · ")
        legend.add_run("Fett").bold = True
        legend.add_run(" = durch die LAG im Laufe des Prozesses genannte Themen/Schwerpunkte · ")
        green = legend.add_run("Grün")
        green.font.color.rgb = GREEN
        legend.add_run(" = in der Zukunftskonferenz hinzugefügte Punkte; die Größe zeigt die "
                       "Bedeutung (Punkte)")
        top = max((t.dots for c in report.plenary for t in c.themes), default=0) or 1
        table = document.add_table(rows=2, cols=len(report.plenary))
        table.style = "Table Grid"
        for index, pcol in enumerate(report.plenary):
            table.cell(0, index).text = _text(f"{pcol.number}: {pcol.title}")
            table.cell(0, index).paragraphs[0].runs[0].bold = True
            cell = table.cell(1, index)
            cell.paragraphs[0].text = ""
            for number, theme in enumerate(pcol.themes):
                paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                run = paragraph.add_run(_text("• " + theme.text + (
                    f" ({theme.subfield})" if theme.subfield else "")))
                run.font.size = Pt(9 * (1 + 0.6 * theme.dots / top))
                run.underline = theme.kind == "mandatory"
                run.bold = theme.kind == "lag"
                if theme.kind == "conference":
                    run.font.color.rgb = GREEN
                if theme.dots:
                    paragraph.add_run(f" ({theme.dots} Punkte)").font.size = Pt(8)
        for remark in report.remarks:
            document.add_paragraph(_text(remark), style="List Bullet").runs[0].bold = True
        back = document.add_section()
        back.orientation = WD_ORIENT.PORTRAIT
        back.page_width, back.page_height = section.page_width, section.page_height

    if report.options.working:
        document.add_heading("Ergebnisse der Arbeitsphase", level=1)
        for field in report.fields:
            if field.subfield_of and not field.card_count and not field.statement:
                continue
            label = f"Handlungsfeld {field.number.removeprefix('HF ')} – " if field.number else ""
            document.add_heading(_text(label + field.title), level=2)
            if field.topics:
                document.add_paragraph(_text(field.topics))
            table = document.add_table(rows=2, cols=len(field.columns))
            table.style = "Table Grid"
            for index, column in enumerate(field.columns):
                table.cell(0, index).text = _text(column.label)
                table.cell(0, index).paragraphs[0].runs[0].bold = True
                cell = table.cell(1, index)
                for number, card in enumerate(column.cards):
                    paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                    extra = (f" (×{card.weight})" if card.weight > 1 else "") + (
                        f" (R{card.round})" if report.rounds_used else "") + (
                        f" – {card.author}" if card.author else "")
                    paragraph.add_run(_text("• " + card.text + extra))
            document.add_paragraph(_text(field.stem))
            completion = document.add_paragraph(
                _text("… " + field.statement) if field.statement else "(kein Leitsatz beschlossen)")
            completion.runs[0].bold = bool(field.statement)

    if report.options.surveys:
        for survey in report.surveys:
            document.add_heading(_text(f"Umfrageergebnisse: {survey.title}"), level=1)
            for source in survey.sources:
                label = f"Vorab erhoben: {source.label}" if source.label else (
                    "Live in der Zukunftskonferenz")
                document.add_heading(_text(f"{label} ({source.respondents} Personen)"), level=2)
                for chart in source.charts:
                    result = chart.result
                    document.add_paragraph(_text(f"{result.text} (n = {result.respondents})"))
                    if result.suppressed:
                        document.add_paragraph(f"Weniger als {result.minimum} Antworten: zum "
                                               "Schutz der Anonymität nur die Anzahl.")
                    elif result.kind == "text":
                        for _id, text in result.texts:
                            document.add_paragraph(_text(text), style="List Bullet")
                    elif chart.png:
                        document.add_picture(io.BytesIO(chart.png), width=Cm(15))

    if report.options.appendix:
        document.add_heading("Anhang: Beteiligung", level=1)
        document.add_paragraph(f"{report.stats.participants} Teilnehmende · "
                               f"{report.stats.cards} Karten")
        table = document.add_table(rows=1, cols=len(report.categories) + 1)
        table.style = "Table Grid"
        table.cell(0, 0).text = "Handlungsfeld"
        for index, label in enumerate(report.categories, start=1):
            table.cell(0, index).text = _text(label)
        for field_label, per in report.stats.per_field.items():
            row = table.add_row().cells
            row[0].text = _text(field_label)
            for index, label in enumerate(report.categories, start=1):
                row[index].text = str(per[label])
        document.add_paragraph(f"Erstellt am {report.exported_at:%d.%m.%Y %H:%M} UTC mit "
                               f"Zukunftskonferenz {report.version}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


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
                dots = f" ({theme.dots} Punkte)" if theme.dots else ""
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
