"""The PDF's page layout, the ranking chart's axis, and the Word file as LibreOffice prints it."""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlmodel import Session

from app import charts
from app.report import build_report
from app.report.model import Report, ReportPlenaryColumn, ReportTheme
from app.report.writers import write_docx, write_html, write_pdf
from app.surveys import QuestionResult
from tests import test_report
from tests.factories import make_card, make_participant, make_workshop

# The seed-like workshop of tests/test_report.py (fixtures found by their names here).
filled, report = test_report.filled, test_report.report

pytestmark = pytest.mark.sqlite_only  # layout, not the database


def _pages(pdf: bytes) -> list[str]:
    """Each page's text without white space (narrow columns wrap lines anywhere) and without
    the hyphens of hyphenation; pdfium reads ligatures ("fi") back as letters."""
    document = pdfium.PdfDocument(pdf)
    texts = [page.get_textpage().get_text_range() for page in document]
    document.close()
    return [_squeeze(re.sub("\u2010\\s+", "", text)) for text in texts]


def _landscape(pdf: bytes) -> list[bool]:
    return [p.mediabox.width > p.mediabox.height for p in PdfReader(io.BytesIO(pdf)).pages]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_a_field_that_runs_over_pages_repeats_its_heading(session: Session) -> None:
    workshop = make_workshop(session)
    person = make_participant(session, workshop)
    for n in range(160):
        make_card(session, workshop, person, category=("ideas", "strengths")[n % 2],
                  text=f"Idee Nummer {n} für einen längeren Kartentext")
    make_card(session, workshop, person, field="hf2", text="Eine Karte im zweiten Feld")
    pages = _pages(write_pdf(build_report(session=session, workshop=workshop)))
    heading, continued = "Handlungsfeld1–ErstesFeld", "Handlungsfeld1–ErstesFeld(Fortsetzung)"
    first = next(i for i, p in enumerate(pages) if heading in p)
    assert continued not in pages[first]  # the heading itself stands there
    second_field = next(i for i, p in enumerate(pages) if "Handlungsfeld2–ZweitesFeld" in p)
    following = pages[first + 1:second_field]
    assert len(following) >= 2, "the test needs a field over at least three pages"
    for page in following:
        assert continued in page
        assert "StärkenSchwächenPotentialeIdeen" in page  # the table's header row, repeated
    assert "IdeeNummer159" in "".join(pages[first:second_field])
    assert not any("Fortsetzung" in p for p in pages[second_field:])  # nothing after it
    assert not any("Fortsetzung" in p for p in pages[:first])


def _print_size(value: Report) -> float:
    section = BeautifulSoup(write_html(value), "html.parser").select_one("section.plenary")
    assert section is not None
    return float(str(section["data-print-size"]))


def _plenary_pages(pdf: bytes) -> list[str]:
    return [p for p, wide in zip(_pages(pdf), _landscape(pdf), strict=True) if wide]


def test_the_seed_sized_plenary_fits_its_page_in_full_type(report: Report) -> None:
    themes = [t for c in report.plenary for t in c.themes]
    assert len(themes) >= 60
    pdf = write_pdf(report)
    [page] = _plenary_pages(pdf)
    assert all(_squeeze(t.text) in page for t in themes)
    assert "Digitalisierungüberallmitdenken!Netzabdeckungsicherstellen." in page  # remarks
    assert _print_size(report) == 8


def _with_themes(base: Report, count: int, *, dots: bool) -> Report:
    """The report's plenary with `count` themes of the seed's lengths, with dots or without."""
    seed = [t for c in base.plenary for t in c.themes]
    columns: list[list[ReportTheme]] = [[] for _ in base.plenary]
    for n in range(count):
        theme = seed[n % len(seed)]
        columns[n % len(columns)].append(theme.model_copy(update={
            "text": f"{theme.text} {n}", "dots": (n * 7) % 12 + 1 if dots else 0}))
    return base.model_copy(update={"plenary": [
        ReportPlenaryColumn(number=c.number, title=c.title, themes=themes)
        for c, themes in zip(base.plenary, columns, strict=True)]})


def test_a_larger_plenary_takes_smaller_type_to_stay_on_one_page(report: Report) -> None:
    """The seed's themes, each with dots (the largest type for the most), and half as many
    again: 8 pt would run over the page."""
    for bigger in (_with_themes(report, 61, dots=True), _with_themes(report, 95, dots=False)):
        assert _print_size(bigger) < 8
        pdf = write_pdf(bigger)
        [page] = _plenary_pages(pdf)
        assert all(_squeeze(t.text) in page for c in bigger.plenary for t in c.themes)


