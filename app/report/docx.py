"""The Ergebnisdokumentation as Word (DOCX), ready to publish without hand work: A4, German
as the document language, the workshop in the file's properties, headings kept with what
follows, each Handlungsfeld on a new page, table header rows repeated on every page."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.report import docx_chapters, docx_photos, wordkit
from app.report.model import Report
from app.report.wordkit import alt_text as _alt_text
from app.report.wordkit import header_row as _header_row
from app.report.wordkit import keep_together as _keep_together
from app.report.wordkit import text as _text
from app.text import clock_date, counted

GREEN = RGBColor(0x1E, 0x6B, 0x34)
A4 = (Cm(21), Cm(29.7))




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
    _german(document)
    _properties(document, report)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = A4
    section.left_margin = section.right_margin = Cm(2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_text(f"{report.title} – Seite "))
    _page_number(footer)

    _styles(document)
    wordkit.cache_style_ids(document)  # after the styles are added: no name changes after this
    card_style = document.styles[CARD_STYLE].style_id
    # The cover: what it is, for whom, when and where, by whom; then the table of contents.
    docx_photos.add_logos(document, report)
    document.add_paragraph("Ergebnisdokumentation")
    document.add_heading(_text(report.title), level=0)
    when = report.date.strftime("%d.%m.%Y") if report.date else ""
    if when or report.place:
        document.add_paragraph(_text(", ".join(p for p in (when, report.place) if p)))
    document.add_paragraph(f"Region: {_text(report.region_name or report.region)} · "
                           f"{report.participation.people} Teilnehmende")
    if report.publisher:
        document.add_paragraph(_text(f"Herausgeber: {report.publisher}"))
    if report.leitbild:
        document.add_paragraph(_text(f"Leitbild: „{report.leitbild}“"), style="Quote")
    document.add_heading("Inhalt", level=1).paragraph_format.page_break_before = True
    _table_of_contents(document.add_paragraph())
    if report.goals:
        document.add_heading("Ziele", level=2)
        for goal in report.goals:
            document.add_paragraph(_text(goal), style="List Bullet")
    docx_chapters.method(document, report)

    if report.options.plenary and report.plenary:
        wide = document.add_section()  # only the plenary is landscape
        wide.orientation = WD_ORIENT.LANDSCAPE
        wide.page_width, wide.page_height = A4[1], A4[0]
        document.add_heading("Ergebnisse der Diskussionsrunde im Plenum", level=1)
        if report.questions:
            document.add_paragraph("Zu den Fragen:")
            for question in report.questions:
                document.add_paragraph(_text(question), style="List Bullet")
        legend = document.add_paragraph("Erläuterung: ")
        legend.add_run("Unterstrichen", style=THEME_STYLES["mandatory"])
        legend.add_run(" = Verpflichtende Themen des Landes · ")
        legend.add_run("Fett", style=THEME_STYLES["lag"])
        legend.add_run(" = durch die LAG im Laufe des Prozesses genannte Themen/Schwerpunkte · ")
        legend.add_run("Grün", style=THEME_STYLES["conference"])
        legend.add_run(" = in der Zukunftskonferenz hinzugefügte Punkte; die Größe zeigt die "
                       "Bedeutung (Punkte)")
        top = max((t.dots for c in report.plenary for t in c.themes), default=0) or 1
        table = document.add_table(rows=2, cols=len(report.plenary))
        table.style = "Table Grid"
        _header_row(table.rows[0])
        for index, pcol in enumerate(report.plenary):
            table.cell(0, index).text = _text(f"{pcol.number}: {pcol.title}")
            table.cell(0, index).paragraphs[0].runs[0].bold = True
            cell = table.cell(1, index)
            cell.paragraphs[0].text = ""
            for number, theme in enumerate(pcol.themes):
                paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                run = paragraph.add_run(_text("• " + theme.text + (
                    f" ({theme.subfield})" if theme.subfield else "")),
                    style=THEME_STYLES[theme.kind])
                run.font.size = Pt(9 * (1 + 0.6 * theme.dots / top))  # the dots: its weight
                if theme.dots:
                    paragraph.add_run(f" ({counted(theme.dots, 'Punkt', 'Punkte')})"
                                      ).font.size = Pt(8)
        for remark in report.remarks:
            document.add_paragraph(_text(remark), style="List Bullet").runs[0].bold = True
        back = document.add_section()
        back.orientation = WD_ORIENT.PORTRAIT
        back.page_width, back.page_height = A4

    if report.options.working:
        document.add_heading("Ergebnisse der Arbeitsphase", level=1)
        groups = sum(1 for f in report.fields if not f.subfield_of)
        document.add_paragraph(  # the working phase introduced, as in the HTML and PDF
            ("Es gab eine Arbeitsgruppe." if groups == 1 else
             f"Es gab {groups} Arbeitsgruppen, zu jedem Handlungsfeld eine.")
            + (" In zwei Runden wurden Stärken, Schwächen, Potentiale und Ideen diskutiert "
               "und ein Leitsatz formuliert." if report.rounds_used else ""))
        for field in report.fields:
            if (field.subfield_of and not field.card_count and not field.statement
                    and not report.photos_of(field.key)):
                continue
            label = f"Handlungsfeld {field.number.removeprefix('HF ')} – " if field.number else ""
            heading = document.add_heading(_text(label + field.title), level=2)
            heading.paragraph_format.page_break_before = True  # each field on a page of its own
            if field.topics:
                document.add_paragraph(_text(field.topics))
            table = document.add_table(rows=2, cols=len(field.columns))
            table.style = "Table Grid"
            _header_row(table.rows[0])
            for index, column in enumerate(field.columns):
                table.cell(0, index).text = _text(column.label)
                table.cell(0, index).paragraphs[0].runs[0].bold = True
                cell = table.cell(1, index)
                for number, card in enumerate(column.cards):
                    paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                    # A list, restyled at once; the id set directly (python-docx's setter
                    # searches every style for each of 2,000 cards).
                    paragraph._p.style = card_style
                    extra = (f" (×{card.weight})" if card.weight > 1 else "") + (
                        f" (R{card.round})" if report.rounds_used and report.options.rounds
                        else "") + (f" – {card.author}" if card.author else "")
                    paragraph.add_run(_text(card.text + extra))
            docx_photos.add_field_photos(document, report, field)
            if field.words_png:  # the cloud, its words with their counts as its text
                document.add_picture(io.BytesIO(field.words_png), width=Cm(15))
                _alt_text(document, "Wortwolke: " + field.words_text)
                document.paragraphs[-1].paragraph_format.keep_with_next = True
                document.add_paragraph(_text("Häufige Wörter: " + field.words_text))
            document.add_paragraph(_text(field.stem))
            completion = document.add_paragraph(
                _text("… " + field.statement) if field.statement else "(kein Leitsatz beschlossen)")
            completion.runs[0].bold = bool(field.statement)

    if report.options.surveys:
        for survey in report.surveys:
            document.add_heading(_text(f"Umfrageergebnisse: {survey.title}"), level=1)
            for source in survey.sources:
                document.add_heading(_text(f"{source.title} ({source.respondents} Personen)"),
                                     level=2)
                for chart in source.charts:
                    result = chart.result
                    caption = document.add_paragraph(
                        _text(f"{result.text} (n = {result.respondents})"))
                    caption.paragraph_format.keep_with_next = True  # stays with its chart
                    if result.suppressed:
                        document.add_paragraph(f"Weniger als {result.minimum} Antworten: zum "
                                               "Schutz der Anonymität nur die Anzahl.")
                    elif result.kind == "text":
                        count = len(result.texts)
                        document.add_paragraph(counted(count, "Antwort", "Antworten"))
                        for _id, text in result.texts:
                            document.add_paragraph(_text(text), style="List Bullet")
                    elif chart.png:
                        document.add_picture(io.BytesIO(chart.png), width=Cm(15))
                        _alt_text(document, chart.alt or result.text)

    if report.options.appendix:
        document.add_heading("Anhang: Beteiligung", level=1)
        docx_chapters.participation(document, report)
        table = document.add_table(rows=1, cols=len(report.categories) + 1)
        table.style = "Table Grid"
        _header_row(table.rows[0])
        table.cell(0, 0).text = "Handlungsfeld"
        for index, label in enumerate(report.categories, start=1):
            table.cell(0, index).text = _text(label)
        empty_parts = {f"{f.number}" for f in report.fields if f.subfield_of and not f.card_count}
        for field_label, per in report.stats.per_field.items():
            if field_label in empty_parts:
                continue  # a sub-field nobody wrote in (HF 4 A/B) is no row of its own
            added = table.add_row()
            _keep_together(added)
            row = added.cells
            row[0].text = _text(field_label)
            for index, label in enumerate(report.categories, start=1):
                row[index].text = str(per[label])
        document.add_paragraph(f"Erstellt am {clock_date(report.exported_at, report.timezone)} mit "
                               f"Zukunftskonferenz {report.version}.")
    docx_photos.add_photo_appendix(document, report)
    docx_chapters.privacy(document, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _german(document) -> None:  # type: ignore[no-untyped-def]
    """German as the language of the whole document (Word's spelling check, hyphenation):
    in the defaults every style inherits and in the normal style."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    for rpr in (properties, document.styles["Normal"].element.get_or_add_rPr()):
        if rpr is None:
            continue
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        lang = OxmlElement("w:lang")
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attribute), "de-DE")
        rpr.append(lang)


