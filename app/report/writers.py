"""One writer per format: each takes a Report and returns the file's content."""

import base64
import csv
import datetime as dt
import io
import json
import re
import zipfile
from functools import cache
from typing import TYPE_CHECKING

from app.errors import N_
from app.report.markdown import write_markdown
from app.report.model import Report, ReportChart, ReportImage
from app.report.tables import Value, local_time, tables

if TYPE_CHECKING:
    from app.web.templating import Templates

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "md": "text/markdown; charset=utf-8", "json": "application/json",
           "csv": "application/zip"}
# The file name's extension where it is not the format's name: CSV is a ZIP of one file per
# kind of record.
EXTENSIONS = {"csv": "zip"}
# What the export page offers, in its order (msgids): every format of FORMATS, once.
FORMAT_LABELS = {"docx": N_("Word (DOCX) – zum Bearbeiten"), "pdf": N_("PDF – zum Veröffentlichen"),
                 "xlsx": N_("Excel (XLSX) – alle Daten als Tabellen"),
                 "html": N_("Webseite (HTML)"), "md": N_("Markdown"),
                 "json": N_("JSON – alle Daten"), "csv": N_(
                     "CSV – eine Datei je Art von Daten (ZIP)")}
assert FORMAT_LABELS.keys() == FORMATS.keys()


def filename(stem: str, fmt: str) -> str:
    """"ergebnisdokumentation-westharz.zip" for CSV, ".docx" for DOCX and so on."""
    return f"{stem}.{EXTENSIONS.get(fmt, fmt)}"


# Control characters that XML (and so DOCX) cannot hold.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@cache
def _templates() -> "Templates":
    # Imported here: the web templating loads FastAPI and Starlette (0.3 s) that the formats
    # written without a template (DOCX, XLSX, Markdown, JSON, CSV) never need.
    from app.web.templating import Templates

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


def write_json(report: Report) -> str:
    """Everything, for archives and other tools. Charts, photos and logos by reference (the
    numbers are there); embedded as base64 only with the option `charts`."""
    embed = report.options.charts
    data = report.model_dump(mode="json", exclude={"surveys", "photos", "logos"})
    for field_data, report_field in zip(data["fields"], report.fields, strict=True):
        field_data["words"] = [{"text": w.text, "count": w.count} for w in report_field.words]
    data["surveys"] = [{
        "title": s.title,
        "sources": [{"label": src.label, "combined": src.combined, "title": src.title,
                     "respondents": src.respondents,
                     "results": [{**c.result.model_dump(mode="json"),
                                  "chart": _chart(c, f"chart-{n}-{m}-{c.result.question_id}",
                                                  embed)} for c in src.charts]}
                    for m, src in enumerate(s.sources, start=1)]}
        for n, s in enumerate(report.surveys, start=1)]
    data["photos"] = [_image(p, embed) for p in report.photos]
    data["logos"] = [_image(p, embed) for p in report.logos]
    return json.dumps(data, ensure_ascii=False, indent=2)


def _chart(chart: ReportChart, ref: str, embed: bool) -> dict[str, str] | None:
    r = chart.result
    if r.suppressed or r.kind == "text":
        return None  # nothing to draw (as app/charts.py decides)
    if not embed:
        return {"id": ref, "media_type": "image/png"}
    png = chart.png
    return {"id": ref, "media_type": "image/png",
            **({"data": base64.b64encode(png).decode()} if png else {})}


def _image(image: ReportImage, embed: bool) -> dict[str, object]:
    meta: dict[str, object] = {"caption": image.caption, "field_key": image.field_key,
                               "media_type": image.media_type, "width": image.width,
                               "height": image.height, "size": len(image.content)}
    if embed:
        meta["data"] = base64.b64encode(image.content).decode()
    return meta


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Value, delimiter: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading apostrophe stops that.
    Numbers as German Excel reads them when the delimiter is the German one."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA) else value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        number = f"{value:.6f}".rstrip("0").rstrip(".")
        return number.replace(".", ",") if delimiter == ";" else number
    return str(value)


def write_csv(report: Report, delimiter: str = ";") -> bytes:
    """A ZIP of one CSV file per kind of record (karten.csv, themen.csv, …), each UTF-8 with
    BOM for German Excel."""
    out = io.BytesIO()
    stamp = local_time(report).timetuple()[:6]  # the same report gives the same bytes
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables(report):
            text = io.StringIO()
            writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
            writer.writerow([c.header for c in table.columns])
            writer.writerows([_cell(v, delimiter) for v in row] for row in table.rows)
            archive.writestr(zipfile.ZipInfo(table.file, stamp),
                             ("\ufeff" + text.getvalue()).encode("utf-8"),
                             zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_docx(report: Report) -> bytes:
    from app.report.docx import write_docx as docx  # python-docx loads only for Word

    return docx(report)


def write(report: Report, fmt: str, *, delimiter: str = ";") -> bytes:
    """The file of one format as bytes."""
    if fmt == "html":
        return write_html(report).encode()
    if fmt == "pdf":
        return write_pdf(report)
    if fmt == "docx":
        return write_docx(report)
    if fmt == "xlsx":
        from app.report.xlsx import write_xlsx  # openpyxl takes 0.2 s to import

        return write_xlsx(report)
    if fmt == "md":
        return write_markdown(report).encode()
    if fmt == "json":
        return write_json(report).encode()
    if fmt == "csv":
        return write_csv(report, delimiter)
    raise ValueError(fmt)
