"""The report value and every writer, read back with a reader of that format."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from docx import Document
from pypdf import PdfReader
from sqlmodel import Session, select

from app import moderation, phases, plenary, statements, weighting
from app.access import MAIN
from app.cards import list_cards
from app.models import Workshop
from app.report import ReportOptions, build_report
from app.report.model import Report
from app.report.writers import (
    write_csv,
    write_docx,
    write_html,
    write_json,
    write_markdown,
    write_pdf,
)
from app.workshops import get_field
from tests.factories import make_card, make_participant, make_workshop

SEED_HF1 = {
    "strengths": ["Attraktivität des Raumes (Vielfalt der Natur, Landschaft)",
                  "Platz zum Verwirklichen (räumlich)", "bezahlbare Nutzungskonzepte (neue)",
                  "Vereinskultur"],
    "weaknesses": ["Leerstand", "keine gute Vernetzung im ÖPNV", "fehlende ärztliche Versorgung",
                   "Kein Arzt im Dorf"],
    "potentials": ["Grünes Zentrum als zentraler Ort", "Förderung von „dritten Orten“."],
    "ideas": ["Reaktivierung der Bahnverbindung"],
}
EDGE = ["=HYPERLINK(\"http://x\",\"klick\")", "+cmd|' /C calc'!A0", "<script>alert(1)</script>",
        "**fett** und [link](http://x)", "x" * 500, "Dorfladen 🛒 شكرا", "Off-Topic"]


def _results(document):  # type: ignore[no-untyped-def]
    """The document's tables after the agenda: the plenary, then one per field."""
    return [t for t in document.tables if t.rows[0].cells[-1].text != "Programmpunkt"]


@pytest.fixture
def filled(session: Session) -> Workshop:
    workshop = make_workshop(session, westharz=True)
    anna = make_participant(session, workshop, name="Anna")
    for category, texts in SEED_HF1.items():
        for text in texts:
            make_card(session, workshop, anna, category=category, text=text)
    for text in EDGE:
        make_card(session, workshop, anna, field="hf2", category="ideas", text=text)
    cards = {c.text: c.id for c in list_cards(session=session, workshop=workshop)}
    moderation.merge(session=session, workshop=workshop, facilitator=MAIN,
                     card_ids=[cards["fehlende ärztliche Versorgung"], cards["Kein Arzt im Dorf"]],
                     text="fehlende ärztliche Versorgung")
    moderation.set_hidden(session=session, workshop=workshop, facilitator=MAIN,
                          card_ids=[cards["Off-Topic"]], hidden=True)
    statements.adopt(session=session, workshop=workshop, facilitator=MAIN,
                     field=get_field(session=session, workshop=workshop, key="hf1"),
                     text="die Region attraktiv und lebenswert für alle Generationen bleibt.")
    phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")
    carsharing = next(t.id for c in plenary.columns(session=session, workshop=workshop)
                      for t in c.themes if t.text == "Carsharing")
    weighting.place_dot(session=session, workshop=workshop, participant=anna, theme_id=carsharing)
    return workshop


@pytest.fixture
def report(session: Session, filled: Workshop) -> Report:
    return build_report(session=session, workshop=filled)


def test_report_value(report: Report) -> None:
    assert report.title == "Zukunftskonferenz Westharz" and report.leitbild
    hf1 = report.fields[0]
    columns = {c.label: [(card.text, card.weight) for card in c.cards] for c in hf1.columns}
    assert columns["Stärken"] == [(t, 1) for t in SEED_HF1["strengths"]]
    assert columns["Schwächen"] == [("Leerstand", 1), ("keine gute Vernetzung im ÖPNV", 1),
                                    ("fehlende ärztliche Versorgung", 2)]
    assert hf1.sentence == ("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, "
                            "dass die Region attraktiv und lebenswert für alle Generationen "
                            "bleibt.")
    hf2_ideas = [c.text for c in report.fields[1].columns[3].cards]
    assert "Off-Topic" not in hf2_ideas and len(hf2_ideas) == len(EDGE) - 1
    assert [c.number for c in report.plenary] == ["HF 1", "HF 2", "HF 3", "HF 4", "HF 5"]
    carsharing = next(t for t in report.plenary[0].themes if t.text == "Carsharing")
    assert (carsharing.kind, carsharing.dots) == ("conference", 1)
    assert report.remarks == ["Digitalisierung überall mitdenken!", "Netzabdeckung sicher stellen."]
    assert report.stats.participants == 1 and report.stats.cards == 10 + len(EDGE) - 1
    assert all(card.author == "" for f in report.fields for c in f.columns for card in c.cards)


