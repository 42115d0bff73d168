"""The data formats (XLSX, CSV, Markdown, JSON), each read back with a reader of its own."""

import base64
import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt
from markdown_it.token import Token
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlmodel import Session, select

from app import surveys
from app.access import MAIN
from app.models import Workshop
from app.report import ReportOptions, build_report
from app.report.markdown import md
from app.report.model import Report, ReportImage, ReportParticipation, ReportSurveySource
from app.report.writers import write_csv, write_json, write_markdown
from app.report.xlsx import write_xlsx
from app.surveys import QuestionDef, QuestionResult, SurveyDef
from tests.conftest import AuthActions
from tests.factories import make_participant
from tests.test_report import EDGE, SEED_HF1, filled, report  # noqa: F401  (fixtures)

SHEETS = ["Übersicht", "Karten", "Wörter", "Themen", "Leitsätze", "Bemerkungen", "Umfragen",
          "Beteiligung"]
FILES = ["uebersicht.csv", "karten.csv", "woerter.csv", "themen.csv", "leitsaetze.csv",
         "bemerkungen.csv", "umfragen.csv", "beteiligung.csv"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                       "hQGAhKmMIQAAAABJRU5ErkJggg==")
PARTICIPATION = ReportParticipation(
    counted=48, by_group={"Wirtschaft": 12, "Zivilgesellschaft": 30, "=Verwaltung": 6},
    by_age={"unter 30": 9}, by_field={"HF 1": 11}, phones=35, phone_groups={"Wirtschaft": 5},
    proposals=7, supports=19, supporters=12, dots=120, dot_givers=30)


@pytest.fixture
def rich(session: Session, filled: Workshop) -> Report:  # noqa: F811
    """The filled workshop with a live survey of every kind (five answers each), an imported
    source too small to show, participation counted in the room, a photo and a logo."""
    survey = surveys.create_survey(session=session, workshop=filled, definition=SurveyDef(
        title="Rückblick", questions=[
            QuestionDef(kind="single", text="Wie war es?", options=["gut", "=schlecht"]),
            QuestionDef(kind="multiple", text="Was hat gefehlt?", options=["Zeit", "Essen"]),
            QuestionDef(kind="rating", text="Note", scale_min=1, scale_max=5,
                        label_min="gar nicht", label_max="sehr"),
            QuestionDef(kind="ranking", text="Was zuerst?", options=["Bahn", "Bus", "Rad"]),
            QuestionDef(kind="text", text="Was noch?"),
            QuestionDef(kind="number", text="Wie alt?")]))
    surveys.set_status(session=session, workshop=filled, facilitator=MAIN, survey=survey,
                       status="open")
    ids = [q.id for q in surveys.questions_of(session=session, survey=survey)]
    for n in range(5):
        surveys.answer(session=session, workshop=filled, survey=survey,
                       participant=make_participant(session, filled), values=dict(zip(ids, [
                           n % 2, [0, 1] if n else [0], 1 + n, [2, 0, 1] if n < 4 else [0, 1, 2],
                           ["mehr Pausen", "<b>Kaffee</b>", "=1+1", "Bus *jetzt*", "gut so"][n],
                           30 + n], strict=True)))
    built = build_report(session=session, workshop=filled)
    [live] = [s for s in built.surveys if s.title == "Rückblick"]
    small = ReportSurveySource(label="Vorab: Fragebogen", respondents=3, charts=[
        live.sources[0].charts[0].model_copy(update={"result": QuestionResult(
            question_id=ids[0] or 0, kind="single", text="Wie war es?", source="Vorab",
            respondents=3, suppressed=True, minimum=5, options=["gut", "=schlecht"])})])
    survey_list = [s if s is not live else s.model_copy(update={"sources": [*s.sources, small]})
                   for s in built.surveys]
    photo = ReportImage(content=PNG * 200, media_type="image/png", width=1, height=1,
                        caption="Pinnwand HF 1", field_key="hf1")
    return built.model_copy(update={"surveys": survey_list, "participation": PARTICIPATION,
                                    "photos": [photo], "logos": [photo],
                                    "date": dt.date(2026, 11, 21), "place": "Osterode am Harz"})


