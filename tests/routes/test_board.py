"""Projector pages: overview and field board, QR code, and the SSE wiring in the markup."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_board_shows_columns_cards_qr_and_counts(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    headers = auth.participant_headers()
    for category, text in [("strengths", "Vereinskultur"), ("ideas", "<b>Bahn</b>")]:
        client.post(f"/api/v1/workshops/{slug}/cards", headers=headers,
                    json={"field": "hf1", "category": category, "text": text})
    client.post(f"/api/v1/workshops/{slug}/cards", headers=headers,
                json={"field": "hf2", "category": "ideas", "text": "Anderes Feld"})
    response = client.get(f"/w/{slug}/board/hf1")
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one("h1").get_text(" ", strip=True) == "HF 1: Gutes Leben in der Region"
    headings = [h.text for h in page.select(".column h2")]
    assert headings == ["Stärken", "Schwächen", "Potentiale", "Ideen"]
    assert [li.text for li in page.select("#column-strengths li")] == ["Vereinskultur"]
    assert [li.text for li in page.select("#column-ideas li")] == ["<b>Bahn</b>"]
    assert page.select("#column-ideas b") == []
    stats = page.select_one("#board-stats").get_text(" ", strip=True)
    assert stats == "1 Teilnehmende 2 Karten"
    assert page.select_one(".join-code strong").text == auth.workshop.join_code
    assert page.select_one(".qr svg") is not None
    # The board's code leads straight to this group's form.
    assert page.select_one(".join-url").text == f"http://testserver/j/{auth.workshop.join_code}/hf1"
    board = page.select_one("[hx-ext=sse]")
    assert board["sse-connect"].startswith(f"/w/{slug}/board/hf1/events?after=")
    after = int(board["sse-connect"].split("after=")[1].split("&")[0])
    assert after > 0
    assert page.select_one("#column-ideas")["sse-swap"] == "card-new-ideas"


def test_overview_lists_fields_with_counts(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    client.post(f"/api/v1/workshops/{slug}/cards", headers=auth.participant_headers(),
                json={"field": "hf3", "category": "ideas", "text": "PV auf Halden"})
    page = soup(client.get(f"/w/{slug}").text)
    links = {a["href"]: a.get_text(" ", strip=True) for a in page.select("a.field-link")}
    assert links[f"/w/{slug}/board/hf3"].endswith("1 Karte")
    assert links[f"/w/{slug}/board/hf1"].endswith("0 Karten")
    assert page.select_one("img.qr")["src"] == f"/w/{slug}/qr.svg"
    assert page.select_one("img.qr")["alt"].startswith("QR-Code zum Mitmachen")


def test_qr_svg_encodes_join_url(client: TestClient, auth: AuthActions) -> None:
    response = client.get(f"/w/{auth.workshop.slug}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg")


def test_unknown_field_and_workshop_are_german_404(client: TestClient, auth: AuthActions) -> None:
    response = client.get(f"/w/{auth.workshop.slug}/board/hf42")
    assert response.status_code == 404
    assert "Handlungsfeld „hf42“" in soup(response.text).select_one("[role=alert]").text
    response = client.get("/w/nirgendwo/board/hf1")
    assert response.status_code == 404
    assert soup(response.text).select_one("a.button")["href"] == "/"
