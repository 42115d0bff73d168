"""Small pieces of Word XML the DOCX writer and its chapters share (python-docx has no API
for them): text Word can hold, repeated header rows, rows kept on one page, alt text."""

import re
from collections.abc import Sequence

from docx.oxml import OxmlElement

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """User text without the control characters XML (and so DOCX) cannot hold."""
    return _XML_INVALID.sub("", value)


def cache_style_ids(document) -> None:  # type: ignore[no-untyped-def]
    """Resolve each style name once per document. python-docx looks a name up and compares the
    style with the type's default for every paragraph, heading and run that names a style
    (about 1 ms each: 0.25 s of a 2,000-card export); in one document a name means one id."""
    part = document.part
    lookup = part.get_style_id
    ids: dict[tuple[str, object], str | None] = {}

    def get_style_id(style_or_name, style_type):  # type: ignore[no-untyped-def]
        if not isinstance(style_or_name, str):  # a style object (unhashable): as before
            return lookup(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in ids:
            ids[key] = lookup(style_or_name, style_type)
        return ids[key]

    part.get_style_id = get_style_id


def header_row(row) -> None:  # type: ignore[no-untyped-def]
    """Repeated at the top of every page the table runs onto, never split itself."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))
    properties.append(OxmlElement("w:cantSplit"))


def keep_together(row) -> None:  # type: ignore[no-untyped-def]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def alt_text(document, description: str) -> None:  # type: ignore[no-untyped-def]
    """The last picture's description for screen readers (a chart's values in words)."""
    pictures = document.inline_shapes
    if len(pictures):
        pictures[-1]._inline.docPr.set("descr", text(description)[:2000])


def table(document, headers: list[str], rows: Sequence[Sequence[object]], caption: str = ""):  # type: ignore[no-untyped-def]
    """A grid table with a repeated, bold header row; rows never split across pages."""
    if caption:
        document.add_paragraph(text(caption), style="Caption").paragraph_format.keep_with_next = (
            True)
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    header_row(grid.rows[0])
    for index, label in enumerate(headers):
        grid.cell(0, index).text = text(label)
        grid.cell(0, index).paragraphs[0].runs[0].bold = True
    for values in rows:
        added = grid.add_row()
        keep_together(added)
        for index, value in enumerate(values):
            added.cells[index].text = text(str(value))
    return grid