def _rows(workbook: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return list(workbook[sheet].iter_rows(values_only=True))


def test_xlsx_one_sheet_per_kind_with_typed_cells(rich: Report) -> None:
    data = write_xlsx(rich)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.b for cell in sheet[1])
        assert all(sheet.column_dimensions[c.column_letter].width > 5 for c in sheet[1])
    assert book.properties.title == "Zukunftskonferenz Westharz"
    assert book.properties.language == "de-DE"

    cards = _rows(book, "Karten")
    assert cards[0] == ("Handlungsfeld", "Spalte", "Text", "Anzahl", "Runde")  # no authors
    assert len(cards) - 1 == rich.stats.cards
    assert ("HF 1", "Schwächen", "fehlende ärztliche Versorgung", 2, 1) in cards
    assert not any("Off-Topic" in str(v) for row in cards for v in row)  # hidden stays out
    weight = book["Karten"]["D2"]
    assert isinstance(weight.value, int) and weight.data_type == "n"

    # User text never becomes a formula: the value reads back as the text, typed as text,
    # and the sheet XML holds no formula at all.
    texts = {cell.value: cell for row in book["Karten"].iter_rows() for cell in row}
    for hostile in ("=HYPERLINK(\"http://x\",\"klick\")", "+cmd|' /C calc'!A0"):
        assert texts[hostile].data_type == "s", hostile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)

    overview = {row[0]: row[1] for row in _rows(book, "Übersicht")[1:]}
    assert overview["Titel"] == rich.title and overview["Teilnehmende"] == 6
    assert isinstance(overview["Erstellt am"], dt.datetime)
    date_cell = next(row[1] for row in book["Übersicht"].iter_rows() if row[0].value == "Datum")
    assert date_cell.is_date and date_cell.value.date() == dt.date(2026, 11, 21)

    themes = _rows(book, "Themen")
    assert themes[0] == ("Plenum", "Titel", "Thema", "Teilfeld", "Art", "Punkte")
    kinds = {row[4] for row in themes[1:]}
    assert kinds <= {"Verpflichtend (Land)", "LAG", "Zukunftskonferenz"} and len(kinds) == 3
    assert next(r for r in themes if r[2] == "Carsharing")[4:] == ("Zukunftskonferenz", 1)
    [sentence] = _rows(book, "Leitsätze")[1:]
    assert sentence[0] == "HF 1" and sentence[3] == rich.fields[0].sentence
    assert [r[1] for r in _rows(book, "Bemerkungen")[1:]] == rich.remarks


def test_xlsx_survey_and_participation_sheets(rich: Report) -> None:
    book = load_workbook(io.BytesIO(write_xlsx(rich)))
    header, *rows = _rows(book, "Umfragen")
    assert header[:8] == ("Umfrage", "Quelle", "Frage", "Art", "Antworten", "Antwort", "Anzahl",
                          "Anteil (%)")
    mine = [r for r in rows if r[0] == "Rückblick"]
    single = [r for r in mine if r[2] == "Wie war es?" and r[1] == "Live"]
    assert [(r[3], r[5], r[6]) for r in single] == [("Einfachauswahl", "gut", 3),
                                                    ("Einfachauswahl", "=schlecht", 2)]
    percent = next(c for c in book["Umfragen"]["H"] if c.value == 0.6)
    assert percent.number_format == "0.0%"
    ranking = {r[5]: r[8] for r in mine if r[3] == "Rangfolge"}
    assert ranking == {"Bahn": 1.8, "Bus": 2.8, "Rad": 1.4}
    assert sorted(r[5] for r in mine if r[3] == "Freitext") == sorted(
        ["mehr Pausen", "<b>Kaffee</b>", "=1+1", "Bus *jetzt*", "gut so"])
    rating = [r for r in mine if r[3] == "Bewertung"]
    assert [r[5] for r in rating] == [1, 2, 3, 4, 5] and {r[9] for r in rating} == {3.0}
    # Too few answers in the imported source: the count, nothing else.
    [held_back] = [r for r in mine if r[1] == "Vorab: Fragebogen"]
    assert held_back[4] == 3 and held_back[5:11] == (None,) * 6 and "Weniger als 5" in held_back[11]

    participation = {(r[0], r[1], r[2]): r[4] for r in _rows(book, "Beteiligung")[1:]}
    assert participation[("Vor Ort gezählt", "Personen im Raum", None)] == 48
    assert participation[("Vor Ort gezählt", "Gruppe", "=Verwaltung")] == 6
    assert participation[("Von der App gezählt", "Handys angemeldet", None)] == 35
    assert participation[("Von der App gezählt", "Punkte im Plenum", None)] == 120
    by_field = {k[2]: v for k, v in participation.items() if k[1].startswith("Karten je Handl")}
    assert sum(by_field.values()) == rich.stats.cards