def _properties(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    """The file's properties name the workshop, not the library that wrote it."""
    core = document.core_properties
    core.title = _text(report.title)[:255]
    core.subject = "Ergebnisdokumentation"
    core.author = core.last_modified_by = _text(report.publisher or report.region_name
                                                or "Zukunftskonferenz")[:255]
    core.language = "de-DE"
    core.keywords = "Zukunftskonferenz, Beteiligung, Regionales Entwicklungskonzept"
    core.created = core.modified = report.exported_at.replace(tzinfo=None)
    core.revision = 1






THEME_STYLES = {"mandatory": "Thema Land", "lag": "Thema LAG", "conference": "Thema Konferenz"}
CARD_STYLE = "Karte"


def _styles(document) -> None:  # type: ignore[no-untyped-def]
    """Named styles instead of direct formatting: a Word user restyles every theme of a kind,
    or every card, in one place."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles
    for kind, name in THEME_STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        style.font.underline = kind == "mandatory"
        style.font.bold = kind == "lag"
        if kind == "conference":
            style.font.color.rgb = GREEN
    card = styles.add_style(CARD_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    card.base_style = styles["List Bullet"]
    card.paragraph_format.space_after = Pt(2)


def _table_of_contents(paragraph) -> None:  # type: ignore[no-untyped-def]
    """A TOC field over headings 1–2; Word fills it when the file is opened."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, 'TOC \\o "1-2" \\h \\z \\u'), ("separate", None),
                       (None, None), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                char.set(qn("w:dirty"), "true")  # Word updates it on opening
            run._r.append(char)
        elif text is not None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            placeholder = OxmlElement("w:t")
            placeholder.text = "Das Inhaltsverzeichnis füllt Word beim Öffnen (sonst: F9)."
            run._r.append(placeholder)