def test_authors_only_when_asked_and_only_who_agreed(session: Session, filled: Workshop) -> None:
    from app import participants
    from app.models import Participant

    named = build_report(session=session, workshop=filled, options=ReportOptions(authors=True))
    assert named.fields[0].columns[0].cards[0].author == ""  # Anna gave a name, no consent
    anna = session.exec(select(Participant).where(Participant.display_name == "Anna")).one()
    participants.set_name(session=session, participant=anna, display_name="Anna",
                          in_report=True)
    named = build_report(session=session, workshop=filled, options=ReportOptions(authors=True))
    assert named.fields[0].columns[0].cards[0].author == "Anna"
    anonymous = build_report(session=session, workshop=filled)
    assert anonymous.fields[0].columns[0].cards[0].author == ""


def test_html_is_self_contained_and_escaped(report: Report) -> None:
    html = write_html(report)
    page = BeautifulSoup(html, "html.parser")
    assert page.select("script") == [] and "<script>alert(1)</script>" in page.text
    assert not page.select("[src^=http], link[href^=http]")
    headings = [h.get_text(" ", strip=True) for h in page.select("h2")]
    assert "Ergebnisse der Diskussionsrunde im Plenum" in headings
    assert "Ergebnisse der Arbeitsphase" in headings
    plenary_table = page.select_one(".plenary table")
    assert plenary_table.select_one("th").text == "HF 1: Gutes Leben in der Region"
    assert plenary_table.select_one(".theme-mandatory") is not None
    hf1 = page.select_one("#field-hf1").find_parent("section")
    assert [th.text for th in hf1.select("th")] == ["Stärken", "Schwächen", "Potentiale", "Ideen"]
    assert "(×2)" in hf1.text
    assert hf1.select_one(".statement .completion").text.startswith("… die Region attraktiv")


def test_pdf_has_the_structure_and_the_text(report: Report) -> None:
    reader = PdfReader(io.BytesIO(write_pdf(report)))
    # pypdf returns some runs as UTF-16 with NUL bytes between the letters.
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    for expected in ("Ergebnisdokumentation", "Ergebnisse der Diskussionsrunde im Plenum",
                     "Ergebnisse der Arbeitsphase", "Vereinskultur", "Reaktivierung der",
                     "<script>alert(1)</script>", "Digitalisierung überall mitdenken!"):
        # Narrow columns wrap lines, so compare without white space.
        assert "".join(expected.split()) in "".join(text.split()), expected
    assert len(reader.pages) >= 4
    pages = ["".join(page.extract_text().replace("\x00", "").split()) for page in reader.pages]
    plenary_page = next(i for i, p in enumerate(pages) if "DiskussionsrundeimPlenum" in p)
    wide = [p.mediabox.width > p.mediabox.height for p in reader.pages]
    assert wide[plenary_page] and not wide[0] and not wide[-1]  # only the plenary: landscape
    assert "MethodeundAblauf" in pages[plenary_page - 1]  # the method before the plenary
    assert "Off-Topic" not in text