def test_xlsx_authors_only_when_asked(session: Session, filled: Workshop) -> None:  # noqa: F811
    from app import participants
    from app.models import Participant

    anna = session.exec(select(Participant).where(Participant.display_name == "Anna")).one()
    participants.set_name(session=session, participant=anna, display_name="Anna", in_report=True)
    named = build_report(session=session, workshop=filled, options=ReportOptions(authors=True))
    cards = _rows(load_workbook(io.BytesIO(write_xlsx(named))), "Karten")
    assert cards[0][-1] == "Verfasst von" and "Anna" in {r[-1] for r in cards[1:]}
    anonymous = write_xlsx(build_report(session=session, workshop=filled))
    header = _rows(load_workbook(io.BytesIO(anonymous)), "Karten")[0]
    assert "Verfasst von" not in header


def _csv(archive: zipfile.ZipFile, name: str, delimiter: str = ";") -> list[list[str]]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_is_a_zip_of_one_file_per_kind(rich: Report) -> None:
    archive = zipfile.ZipFile(io.BytesIO(write_csv(rich)))
    assert archive.namelist() == FILES
    cards = _csv(archive, "karten.csv")
    assert cards[0] == ["Handlungsfeld", "Spalte", "Text", "Anzahl", "Runde"]
    assert ["HF 1", "Schwächen", "fehlende ärztliche Versorgung", "2", "1"] in cards
    texts = [r[2] for r in cards]
    assert "'=HYPERLINK(\"http://x\",\"klick\")" in texts and "'+cmd|' /C calc'!A0" in texts
    assert not any(t.startswith(("=", "+", "@", "-")) for t in texts)
    assert "Off-Topic" not in texts and len(cards) - 1 == rich.stats.cards
    themes = _csv(archive, "themen.csv")
    assert {r[4] for r in themes[1:]} == {"Verpflichtend (Land)", "LAG", "Zukunftskonferenz"}
    assert _csv(archive, "leitsaetze.csv")[1][3] == rich.fields[0].sentence
    assert [r[1] for r in _csv(archive, "bemerkungen.csv")[1:]] == rich.remarks
    answers = _csv(archive, "umfragen.csv")
    row = answers[[r[5] for r in answers].index("'=schlecht")]
    assert row[:8] == ["Rückblick", "Live", "Wie war es?", "Einfachauswahl", "5", "'=schlecht",
                       "2", "40"]
    assert any(r[8] == "1,8" for r in answers)  # decimal comma beside the German ";"
    participation = _csv(archive, "beteiligung.csv")
    assert ["Vor Ort gezählt", "Gruppe", "'=Verwaltung", "", "6"] in participation
    comma = zipfile.ZipFile(io.BytesIO(write_csv(rich, ",")))
    assert any(r[8] == "1.8" for r in _csv(comma, "umfragen.csv", ","))
    assert write_csv(rich) == write_csv(rich)  # the same report, the same bytes


def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _inline_children(tokens: list[Token]) -> list[Token]:
    return [child for t in tokens if t.type == "inline" for child in t.children or []]


def test_markdown_renders_user_text_literally(rich: Report) -> None:
    markdown = write_markdown(rich)
    tokens = _renderer().parse(markdown)
    children = _inline_children(tokens)
    assert not [t for t in children if t.type in ("link_open", "image", "code_inline", "s_open")]
    assert not [t for t in tokens if t.type == "html_block"]
    assert {t.content for t in children if t.type == "html_inline"} == {"<u>", "</u>"}
    # Every hostile card is one list item whose text is exactly the card's text.
    items = []
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            inline = tokens[index + 2]
            items.append(([c.type for c in inline.children or []],
                          "".join(c.content for c in inline.children or [])))
    for text in [*EDGE[:-1], "mehr Pausen", "<b>Kaffee</b>", "=1+1", "Bus *jetzt*"]:
        assert (["text"], text) in items, text
    assert "Off-Topic" not in markdown


@pytest.mark.parametrize("text", ["# Überschrift", "> Zitat", "- Liste", "+ Plus", "1. Eins",
                                  "2) Zwei", "---", "***", "Ende #", "a_b_c", "_kursiv_",
                                  "`code`", "&amp; und &#123;", "<https://x.de>", "~~weg~~",
                                  "[a]: http://x", "\\*", "a | b", "    eingerückt",
                                  "Bürger*innen", "Bürger*innen und Senior*innen", "snake_case",
                                  "*Stern", "Stern*", "a * b"])
