"""Facilitator access: the secret link signs in; participants get 403 and a German page."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_link_signs_in_and_removes_token_from_address(client: TestClient,
                                                     auth: AuthActions) -> None:
    slug = auth.workshop.slug
    response = client.get(f"/w/{slug}/facilitate", params={"token": auth.facilitator_token()})
    assert response.status_code == 303 and response.headers["location"] == f"/w/{slug}/facilitate"
    page = soup(client.get(f"/w/{slug}/facilitate").text)
    assert page.select_one("h1").text.startswith("Moderation")
    assert page.select_one("#controls button").get_text(strip=True) == "Schreiben schließen"


def test_participants_and_strangers_are_refused(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    assert client.get(f"/w/{slug}/facilitate").status_code == 403
    wrong = client.get(f"/w/{slug}/facilitate", params={"token": "geraten"})
    assert wrong.status_code == 403
    assert "ungültig oder veraltet" in soup(wrong.text).select_one("[role=alert]").text
    auth.join_in_browser()
    response = client.post(f"/w/{slug}/facilitate/posting", data={"open": "false"})
    assert response.status_code == 403
    assert "Moderation vorbehalten" in soup(response.text).select_one("[role=alert]").text
    assert client.get(f"/api/v1/workshops/{slug}").json()["posting_open"] is True


def test_close_and_open_posting_with_and_without_htmx(client: TestClient,
                                                     auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    closed = client.post(f"/w/{slug}/facilitate/posting", data={"open": "false"})
    assert closed.status_code == 303
    assert client.get(f"/api/v1/workshops/{slug}").json()["posting_open"] is False
    reopened = client.post(f"/w/{slug}/facilitate/posting", data={"open": "true"},
                           headers={"HX-Request": "true"})
    fragment = soup(reopened.text)
    assert fragment.select_one("section#controls") is not None
    assert fragment.select_one("html") is None
    assert client.get(f"/api/v1/workshops/{slug}").json()["posting_open"] is True


def test_cookie_of_one_workshop_does_not_open_another(client: TestClient, auth: AuthActions,
                                                     app) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_workshop

    auth.facilitate_in_browser()
    with app.state.context.db.session(write=True) as session:
        other = make_workshop(session)
    assert client.get(f"/w/{other.slug}/facilitate").status_code == 403
