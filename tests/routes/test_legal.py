"""The pages a public body must publish: a workshop's privacy notice and the accessibility
statement, generated or the organizer's own, linked from every participant page."""

from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models import Workshop
from app.retention import retained_until
from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def set_legal(app: FastAPI, workshop: Workshop, **legal: str) -> Workshop:
    with app.state.context.db.transaction() as session:
        row = session.get(Workshop, workshop.id)
        assert row is not None
        row.legal = legal
        session.add(row)
    return row


def test_the_privacy_notice_names_who_what_and_how_long(client: TestClient, app: FastAPI,
                                                        auth: AuthActions) -> None:
    workshop = set_legal(app, auth.workshop, organizer="LAG Westharz, Regionalmanagement",
                         contact="info@lag-westharz.example")
    page = soup(client.get(f"/w/{workshop.slug}/datenschutz").text)
    text = page.get_text(" ", strip=True)
    assert "LAG Westharz, Regionalmanagement" in text and "info@lag-westharz.example" in text
    assert retained_until(workshop).strftime("%d.%m.%Y") in text
    assert "Keine IP-Adressen" in text and "Art. 6 Abs. 1 lit. e DSGVO" in text
    cookies = [row.select_one("code").text for row in page.select("tbody tr")]
    assert cookies[:3] == ["zk_participant", "zk_group", "zk_lang"]
    english = client.get(f"/w/{workshop.slug}/datenschutz", params={"lang": "en"}).text
    assert "Privacy notice" in english and 'lang="de"' in english  # German texts marked


def test_an_own_text_replaces_the_generated_one(client: TestClient, app: FastAPI,
                                                auth: AuthActions) -> None:
    workshop = set_legal(app, auth.workshop, privacy="Unser eigener Text.\n\n<b>Absatz</b> zwei.",
                         accessibility="Unsere Erklärung.", contact="barrieren@example.org")
    privacy = client.get(f"/w/{workshop.slug}/datenschutz").text
    assert "Unser eigener Text." in privacy and "Art. 6" not in privacy
    assert "&lt;b&gt;Absatz&lt;/b&gt;" in privacy  # escaped like every user text
    statement = client.get(f"/w/{workshop.slug}/barrierefreiheit").text
    assert "Unsere Erklärung." in statement and "barrieren@example.org" in statement
    assert "schlichtungsstelle-bgg.de" in statement
    assert 'href="http' not in statement  # named, not linked: no page leads off the server


def test_every_page_links_both_and_the_imprint_when_set(client: TestClient, app: FastAPI,
                                                        auth: AuthActions) -> None:
    slug = auth.workshop.slug
    join = soup(client.get(f"/j/{auth.workshop.join_code}").text)
    footer = [a["href"] for a in join.select("footer a")]
    assert f"/w/{slug}/datenschutz" in footer and f"/w/{slug}/barrierefreiheit" in footer
    auth.join_in_browser()
    me = soup(client.get(f"/w/{slug}/me").text)
    assert f"/w/{slug}/datenschutz" in [a["href"] for a in me.select("footer a")]
    home = soup(client.get("/").text)
    assert [a["href"] for a in home.select("footer a")] == ["/barrierefreiheit"]
    app.state.context.settings.imprint_url = "https://lag-westharz.example/impressum"
    home = soup(client.get("/").text)
    assert "https://lag-westharz.example/impressum" in [a["href"] for a in home.select("footer a")]
    statement = client.get("/barrierefreiheit")
    assert statement.status_code == 200 and "BITV 2.0" in statement.text