def test_docx_has_headings_tables_and_page_numbers(report: Report) -> None:
    document = Document(io.BytesIO(write_docx(report)))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]
    assert ("Title", "Zukunftskonferenz Westharz") in headings
    assert ("Heading 1", "Ergebnisse der Arbeitsphase") in headings
    assert ("Heading 2", "Handlungsfeld 1 – Gutes Leben in der Region") in headings
    plenary_table, hf1 = _results(document)[0], _results(document)[1]
    assert plenary_table.cell(0, 0).text == "HF 1: Gutes Leben in der Region"
    assert [hf1.cell(0, i).text for i in range(4)] == ["Stärken", "Schwächen", "Potentiale",
                                                       "Ideen"]
    assert "fehlende ärztliche Versorgung (×2)" in hf1.cell(1, 1).text.splitlines()
    assert {p.style.name for p in hf1.cell(1, 1).paragraphs} == {"Karte"}  # a list style
    assert "Vereinskultur" in hf1.cell(1, 0).text
    texts = "\n".join(p.text for p in document.paragraphs)
    assert "… die Region attraktiv und lebenswert für alle Generationen bleibt." in texts
    all_cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "<script>alert(1)</script>" in all_cells and "Off-Topic" not in all_cells
    assert "PAGE" in document.sections[0].footer._element.xml
    underlined = [r for r in plenary_table.cell(1, 0).paragraphs[1].runs
                  if r.style is not None and r.style.name == "Thema Land"]
    assert underlined and underlined[0].style.font.underline, "mandatory themes: underlined"


def test_markdown_escapes_user_syntax(report: Report) -> None:
    markdown = write_markdown(report)
    assert r"\*\*fett\*\* und \[link\](http://x)" in markdown  # only what starts syntax
    assert r"\<script>alert(1)\</script>" in markdown
    assert "> Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass" in markdown


def test_csv_opens_in_german_excel_without_formulas(report: Report) -> None:
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(write_csv(report)))  # one file per kind of record
    data = archive.read("karten.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Handlungsfeld", "Spalte", "Text"]
    texts = [r[2] for r in rows]
    assert "'=HYPERLINK(\"http://x\",\"klick\")" in texts
    assert "'+cmd|' /C calc'!A0" in texts
    assert not any(t.startswith(("=", "+", "@")) for t in texts)
    assert ["HF 1", "Schwächen", "fehlende ärztliche Versorgung", "2", "1"] in rows
    comma = zipfile.ZipFile(io.BytesIO(write_csv(report, ",")))
    assert next(csv.reader(io.StringIO(comma.read("themen.csv").decode("utf-8-sig"))))[0] == (
        "Plenum")


def test_json_has_everything(report: Report) -> None:
    data = json.loads(write_json(report))
    assert data["fields"][0]["sentence"].startswith("Mit diesem Handlungsfeld")
    assert data["plenary"][0]["themes"][0]["text"] == "Wohnen & Arbeiten"


def test_empty_workshop_still_exports(session: Session) -> None:
    empty = build_report(session=session, workshop=make_workshop(session))
    assert empty.stats.cards == 0
    assert BeautifulSoup(write_html(empty), "html.parser").select_one("h1").text
    assert write_pdf(empty).startswith(b"%PDF")
    assert Document(io.BytesIO(write_docx(empty))).paragraphs


def test_a_very_full_column_breaks_across_pages(session: Session) -> None:
    workshop = make_workshop(session)
    person = make_participant(session, workshop)
    for n in range(300):
        make_card(session, workshop, person, category="ideas", text=f"Idee Nummer {n}")
    report = build_report(session=session, workshop=workshop)
    reader = PdfReader(io.BytesIO(write_pdf(report)))
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    assert len(reader.pages) > 5
    assert "IdeeNummer0" in "".join(text.split()) and "IdeeNummer299" in "".join(text.split())
    rows = _results(Document(io.BytesIO(write_docx(report))))[1].cell(1, 3).paragraphs
    assert len(rows) == 300