def test_markdown_escape_keeps_any_text_literal(text: str) -> None:
    plain = " ".join(text.split())
    shapes = [(md(text), plain, 0), (f"- {md(text)}", plain, 0), (f"### {md(text)}", plain, 0),
              (f"| {md(text, cell=True)} |\n|---|", plain, 0), (f"**{md(text)}**", plain, 1),
              (f"{md(text)} *(neu)*", f"{plain} (neu)", 1),
              (f"- {md(text, alone=False)} – {md(text, alone=False)}", f"{plain} – {plain}", 0)]
    for source, expected, emphasis in shapes:
        children = _inline_children(_renderer().parse(source))
        assert {c.type for c in children} <= {"text", "strong_open", "strong_close", "em_open",
                                               "em_close"}, (source, children)
        assert "".join(c.content for c in children) == expected, source
        # Only the emphasis the writer puts there, none from the text.
        assert len([c for c in children if c.type.endswith("_open")]) == emphasis, source
    assert md("Bürger*innen") == "Bürger*innen" and md("snake_case") == "snake_case"


def test_markdown_needs_almost_no_escapes_for_real_cards(rich: Report) -> None:
    markdown = write_markdown(rich)
    seed = [line for line in markdown.splitlines()
            if any(line == f"- {t}" or line.startswith(f"- {t} (") for ts in SEED_HF1.values()
                   for t in ts)]
    assert len(seed) == sum(len(ts) for ts in SEED_HF1.values()) - 1  # two were merged
    assert "\\" not in "\n".join(seed)
    assert "Wohnen & Arbeiten" in markdown  # a lone "&" stays as it is
    assert markdown.count("\\") < 40, markdown.count("\\")


def test_markdown_has_the_whole_documentation(rich: Report) -> None:
    markdown = write_markdown(rich)
    assert "\n21.11.2026, Osterode am Harz\n" in markdown
    assert "48 Personen vor Ort gezählt, 6 mit dem Handy dabei" in markdown
    assert "- Rad: Ø Platz 1,4\n- Bahn: Ø Platz 1,8\n- Bus: Ø Platz 2,8" in markdown
    assert "5 Antworten:" in markdown and "- mehr Pausen" in markdown
    assert "Mittelwert 3, Median 3" in markdown and "- 1 (gar nicht): 1 (20 %)" in markdown
    assert "Mittelwert 32, Median 32" in markdown
    assert "Weniger als 5 Antworten: zum Schutz der Anonymität nur die Anzahl." in markdown
    assert "| Wirtschaft | 12 |" in markdown and "| \\=Verwaltung | 6 |" not in markdown
    assert "35 Handys angemeldet" in markdown and "120 Punkte im Plenum" in markdown
    tokens = _renderer().parse(markdown)
    tables = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    assert len(tables) >= 4  # groups, ages, working groups, cards per field
    cells = [t.content for t in tokens[tables[-1]:] if t.type == "inline"]
    assert cells[:5] == ["Handlungsfeld", "Stärken", "Schwächen", "Potentiale", "Ideen"]
    assert cells[5:10] == ["HF 1", "4", "3", "2", "1"]


def test_json_charts_by_reference_unless_asked(rich: Report) -> None:
    plain = write_json(rich)
    data = json.loads(plain)
    results = [r for s in data["surveys"] for src in s["sources"] for r in src["results"]]
    charts = [r["chart"] for r in results if r["chart"]]
    assert charts and all(set(c) == {"id", "media_type"} for c in charts)
    assert next(r for r in results if r["kind"] == "ranking")["average_ranks"] == [1.8, 2.8, 1.4]
    assert all(r["chart"] is None for r in results if r["kind"] == "text" or r["suppressed"])
    assert data["photos"] == [{"caption": "Pinnwand HF 1", "field_key": "hf1",
                               "media_type": "image/png", "width": 1, "height": 1,
                               "size": len(PNG) * 200}]
    assert "iVBOR" not in plain and '"data"' not in plain  # no base64 PNG anywhere
    assert data["participation"]["counted"] == 48 and data["options"]["charts"] is False

    embedded = rich.model_copy(update={"options": ReportOptions(charts=True)})
    full = json.loads(write_json(embedded))
    drawn = [r["chart"] for s in full["surveys"] for src in s["sources"] for r in src["results"]
             if r["chart"]]
    assert drawn and all(base64.b64decode(c["data"]).startswith(b"\x89PNG") for c in drawn)
    assert base64.b64decode(full["photos"][0]["data"]) == PNG * 200
    assert len(plain) * 3 < len(write_json(embedded))


