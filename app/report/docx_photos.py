"""Photos and cover logos in the Word file: each picture no wider than the text column, with
its caption kept on the same page and its alternative text. Photos are numbered through the
document as in the HTML and PDF ("Foto 3"); a field's stand in its chapter, the appendix
"Fotodokumentation" lists them all and shows those that stand nowhere else."""

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Emu, Length, Pt

from app.report.model import Report, ReportField, ReportImage
from app.report.wordkit import table, text

PHOTO_HEIGHT = Cm(12)  # two upright photos with their captions still fit an A4 page
LOGO_HEIGHT = Cm(2)


def _column_width(document) -> Length:  # type: ignore[no-untyped-def]
    section = document.sections[-1]
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _place(document, photo: ReportImage, number: int, where: str) -> None:  # type: ignore[no-untyped-def]
    """The picture, as wide as the column allows (and no higher than PHOTO_HEIGHT), then its
    caption."""
    width = min(_column_width(document), int(PHOTO_HEIGHT * photo.width / max(photo.height, 1)))
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True  # the caption stays with its picture
    paragraph.paragraph_format.space_before = Pt(8)
    shape = paragraph.add_run().add_picture(io.BytesIO(photo.content), width=Emu(width))
    shape._inline.docPr.set("descr", text(photo.caption or f"Foto: {where}")[:2000])
    caption = f"Foto {number}" + (f": {photo.caption}" if photo.caption else "")
    document.add_paragraph(text(caption), style="Caption")


def _where(report: Report, key: str) -> str:
    for field in report.fields:
        if field.key == key:
            label = f"Handlungsfeld {field.number.removeprefix('HF ')} – " if field.number else ""
            return label + field.title
    return "Zukunftskonferenz"


def add_logos(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    """The organizer's logos (EU, LEADER, the region's) in a row on the cover."""
    if not report.logos:
        return
    widths = [LOGO_HEIGHT * logo.width / max(logo.height, 1) for logo in report.logos]
    gaps = Cm(0.5) * (len(widths) - 1)
    scale = min(1.0, (_column_width(document) - gaps) / max(sum(widths), 1))
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, (logo, width) in enumerate(zip(report.logos, widths, strict=True)):
        if index:
            paragraph.add_run("   ")
        shape = paragraph.add_run().add_picture(io.BytesIO(logo.content),
                                                width=Emu(int(width * scale)))
        shape._inline.docPr.set("descr", text(logo.caption or "Logo")[:2000])


def add_field_photos(document, report: Report, field: ReportField) -> None:  # type: ignore[no-untyped-def]
    """A field's photos after its table; a group that worked on paper only is said so."""
    if not report.photos_of(field.key):
        return
    if not field.card_count:
        document.add_paragraph("Diese Arbeitsgruppe hat auf Papier gearbeitet; ihre Ergebnisse "
                               "zeigen die Fotos.")
    where = _where(report, field.key)
    for number, photo in enumerate(report.photos, start=1):
        if photo.field_key == field.key:
            _place(document, photo, number, where)


def add_photo_appendix(document, report: Report) -> None:  # type: ignore[no-untyped-def]
    """Every photo in a list (number, field, caption); the pictures of those not shown in a
    chapter (the whole workshop's; all of them when the working phase is left out)."""
    if not (report.photos and report.options.appendix):
        return
    document.add_heading("Anhang: Fotodokumentation", level=1)
    count = len(report.photos)
    document.add_paragraph(f"{count} Foto{'' if count == 1 else 's'} von Flipcharts, "
                           "Pinnwänden und aus dem Saal.")
    table(document, ["Foto", "Handlungsfeld", "Bildunterschrift"], [
        (f"Foto {number}", _where(report, p.field_key) if p.field_key else "ganzer Workshop",
         p.caption) for number, p in enumerate(report.photos, start=1)])
    in_chapters = {f.key for f in report.fields} if report.options.working else set()
    for number, photo in enumerate(report.photos, start=1):
        if photo.field_key not in in_chapters:
            _place(document, photo, number, _where(report, photo.field_key))