def test_survey_charts_are_in_every_format(session: Session, filled: Workshop) -> None:
    from app import surveys

    [survey] = surveys.surveys_of(session=session, workshop=filled)
    surveys.set_status(session=session, workshop=filled, facilitator=MAIN, survey=survey,
                       status="open")
    question = surveys.questions_of(session=session, survey=survey)[0]
    for _ in range(5):
        surveys.answer(session=session, workshop=filled,
                       participant=make_participant(session, filled), survey=survey,
                       values={question.id: 0})
    report = build_report(session=session, workshop=filled)
    page = BeautifulSoup(write_html(report), "html.parser")
    chart = page.select_one(".chart [role=img]")
    assert chart is not None and chart.select_one("svg") is not None
    assert chart["aria-label"].startswith("HF 1: Gutes Leben in der Region: 5 (100.0 %)")
    document = Document(io.BytesIO(write_docx(report)))
    assert len(document.inline_shapes) >= 1
    assert "HF 1: Gutes Leben in der Region: 5 (100 %)" in write_markdown(report)


def test_a_survey_option_that_looks_like_math_exports_as_text(session: Session,
                                                               filled: Workshop) -> None:
    from app import surveys
    from app.report.writers import FORMATS, write

    survey = surveys.create_survey(session=session, workshop=filled, definition=surveys.SurveyDef(
        title="Preise", questions=[surveys.QuestionDef(
            kind="single", text="Was kostet $x^$?", options=["$x^$", "5 $ oder $$ 10"])]))
    surveys.set_status(session=session, workshop=filled, facilitator=MAIN, survey=survey,
                       status="open")
    [question] = surveys.questions_of(session=session, survey=survey)
    for n in range(5):
        surveys.answer(session=session, workshop=filled,
                       participant=make_participant(session, filled), survey=survey,
                       values={question.id: n % 2})
    report = build_report(session=session, workshop=filled)
    for fmt in FORMATS:
        assert write(report, fmt, delimiter=";"), fmt
    html = write_html(report)
    assert "$x^$" in html


