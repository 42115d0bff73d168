"""The printed join kit: every QR code read back from the PDF opens the right page."""

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader
from sqlmodel import Session

from app.auth import Tokens
from app.joinkit import join_kit_pdf
from app.web.templating import Templates
from tests.conftest import SECRET
from tests.factories import make_workshop

BASE = "https://zk.example.org"


def test_poster_tents_and_sheet_with_readable_codes(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    token = Tokens(SECRET).facilitator_token(workshop)
    pdf = join_kit_pdf(session=session, workshop=workshop, templates=Templates(), base_url=BASE,
                       facilitator_token=token)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 + 5 + 1  # poster, a tent per top-level field, the sheet
    poster, tent, sheet = reader.pages[0], reader.pages[1], reader.pages[-1]
    assert float(tent.mediabox.width) > float(tent.mediabox.height)  # landscape, folded
    assert float(poster.mediabox.width) < float(poster.mediabox.height)
    assert workshop.join_code in poster.extract_text()
    assert "Gutes Leben in der Region" in tent.extract_text()
    assert "Vertraulich" in sheet.extract_text()
    document = pypdfium2.PdfDocument(pdf)
    found: list[set[str]] = []
    for page in document:
        image = page.render(scale=150 / 72).to_pil()  # 150 dpi, as a phone sees a print
        found.append({code.text for code in zxingcpp.read_barcodes(image)})
    code = workshop.join_code
    assert found[0] == {f"{BASE}/j/{code}"}
    fields = ["hf1", "hf2", "hf3", "hf4", "hf5"]
    # Both halves of a tent (one upside down) carry the same group's code.
    assert found[1:6] == [{f"{BASE}/j/{code}/{key}"} for key in fields]
    assert found[6] == {f"{BASE}/w/{workshop.slug}/facilitate?token={token}"}


def test_the_qr_codes_are_vectors(session: Session) -> None:
    workshop = make_workshop(session)
    pdf = join_kit_pdf(session=session, workshop=workshop, templates=Templates(), base_url=BASE,
                       facilitator_token="t")
    reader = PdfReader(io.BytesIO(pdf))
    resources = reader.pages[0]["/Resources"]
    images = resources.get("/XObject", {})
    # An SVG becomes drawn paths (a form XObject), never a bitmap that blurs when printed.
    assert all(images[name].get_object()["/Subtype"] != "/Image" for name in images)
