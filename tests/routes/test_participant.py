"""Participant pages: join by code, choose a field, post without and with htmx, own cards."""

import re

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import func, select

from app.models import Participant
from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _form_values(page: BeautifulSoup) -> dict[str, str]:
    return {i["name"]: i.get("value", "") for i in page.select("form.post-form input[type=hidden]")}


def test_home_has_a_labelled_code_field(client: TestClient) -> None:
    page = soup(client.get("/").text)
    field = page.select_one("input#code")
    assert field is not None and page.select_one("label[for=code]") is not None
    assert page.select_one("main#main") is not None and page.html["lang"] == "de"


def test_home_code_form_redirects_to_join_link(client: TestClient, auth: AuthActions) -> None:
    code = auth.workshop.join_code
    response = client.get("/", params={"code": f" {code.lower()} "})
    assert response.status_code == 303 and response.headers["location"] == f"/j/{code}"


def test_unknown_code_shows_friendly_page_with_form(client: TestClient) -> None:
    response = client.get("/j/XXXXXX")
    assert response.status_code == 404
    page = soup(response.text)
    assert "kennen wir nicht" in page.select_one("[role=alert]").text
    assert page.select_one("input#code")["value"] == "XXXXXX"


def test_closed_code_says_so(client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    client.post(f"/w/{auth.workshop.slug}/facilitate/switch",
                data={"what": "joining", "open": "false"})
    response = client.get(f"/j/{auth.workshop.join_code}")
    assert response.status_code == 409
    assert "keine neuen Teilnehmenden" in soup(response.text).select_one("[role=alert]").text


def test_join_post_and_see_own_card_without_javascript(client: TestClient,
                                                      auth: AuthActions) -> None:
    slug, code = auth.workshop.slug, auth.workshop.join_code
    join_page = soup(client.get(f"/j/{code}").text)
    assert join_page.select_one("input[name=name]") is None  # asked for later, if at all
    assert join_page.select_one("form")["action"] == f"/j/{code}"
    response = client.post(f"/j/{code}")
    assert response.status_code == 303 and response.headers["location"] == f"/w/{slug}/me"
    assert "zk_participant" in client.cookies
    # Once joined, the QR link leads straight on.
    assert client.get(f"/j/{code}").headers["location"] == f"/w/{slug}/me"
    fields = soup(client.get(f"/w/{slug}/me").text)
    links = [a["href"] for a in fields.select("a.field-link")]
    # One group per field; sub-fields (HF 4 A) are chosen in their parent's form.
    assert links == [f"/w/{slug}/me/hf{n}" for n in range(1, 6)]
    form_page = soup(client.get(f"/w/{slug}/me/hf1").text)
    hidden = _form_values(form_page)
    assert form_page.select_one("form.post-form")["action"] == f"/w/{slug}/me/hf1"
    assert [r["value"] for r in form_page.select("input[name=category]")] == [
        "strengths", "weaknesses", "potentials", "ideas"]
    response = client.post(f"/w/{slug}/me/hf1", data={"category": "ideas",
                                                      "text": "<script>alert(1)</script>",
                                                      "client_id": hidden["client_id"]})
    assert response.status_code == 303
    page = soup(client.get(response.headers["location"]).text)
    assert page.select_one("[role=status]").text == "Ihre Karte ist angekommen."
    cards = page.select(".my-cards .card-text")
    assert [c.text for c in cards] == ["<script>alert(1)</script>"]
    assert page.select("script:-soup-contains('alert(1)')") == []
    assert page.select_one("input[name=category][checked]")["value"] == "ideas"


def test_double_submit_creates_one_card(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    data = {"category": "strengths", "text": "Vereinskultur", "client_id": "same-form"}
    assert client.post(f"/w/{slug}/me/hf1", data=data).status_code == 303
    assert client.post(f"/w/{slug}/me/hf1", data=data).status_code == 303
    assert len(client.get(f"/api/v1/workshops/{slug}/cards").json()) == 1


def test_htmx_post_answers_with_the_parts_that_change(client: TestClient,
                                                      auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    headers = {"HX-Request": "true"}
    response = client.post(f"/w/{slug}/me/hf2", headers=headers,
                           data={"category": "weaknesses", "text": "Leerstand", "client_id": "h1"})
    assert response.status_code == 201
    assert response.headers["Zk-Received"] == "1"  # what the phone's outbox takes for sent
    assert response.headers["HX-Reswap"] == "none"  # only the parts below, each by its id
    parts = soup(response.text)
    assert parts.select_one("html") is None and parts.select_one("#posting") is None
    placed = {p.get("id") or p["hx-swap-oob"]: p["hx-swap-oob"]
              for p in parts.select("[hx-swap-oob]")}
    assert placed == {"post-messages": "true", "post-category": "true", "text": "true",
                      "client-id": "true", "my-cards-count": "true",
                      "afterbegin:#my-cards-list": "afterbegin:#my-cards-list",
                      "my-cards-empty": "delete"}  # the first card: the hint goes
    # The form's parts are marked: a resend from the outbox leaves them to the person.
    assert {p["id"] for p in parts.select("[data-outbox-form]")} == {
        "post-messages", "post-category", "text", "client-id"}
    assert parts.select_one("textarea#text").text == "" and parts.select_one(
        "textarea#text").has_attr("autofocus")
    assert parts.select_one("#client-id")["value"] not in ("", "h1")  # fresh for the next card
    assert parts.select_one("#post-category input[value=weaknesses]").has_attr("checked")
    assert "angekommen" in parts.select_one("#post-messages [data-announce]").text
    assert [c.text for c in parts.select(".card-text")] == ["Leerstand"]
    assert parts.select_one("#my-cards-count").text == "(1)"
    second = soup(client.post(f"/w/{slug}/me/hf2", headers=headers, data={
        "category": "ideas", "text": "Dorfladen", "client_id": "h2"}).text)
    assert second.select_one("#my-cards-count").text == "(2)"
    assert second.select_one("#my-cards-empty") is None
    assert [c.text for c in second.select(".card-text")] == ["Dorfladen"]
    # Resent after a lost answer: the card is stored already, the whole form and list come.
    again = client.post(f"/w/{slug}/me/hf2", headers=headers,
                        data={"category": "weaknesses", "text": "Leerstand", "client_id": "h1"})
    assert again.status_code == 201 and again.headers["Zk-Received"] == "1"
    assert "HX-Reswap" not in again.headers
    fragment = soup(again.text)
    assert fragment.select_one("div#posting") is not None
    assert [c.text for c in fragment.select(".card-text")] == ["Dorfladen", "Leerstand"]
    page = soup(client.get(f"/w/{slug}/me/hf2").text)
    assert [c.text for c in page.select("#my-cards-list .card-text")] == ["Dorfladen", "Leerstand"]
    assert page.select_one("#my-cards-empty") is None


def test_form_errors_keep_the_text(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    response = client.post(f"/w/{slug}/me/hf1", data={"text": "ohne Spalte", "client_id": "e1"})
    assert response.status_code == 422
    page = soup(response.text)
    assert "Bitte wählen Sie eine Spalte" in page.select_one("[role=alert]").text
    assert page.select_one("textarea#text").text == "ohne Spalte"
    # The error is about the column: the choice is described by it and marked, not the text.
    error_id = page.select_one("[role=alert]")["id"]
    assert page.select_one("fieldset.categories")["aria-describedby"] == error_id
    radios = page.select("fieldset.categories input")
    assert radios and all(r["aria-invalid"] == "true" for r in radios)
    assert radios[0].has_attr("autofocus") and not page.select_one("textarea#text[aria-invalid]")
    too_long = client.post(f"/w/{slug}/me/hf1", headers={"HX-Request": "true"},
                           data={"text": "x" * 600, "category": "ideas", "client_id": "e2"})
    assert too_long.status_code == 422 and "Zk-Received" not in too_long.headers
    assert "höchstens 500" in soup(too_long.text).select_one("[role=alert]").text
    assert client.get(f"/api/v1/workshops/{slug}/cards").json() == []


def test_edit_and_delete_own_card(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    client.post(f"/w/{slug}/me/hf1", data={"category": "ideas", "text": "Alt", "client_id": "x1"})
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    edit_href = page.select_one(".card-actions a")["href"]
    card_id = int(re.search(r"/cards/(\d+)/edit", edit_href).group(1))
    edit_page = soup(client.get(edit_href).text)
    assert edit_page.select_one("textarea#text").text == "Alt"
    saved = client.post(f"/w/{slug}/cards/{card_id}", data={"text": "Neu", "category": "ideas"})
    assert saved.status_code == 303
    assert [c["text"] for c in client.get(f"/api/v1/workshops/{slug}/cards").json()] == ["Neu"]
    empty = client.post(f"/w/{slug}/cards/{card_id}", data={"text": " ", "category": "ideas"})
    assert empty.status_code == 422
    deleted = client.post(f"/w/{slug}/cards/{card_id}/delete")
    assert deleted.status_code == 303
    assert client.get(f"/api/v1/workshops/{slug}/cards").json() == []


def test_others_cannot_edit_my_card(client: TestClient, auth: AuthActions, app) -> None:  # type: ignore[no-untyped-def]
    slug = auth.workshop.slug
    card = client.post(f"/api/v1/workshops/{slug}/cards", headers=auth.participant_headers(),
                       json={"field": "hf1", "category": "ideas", "text": "Meins"}).json()
    auth.join_in_browser()
    assert client.get(f"/w/{slug}/cards/{card['id']}/edit").status_code == 403
    response = client.post(f"/w/{slug}/cards/{card['id']}", data={"text": "Deins"})
    assert response.status_code == 403
    assert "eigenen Karten" in soup(response.text).select_one("[role=alert]").text
    assert client.post(f"/w/{slug}/cards/{card['id']}/delete").status_code == 403


def test_pages_need_joining_first(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    response = client.get(f"/w/{slug}/me/hf1")
    assert response.status_code == 303  # to join, and from there on to this group's form
    assert response.headers["location"] == f"/j/{auth.workshop.join_code}/hf1"
    response = client.post(f"/w/{slug}/me/hf1", data={"category": "ideas", "text": "x"})
    assert response.status_code == 303


def test_closed_posting_is_shown_and_refused(client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    slug = auth.workshop.slug
    client.post(f"/w/{slug}/facilitate/switch", data={"what": "posting", "open": "false"})
    auth.join_in_browser()
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    assert page.select_one("form.post-form button[type=submit]").has_attr("disabled")
    response = client.post(f"/w/{slug}/me/hf1", data={"category": "ideas", "text": "x"})
    assert response.status_code == 409


def test_english_interface_by_choice(client: TestClient, auth: AuthActions) -> None:
    page = soup(client.get("/", params={"lang": "en"}).text)
    assert page.html["lang"] == "en"
    assert client.cookies.get("zk_lang") == "en"
    assert page.select_one("h1").text == "Take part"
    response = client.post(f"/api/v1/workshops/{auth.workshop.slug}/cards",
                           json={"field": "hf1", "category": "ideas", "text": " "},
                           headers=auth.participant_headers())
    assert response.json()["detail"] == "Please write a text for your card."


def test_very_long_text_keeps_the_text_and_explains(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    text = "Sehr lang " * 800  # 8,000 characters, under the body limit
    response = client.post(f"/w/{slug}/me/hf1",
                           data={"text": text, "category": "ideas", "client_id": "long"})
    assert response.status_code == 422
    page = soup(response.text)
    assert "höchstens 500" in page.select_one("[role=alert]").text
    assert page.select_one("textarea#text").text == text
    assert client.get(f"/w/{slug}/me/hf1", params={"saved": "x"}).status_code == 200


def test_a_browser_that_joins_again_keeps_its_participant(client: TestClient,
                                                          auth: AuthActions, app) -> None:  # type: ignore[no-untyped-def]
    auth.join_in_browser()
    first = client.cookies["zk_participant"]
    for _ in range(3):
        auth.join_in_browser()
    assert client.cookies["zk_participant"] == first
    with app.state.context.db.session() as session:
        joined = session.exec(select(func.count()).select_from(Participant).where(
            Participant.role == "participant")).one()
    assert joined == 1


def test_joins_per_address_are_limited_more_strictly_when_open_online(
        client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    slug, code = auth.workshop.slug, auth.workshop.join_code
    assert client.post(f"/w/{slug}/facilitate/switch",
                       data={"what": "online", "open": "true"}).status_code == 303
    answers = [TestClient(auth.app).post("/api/v1/join", json={"code": code}).status_code
               for _ in range(11)]
    assert answers == [201] * 10 + [429]
    refused = TestClient(auth.app, follow_redirects=False).post(f"/j/{code}", data={"name": ""})
    assert refused.status_code == 429
    assert "sehr viele beigetreten" in soup(refused.text).select_one("[role=alert]").text
    console = soup(client.get(f"/w/{slug}/facilitate").text)
    assert "10 Personen beigetreten, höchstens 10 über dieselbe Netzadresse" in " ".join(
        console.select_one("#signs-title").parent.text.split())


def test_a_rate_limited_form_says_when_to_try_again(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    url = f"/w/{auth.workshop.slug}/me/hf1"
    answers = [client.post(url, data={"text": f"Karte {n}", "category": "ideas",
                                      "client_id": f"k{n}"}) for n in range(21)]
    assert [a.status_code for a in answers] == [303] * 20 + [429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert "sehr viele Karten" in soup(answers[-1].text).select_one("[role=alert]").text
    htmx = client.post(url, headers={"HX-Request": "true"},
                       data={"text": "noch eine", "category": "ideas", "client_id": "k99"})
    assert htmx.status_code == 429 and int(htmx.headers["retry-after"]) > 0


def test_a_groups_code_opens_its_form_after_one_tap(client: TestClient, auth: AuthActions) -> None:
    slug, code = auth.workshop.slug, auth.workshop.join_code
    page = soup(client.get(f"/j/{code}/hf3").text)
    assert page.select_one("form")["action"] == f"/j/{code}/hf3"
    joined = client.post(f"/j/{code}/hf3")
    assert joined.headers["location"] == f"/w/{slug}/me/hf3"
    assert client.get(f"/j/{code}/hf3").headers["location"] == f"/w/{slug}/me/hf3"
    assert client.get(f"/j/{code}/nope").headers["location"] == f"/w/{slug}/me"
    survey = client.get(f"/j/{code}/umfrage/1")
    assert survey.headers["location"] == f"/w/{slug}/surveys/1/me"


def test_the_name_is_asked_for_later_with_consent_for_the_documentation(
        client: TestClient, auth: AuthActions, app) -> None:  # type: ignore[no-untyped-def]
    auth.join_in_browser()
    slug = auth.workshop.slug
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    form = page.select_one("form[action$='/name']")
    assert form is not None and form.select_one("input[name=in_report][type=checkbox]")
    hint = page.select_one("#name-hint").text
    assert "nirgends öffentlich" in hint
    saved = client.post(f"/w/{slug}/name", data={"name": "Anna", "in_report": "true",
                                                 "back": f"/w/{slug}/me/hf1"})
    assert saved.headers["location"] == f"/w/{slug}/me/hf1?saved=4"
    with app.state.context.db.session() as session:
        anna = session.exec(select(Participant).where(Participant.display_name == "Anna")).one()
    assert anna.name_in_report is True
    elsewhere = client.post(f"/w/{slug}/name", data={"name": "Anna", "back": "https://evil"})
    assert elsewhere.headers["location"] == f"/w/{slug}/me?saved=4"


def test_a_card_for_a_sub_field_is_posted_in_and_shown_with_its_group(
        client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    assert client.get(f"/w/{slug}/me/hf4a").headers["location"] == f"/w/{slug}/me/hf4?bereich=hf4a"
    form = soup(client.get(f"/w/{slug}/me/hf4?bereich=hf4a").text)
    areas = {i["value"]: i.has_attr("checked") for i in form.select("input[name=subfield]")}
    assert areas == {"": False, "hf4a": True, "hf4b": False}
    hidden = _form_values(form)
    posted = client.post(f"/w/{slug}/me/hf4", data={"category": "ideas", "subfield": "hf4a",
                                                   "text": "Forschung und Betriebe vernetzen",
                                                   "client_id": hidden["client_id"]})
    assert posted.status_code == 303
    client.post(f"/w/{slug}/me/hf4", data={"category": "ideas", "text": "Allgemein zu HF 4",
                                           "client_id": "zwei"})
    board = soup(client.get(f"/w/{slug}/board/hf4").text)
    texts = [li.get_text(" ", strip=True) for li in board.select("#column-ideas li")]
    assert texts == ["Forschung und Betriebe vernetzen HF 4 A", "Allgemein zu HF 4"]
    assert "2 Karten" in board.select_one("#board-stats").get_text(" ", strip=True)
    assert client.get(f"/w/{slug}/board/hf4a").headers["location"] == f"/w/{slug}/board/hf4"
    api = client.get(f"/api/v1/workshops/{slug}/cards", params={"field": "hf4"}).json()
    assert [(c["field"], c["subfield"]) for c in api] == [("hf4a", "HF 4 A"), ("hf4", "")]
    auth.facilitate_in_browser()
    console = soup(client.get(f"/w/{slug}/facilitate/hf4").text)
    assert [t.text for t in console.select(".mod-text")] == [
        "Forschung und Betriebe vernetzen", "Allgemein zu HF 4"]
    assert client.get(f"/w/{slug}/facilitate/hf4a").headers["location"] == (
        f"/w/{slug}/facilitate/hf4")


def test_the_form_knows_when_its_field_is_closed(client: TestClient, auth: AuthActions) -> None:
    """One rule for the phone's form and the service: with one field's posting closed the
    form says so and offers no button that would only be refused."""
    auth.join_in_browser()
    slug = auth.workshop.slug
    client.put(f"/api/v1/workshops/{slug}/fields/hf1/posting", json={"open": False},
               headers=auth.facilitator_headers())
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    assert "In diesem Handlungsfeld ist das Schreiben gerade geschlossen." in page.select_one(
        ".post-form .message.notice").text
    assert page.select_one(".post-form button[type=submit]").has_attr("disabled")
    other = soup(client.get(f"/w/{slug}/me/hf2").text)
    assert not other.select_one(".post-form button[type=submit]").has_attr("disabled")
    assert other.select_one(".post-form .message.notice") is None


def test_own_cards_can_be_deleted_on_the_phone_after_posting_closed(
        client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.join_in_browser()
    client.post(f"/w/{slug}/me/hf1", data={"category": "ideas", "text": "Meine Idee",
                                          "client_id": "c-after-1"})
    assert client.put(f"/api/v1/workshops/{slug}/posting", json={"open": False},
                      headers=auth.facilitator_headers()).status_code == 200
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    [card] = page.select(".my-cards li")
    assert card.select_one("a.button") is None  # no more changing
    delete = card.select_one("form")["action"]
    assert client.post(delete).status_code == 303
    assert soup(client.get(f"/w/{slug}/me/hf1").text).select(".my-cards li") == []