def test_word_file_needs_no_hand_fixes(report: Report) -> None:
    """A4 (only the plenary landscape), German, the workshop in the properties, each field on
    its own page, table header rows repeated and never split (issue 19, first part)."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = Document(io.BytesIO(write_docx(report)))
    sizes = [(round(s.page_width.cm, 1), round(s.page_height.cm, 1))  # type: ignore[union-attr]
             for s in document.sections]
    assert sizes == [(21.0, 29.7), (29.7, 21.0), (21.0, 29.7)]
    assert abs(document.sections[0].page_width - Cm(21)) < Cm(0.01)  # type: ignore[operator]
    langs = {lang.get(qn("w:val")) for lang in document.styles.element.iter(qn("w:lang"))}
    assert langs == {"de-DE"}
    core = document.core_properties
    assert (core.title, core.subject, core.language) == (
        "Zukunftskonferenz Westharz", "Ergebnisdokumentation", "de-DE")
    assert core.author != "python-docx" and core.created.year >= 2026  # type: ignore[union-attr]
    field_headings = [p for p in document.paragraphs if p.style.name == "Heading 2"
                      and p.text.startswith("Handlungsfeld")]
    assert field_headings and all(p.paragraph_format.page_break_before for p in field_headings)
    for table in document.tables:
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        assert first.find(qn("w:cantSplit")) is not None
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "(1 Punkt)" in text and "(1 Punkte)" not in text


def test_pdf_is_tagged_and_german(report: Report) -> None:
    reader = PdfReader(io.BytesIO(write_pdf(report)))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de" and bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert "/Outlines" in root  # bookmarks kept
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4


def test_word_styles_toc_and_alt_text(session: Session, filled: Workshop) -> None:
    """Theme kinds and cards are named styles (restyled in one place, no direct formatting),
    a table of contents field Word fills, the cover names the publisher, charts carry their
    values as alternative text, round marks only when asked for."""
    from docx.oxml.ns import qn

    from app import surveys
    from tests.factories import make_participant as join

    [survey] = surveys.surveys_of(session=session, workshop=filled)
    surveys.set_status(session=session, workshop=filled, facilitator=MAIN, survey=survey,
                       status="open")
    question = surveys.questions_of(session=session, survey=survey)[0]
    for choice in (0, 1, 1, 2, 0):
        surveys.answer(session=session, workshop=filled, survey=survey,
                       participant=join(session, filled), values={question.id: choice})
    filled.legal = {"organizer": "LAG Westharz"}
    from sqlalchemy import text as sql

    session.execute(sql("UPDATE card SET round = 2 WHERE text = 'Vereinskultur'"))
    session.commit()
    report = build_report(session=session, workshop=filled)
    document = Document(io.BytesIO(write_docx(report)))
    body = document.element.body
    assert "LAG Westharz" in document.core_properties.author
    assert any("TOC" in (t.text or "") for t in body.iter(qn("w:instrText")))
    names = {s.name for s in document.styles}
    assert {"Thema Land", "Thema LAG", "Thema Konferenz", "Karte"} <= names
    plenary = _results(document)[0]
    styled = [r for c in plenary.rows[1].cells for p in c.paragraphs for r in p.runs
              if r.style is not None and r.style.name.startswith("Thema")]
    assert styled and all(r.bold is None and r.underline is None for r in styled)
    cards = [p for t in _results(document)[1:2] for c in t.rows[1].cells for p in c.paragraphs
             if p.text]
    assert cards and all(p.style.name == "Karte" for p in cards)
    assert report.rounds_used and not any("(R" in p.text for p in cards)  # off by default
    captions = [p for p in document.paragraphs if "(n = " in p.text]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    descriptions = [d.get("descr") for d in body.iter(qn("wp:docPr"))
                    if not d.get("descr", "").startswith("Wortwolke: ")]
    assert descriptions and all(descriptions) and "%" in descriptions[0]
    rounds = build_report(session=session, workshop=filled,
                          options=ReportOptions(rounds=True))
    marked = Document(io.BytesIO(write_docx(rounds)))
    text = "\n".join(c.text for t in marked.tables for r in t.rows for c in r.cells)
    assert "Vereinskultur (R2)" in text and "(R1)" in text


def test_pdf_breaks_long_german_words_with_a_hyphen(session: Session) -> None:
    """In narrow table cells a compound breaks at a syllable with a hyphen, never mid-word
    without one ("Mehrgenerationenh aus")."""
    import re

    workshop = make_workshop(session, westharz=True)
    author = make_participant(session, workshop)
    words = ["Mehrgenerationenhaus", "Breitbandversorgungsausbau"]
    for word in words:
        make_card(session, workshop, author, text=word)
    pdf = write_pdf(build_report(session=session, workshop=workshop))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for word in words:
        pattern = "(?:\u2010?\n)?".join(re.escape(letter) for letter in word)
        found = re.findall(pattern, text)
        assert found, word
        assert all("\n" not in f or "\u2010\n" in f for f in found), found
    assert any("\u2010\n" in f for w in words for f in re.findall(
        "(?:\u2010?\n)?".join(re.escape(c) for c in w), text))  # at least one did break


def test_word_small_things(report: Report) -> None:
    """The working phase introduced, chart captions kept with their chart, no rows for empty
    sub-fields in the appendix, the export time in German local time."""
    document = Document(io.BytesIO(write_docx(report)))
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("Es gab 5 Arbeitsgruppen") for t in texts)
    appendix = document.tables[-1]
    labels = [row.cells[0].text for row in appendix.rows[1:]]
    assert "HF 4 A" not in labels and "HF 4 B" not in labels and "HF 1" in labels
    created = next(t for t in texts if t.startswith("Erstellt am"))
    assert "UTC" not in created
    html = write_html(report)
    assert "<th scope=\"row\">HF 4 A</th>" not in html