def test_download_xlsx_and_csv(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    client.post(f"/api/v1/workshops/{slug}/cards", headers=auth.participant_headers(),
                json={"field": "hf1", "category": "ideas", "text": "=Bürgerbus"})
    auth.facilitate_in_browser()
    page = client.get(f"/w/{slug}/export")
    assert "Excel (XLSX) – alle Daten als Tabellen" in page.text
    assert page.text.count('name="charts"') == 1  # on the JSON form alone
    xlsx = client.get(f"/w/{slug}/export/xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert xlsx.headers["content-disposition"] == (
        f'attachment; filename="ergebnisdokumentation-{slug}.xlsx"')
    cards = _rows(load_workbook(io.BytesIO(xlsx.content)), "Karten")
    assert cards[1][:3] == ("HF 1", "Ideen", "=Bürgerbus")
    zipped = client.get(f"/w/{slug}/export/csv", params={"delimiter": ","})
    assert zipped.headers["content-type"] == "application/zip"
    assert zipped.headers["content-disposition"] == (
        f'attachment; filename="ergebnisdokumentation-{slug}.zip"')
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    assert archive.namelist() == FILES
    assert _csv(archive, "karten.csv", ",")[1][:3] == ["HF 1", "Ideen", "'=Bürgerbus"]
    with_charts = client.get(f"/w/{slug}/export/json", params={"charts": "true"})
    assert with_charts.json()["options"]["charts"] is True


def test_data_formats_draw_no_chart(rich: Report) -> None:
    """Charts are drawn only by the formats that show them (and JSON when asked to)."""
    for writer in (write_xlsx, write_csv, write_markdown, write_json):
        writer(rich)
    charts = [c for s in rich.surveys for src in s.sources for c in src.charts]
    assert charts and not any({"png", "svg"} & set(vars(c)) for c in charts)


def test_an_empty_workshop_gives_every_sheet_and_file_with_headers(session: Session) -> None:
    from tests.factories import make_workshop

    empty = build_report(session=session, workshop=make_workshop(session))
    book = load_workbook(io.BytesIO(write_xlsx(empty)))
    assert book.sheetnames == SHEETS and all(book[name]["A1"].value for name in SHEETS)
    assert _rows(book, "Karten") == [("Handlungsfeld", "Spalte", "Text", "Anzahl", "Runde")]
    archive = zipfile.ZipFile(io.BytesIO(write_csv(empty)))
    assert all(len(_csv(archive, name)) >= 1 for name in FILES)
    assert json.loads(write_json(empty))["photos"] == []
    assert write_markdown(empty).startswith("# ")


def test_every_format_has_each_fields_words_with_their_counts(rich: Report) -> None:
    """The word cloud: an image in HTML, PDF and Word, and everywhere its words with counts."""
    from bs4 import BeautifulSoup
    from docx import Document

    from app.report.writers import write_docx, write_html

    field = next(f for f in rich.fields if f.key == "hf1")
    top = field.words[0]
    assert top.count >= 2 and field.words_text.startswith(f"{top.text} {top.count}")
    assert (field.number, top.text, top.count) in _rows(
        load_workbook(io.BytesIO(write_xlsx(rich))), "Wörter")
    words = _csv(zipfile.ZipFile(io.BytesIO(write_csv(rich))), "woerter.csv")
    assert words[0] == ["Handlungsfeld", "Wort", "Anzahl"]
    assert [field.number, top.text, str(top.count)] in words
    assert f"Häufige Wörter: {top.text} {top.count}" in write_markdown(rich)
    data = {f["key"]: f for f in json.loads(write_json(rich))["fields"]}
    assert data["hf1"]["words"][0] == {"text": top.text, "count": top.count}
    html = BeautifulSoup(write_html(rich), "html.parser")
    figure = html.select_one(".field .words")
    assert figure.select_one("img")["src"].startswith("data:image/png;base64,iVBOR")
    assert figure.select_one("img")["alt"]
    assert figure.select_one("figcaption").text == f"Häufige Wörter: {field.words_text}"
    document = Document(io.BytesIO(write_docx(rich)))
    assert f"Häufige Wörter: {field.words_text}" in [p.text for p in document.paragraphs]
    described = [d.get("descr") for d in document.element.body.iter()
                 if d.tag.endswith("}docPr")]
    assert f"Wortwolke: {field.words_text}" in described
