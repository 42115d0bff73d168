"""The documentation's data as an Excel workbook: one sheet per kind of record (app/report/
tables.py), real number, percent and date cells, user text always text, never a formula."""

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.report.model import Report
from app.report.tables import Table, Value, tables

_BOLD = Font(bold=True)
_DATE = "DD.MM.YYYY"
_DATETIME = "DD.MM.YYYY HH:MM"
_PERCENT = "0.0%"


def write_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in tables(report):
        _sheet(workbook.create_sheet(table.title), table)
    properties = workbook.properties
    properties.title = report.title
    properties.subject = "Ergebnisdokumentation"
    properties.creator = report.publisher or "Zukunftskonferenz"
    properties.keywords = report.region_name or report.region
    properties.language = "de-DE"
    # Core properties hold UTC without a zone; openpyxl marks them as UTC ("Z").
    properties.created = properties.modified = report.exported_at.astimezone(
        dt.UTC).replace(tzinfo=None)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet(sheet: Worksheet, table: Table) -> None:
    sheet.append([c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = _BOLD
    percents = {i for i, c in enumerate(table.columns, start=1) if c.percent}
    for row in table.rows:
        sheet.append([_value(v, i in percents) for i, v in enumerate(row, start=1)])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=HYPERLINK(…)" from a phone stays text
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = _DATETIME
            elif isinstance(cell.value, dt.date):
                cell.number_format = _DATE
            elif cell.column in percents and cell.value is not None:
                cell.number_format = _PERCENT
    for index, column in enumerate(table.columns):
        values = [len(str(row[index])) for row in table.rows[:500] if row[index] is not None]
        width = max(len(column.header), min(max(values, default=0), column.width), 6) + 2
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def _value(value: Value, percent: bool) -> Value:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if percent and isinstance(value, int | float):
        return value / 100  # Excel's percent format shows 0.423 as 42.3 %
    return value
