"""Guiding sentence over HTTP: phone forms (with and without htmx), console, and the API."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions

SENTENCE = ("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass die Region "
            "attraktiv und lebenswert für alle Generationen bleibt und wir neue Konzeptideen "
            "verwirklichen können.")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_phone_proposes_and_supports(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    label = page.select_one("label[for=statement-text]").text
    assert label == "Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass …"
    response = client.post(f"/w/{slug}/statement/hf1/propose",
                           data={"text": "<i>alle</i> gut leben"})
    assert response.status_code == 303
    page = soup(client.get(f"/w/{slug}/me/hf1").text)
    item = page.select_one(".statement-proposals li")
    assert item.select_one("p").get_text(" ", strip=True) == "… <i>alle</i> gut leben Ihr Vorschlag"
    proposal = item.select_one("input[name=proposal]")["value"]
    htmx = client.post(f"/w/{slug}/statement/hf1/support", headers={"HX-Request": "true"},
                       data={"proposal": proposal})
    assert htmx.status_code == 204  # the phone's live stream brings the new state
    assert htmx.headers["Zk-Received"] == "1"  # the phone's outbox takes only this for sent
    fragment = soup(client.get(f"/w/{slug}/me/hf1").text).select_one("#statement")
    assert fragment.select_one(".support").text == "1 Stimme"
    assert fragment.select_one("button[value=withdraw]") is not None
    # A support sent again (a phone whose answer was lost resends it) counts once, no error.
    twice = client.post(f"/w/{slug}/statement/hf1/support", headers={"HX-Request": "true"},
                        data={"proposal": proposal})
    assert twice.status_code == 204 and twice.headers["Zk-Received"] == "1"
    fragment = soup(client.get(f"/w/{slug}/me/hf1").text).select_one("#statement")
    assert fragment.select_one(".support").text == "1 Stimme"
    empty = client.post(f"/w/{slug}/statement/hf1/propose", data={"text": "  "})
    assert empty.status_code == 422
    # With htmx, a proposal that arrived empties its field and leaves the rest to the stream;
    # every other redraw keeps what the phone has typed.
    sent = client.post(f"/w/{slug}/statement/hf1/propose", headers={"HX-Request": "true"},
                       data={"text": "es weitergeht"})
    assert (sent.status_code, sent.headers["HX-Reswap"]) == (200, "none")
    field = soup(sent.text).select_one("textarea#statement-text")
    assert field["hx-swap-oob"] == "true" and field.text == ""
    assert not soup(sent.text).select(".statement-proposals")
    refused = client.post(f"/w/{slug}/statement/hf1/propose", headers={"HX-Request": "true"},
                          data={"text": "  "})
    assert refused.status_code == 422 and soup(refused.text).select_one(
        "textarea#statement-text").has_attr("hx-preserve")


def test_console_takes_drafts_and_adopts(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    api = f"/api/v1/workshops/{slug}/fields/hf1/statement"
    client.post(f"{api}/proposals", headers=auth.participant_headers(),
                json={"text": "die Region attraktiv und lebenswert für alle Generationen bleibt"})
    proposal = client.get(api).json()["proposals"][0]["id"]
    auth.facilitate_in_browser()
    console = f"/w/{slug}/facilitate/hf1/statement"
    taken = client.post(console, headers={"HX-Request": "true"},
                        data={"op": f"take:{proposal}", "text": ""})
    assert soup(taken.text).select_one("textarea#draft").text.startswith("die Region attraktiv")
    assert soup(taken.text).select_one("#statement-messages [role=status]").text == (
        "In den Entwurf übernommen.")
    refresh = soup(client.get(console).text)  # keeps that answer on screen (hx-preserve)
    assert refresh.select_one("#statement-messages").has_attr("hx-preserve")
    assert refresh.select("#statement-messages *") == []
    assert client.post(f"{console}/draft", data={"text": "im Entwurf"}).status_code == 204
    assert client.get(api).json()["draft"] == "im Entwurf"
    completion = ("die Region attraktiv und lebenswert für alle Generationen bleibt und wir neue "
                  "Konzeptideen verwirklichen können.")
    adopted = client.post(console, data={"op": "adopt", "text": completion})
    assert adopted.status_code == 303
    data = client.get(api).json()
    assert (data["sentence"], data["version"], data["draft"]) == (SENTENCE, 1, "")
    board = soup(client.get(f"/w/{slug}/board/hf1").text)
    assert board.select_one("#statement .adopted").text == SENTENCE
    closed = client.post(console, data={"op": "close"})
    assert closed.status_code == 303 and client.get(api).json()["open"] is False


def test_statement_api_rules(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    api = f"/api/v1/workshops/{slug}"
    headers = auth.participant_headers()
    created = client.post(f"{api}/fields/hf2/statement/proposals", headers=headers,
                          json={"text": "die Ortskerne lebenswert bleiben"})
    assert created.status_code == 201
    proposal = created.json()["proposals"][0]["id"]
    supported = client.post(f"{api}/statement-proposals/{proposal}/support", headers=headers)
    assert supported.json()["proposals"][0]["support"] == 1
    again = client.post(f"{api}/statement-proposals/{proposal}/support", headers=headers)
    assert again.status_code == 409
    withdrawn = client.delete(f"{api}/statement-proposals/{proposal}/support", headers=headers)
    assert withdrawn.json()["proposals"][0]["support"] == 0
    too_long = client.post(f"{api}/fields/hf2/statement/proposals", headers=headers,
                           json={"text": "x" * 401})
    assert too_long.status_code == 422
    assert client.post(f"{api}/fields/hf2/statement/adopt", headers=headers,
                       json={"text": "x"}).status_code == 403
    assert client.post(f"{api}/fields/hf2/statement/proposals",
                       json={"text": "x"}).status_code == 401


SEED = {
    "hf1": "die Region attraktiv und lebenswert für alle Generationen bleibt und wir neue "
           "Konzeptideen verwirklichen können.",
    "hf2": "die Ortskerne lebenswert bleiben und sich nachhaltig (sozial, ökologisch, "
           "ökonomisch) entwickeln und dass eine behutsame nachhaltige und an den Naturraum "
           "angepasste Siedlungsentwicklung im Randbereich möglich ist.",
    "hf3": "die historische Kulturlandschaft der Region den hier lebenden Menschen in ihrer "
           "Vielfalt bewusster wird und sie zu schätzen lernt. → „Starke Natur für eine starke "
           "Region“… Bewusstsein für die Region stärken",
    "hf4": "der Harz ein innovativerer und attraktiverer Lebens-, Arbeits- und Erholungsraum "
           "wird und eine Brücke zwischen Tradition und Zukunft schlägt.",
    "hf5": "Ehrenamt bekannter gemacht wird und Glückorte entdeckt werden und selbstbewusst "
           "engagiert gepflegt und entwickelt werden.",
}


def test_the_seeds_five_sentences_read_exactly_on_the_boards(client: TestClient,
                                                             auth: AuthActions) -> None:
    slug = auth.workshop.slug
    headers = auth.participant_headers()
    for field, completion in SEED.items():
        api = f"/api/v1/workshops/{slug}/fields/{field}/statement"
        client.post(f"{api}/proposals", headers=headers, json={"text": "… " + completion})
        proposal = client.get(api).json()["proposals"][0]
        assert proposal["text"] == completion
        client.post(f"{api}/adopt", headers=auth.facilitator_headers(),
                    json={"text": proposal["text"]})
        board = soup(client.get(f"/w/{slug}/board/{field}").text)
        expected = ("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass "
                    + completion)
        assert board.select_one("#statement .adopted").text == expected