def test_a_plenary_too_large_for_one_page_splits_under_its_header(report: Report) -> None:
    huge = _with_themes(report, 300, dots=True)
    assert _print_size(huge) == 6
    pdf = write_pdf(huge)
    pages = _plenary_pages(pdf)
    assert len(pages) >= 2
    assert "ErgebnissederDiskussionsrundeimPlenum(Fortsetzung)" in pages[1]
    for page in pages:  # every page starts the columns with their field
        assert "HF1:GutesLebeninderRegion" in page and "HF5:LebendigeKulturundGemeinschaft" in page
    everything = "".join(pages)
    assert all(_squeeze(t.text) in everything for c in huge.plenary for t in c.themes)
    wide = _landscape(pdf)
    assert not wide[wide.index(True) + len(pages)]  # then portrait again


def _ranking_svg(ranks: list[float]) -> ET.Element:
    result = QuestionResult(question_id=1, kind="ranking", text="Reihenfolge", source="",
                            respondents=20, suppressed=False,
                            options=[f"HF {n}" for n in range(1, len(ranks) + 1)],
                            average_ranks=ranks)
    svg = charts.svg(result)
    assert svg is not None
    return ET.fromstring(svg)


SVG = "{http://www.w3.org/2000/svg}"


def _x_ticks(root: ET.Element) -> dict[str, float]:
    """Tick label → the tick's x position."""
    ticks = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith("xtick_"):
            label = "".join(t.text or "" for t in group.iter(f"{SVG}text")).strip()
            ticks[label] = float(next(group.iter(f"{SVG}use")).get("x", "nan"))
    return ticks


def test_the_ranking_chart_axis_shows_average_places() -> None:
    """The axis counts places 1 … n with the first place at the long end, and every bar ends
    at its average place, where its label "Ø Platz …" says."""
    ranks = [1.0, 2.4, 3.8, 2.7, 5.0]
    root = _ranking_svg(ranks)
    ticks = _x_ticks(root)
    assert list(ticks) == ["1", "2", "3", "4", "5"]
    assert ticks["1"] > ticks["2"] > ticks["5"]  # the best place at the right, the long end
    step = ticks["1"] - ticks["2"]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Ø Platz (1 = am wichtigsten)" in texts
    assert [t for t in texts if t.startswith("Ø Platz ") and "," in t] == [
        "Ø Platz 5,0", "Ø Platz 2,7", "Ø Platz 3,8", "Ø Platz 2,4", "Ø Platz 1,0"]  # bottom up
    bars = [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("patch_")][2:7]
    for bar, rank in zip(bars, ranks[::-1], strict=True):
        path = next(bar.iter(f"{SVG}path")).get("d", "")
        xs = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", path)][0::2]
        assert max(xs) == pytest.approx(ticks["1"] - (rank - 1) * step, abs=0.5), rank
        assert max(xs) - min(xs) >= step / 2 - 0.5  # a last place still shows as a bar


def _soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed: scripts/install-libreoffice.sh "
                    "installs it (make test does)")
    return path


def test_libreoffice_prints_the_word_file_as_intended(report: Report, tmp_path: Path) -> None:
    """The DOCX rendered by another word processor: A4 portrait pages with the plenary on
    landscape ones under its repeated header, the table of contents in place, every card."""
    soffice = _soffice()
    source = tmp_path / "ergebnisdokumentation.docx"
    source.write_bytes(write_docx(report))
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "ergebnisdokumentation.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in reader.pages]
    assert set(sizes) == {(595, 842), (842, 595)}  # A4 only, both ways
    pages = _pages(pdf)
    wide = [i for i, size in enumerate(sizes) if size == (842, 595)]
    assert wide == list(range(wide[0], wide[-1] + 1))  # one landscape section …
    assert "ErgebnissederDiskussionsrundeimPlenum" in pages[wide[0]]
    assert all("HF1:GutesLebeninderRegion" in pages[i] for i in wide)  # … header repeated
    assert sizes[0] == sizes[-1] == (595, 842)
    toc = next(p for p in pages[:3] if p.startswith("Inhalt") or "Inhalt" in p[:40])
    # LibreOffice does not update fields when it converts: the TOC field's placeholder shows,
    # or its entries when some writer filled it.
    assert "Inhaltsverzeichnis" in toc or "ErgebnissederArbeitsphase" in toc
    everything = "".join(pages)
    cards = [card.text for f in report.fields for c in f.columns for card in c.cards]
    assert len(cards) >= 16
    missing = [text for text in cards if _squeeze(text) not in everything]
    assert not missing
    assert "Off-Topic" not in everything
