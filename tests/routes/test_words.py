"""Word clouds over HTTP: a field's on the projector (all columns or one, shown cards only)
and the free-text answers' on the survey's projector page."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions
from tests.routes.test_moderation import post_cards
from tests.routes.test_surveys import answers, ids, open_survey


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def cloud_words(page: BeautifulSoup) -> dict[str, int]:
    """The words as a screen reader hears them: "Leerstand (3)"."""
    return {li.select_one("span").text: int(li.select_one(".visually-hidden").text.strip(" ()"))
            for li in page.select(".word-cloud li")}


def test_a_fields_cloud_counts_shown_cards_by_weight_per_column(client: TestClient,
                                                              auth: AuthActions) -> None:
    _a, b, c = post_cards(client, auth, "Leerstände beheben", "Leerstand nutzen",
                         "Bürgerbus einrichten")
    [hidden] = post_cards(client, auth, "Geheimwort Leerstand", category="weaknesses")
    post_cards(client, auth, "Schöne Dorfkerne", category="strengths")
    moderate = f"/api/v1/workshops/{auth.workshop.slug}/moderation"
    headers = auth.facilitator_headers()
    assert client.post(moderate, headers=headers,
                       json={"action": "hide", "card_ids": [hidden]}).status_code == 200
    assert client.post(moderate, headers=headers, json={"action": "merge", "card_ids": [b, c],
                                                         "text": "Leerstand nutzen"}
                       ).status_code == 200
    url = f"/w/{auth.workshop.slug}/board/hf1/words"
    page = soup(client.get(url).text)
    words = cloud_words(page)
    assert words["Leerstand"] == 3  # "Leerstände" once, the merged card ×2
    assert "Geheimwort" not in words and "Bürgerbus" not in words  # hidden, merged away
    assert words["Dorfkerne"] == 1
    assert "Leerstand 3" in page.select_one(".word-list p").text  # the text alternative
    assert page.select_one("[aria-current=page]").text == "Alle Spalten"
    strengths = soup(client.get(url, params={"column": "strengths"}).text)
    assert set(cloud_words(strengths)) == {"Schöne", "Dorfkerne"}
    assert strengths.select_one("#words-title").get_text(" ", strip=True) == "Stärken · 1 Karte"
    fragment = soup(client.get(f"{url}/cloud", params={"column": "strengths"}).text)
    assert fragment.select_one("#word-cloud")["hx-trigger"] == "sse:changed throttle:2s"
    assert "column=strengths" in fragment.select_one("#word-cloud")["hx-get"]
    assert client.get(url, params={"column": "<x>"}).status_code == 422
    assert client.get(f"/w/{auth.workshop.slug}/board/nope/words").status_code == 404
    empty = soup(client.get(f"/w/{auth.workshop.slug}/board/hf2/words").text)
    assert "Noch keine Wörter" in empty.text


def test_pending_cards_stay_out_of_the_cloud(client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    switched = client.post(f"/w/{auth.workshop.slug}/facilitate/switch",
                           data={"what": "premoderation", "open": "true"})
    assert switched.status_code in (200, 303)
    [pending] = post_cards(client, auth, "Wartewort")
    url = f"/w/{auth.workshop.slug}/board/hf1/words"
    assert "Wartewort" not in cloud_words(soup(client.get(url).text))
    approved = client.post(f"/api/v1/workshops/{auth.workshop.slug}/moderation",
                           headers=auth.facilitator_headers(),
                           json={"action": "approve", "card_ids": [pending]})
    assert approved.status_code == 200
    assert cloud_words(soup(client.get(url).text)) == {"Wartewort": 1}


def test_free_text_answers_have_their_cloud_on_the_survey_projector(client: TestClient,
                                                                   auth: AuthActions) -> None:
    url = open_survey(client, auth)
    for place in ("Münchehof", "Seesen", "Münchehof", "in Münchehof", "Seesen"):
        client.cookies.clear()
        auth.join_in_browser()
        q = ids(client, auth)
        assert client.post(url, data={**answers(q), f"q-{q[2]}": place}).status_code == 303
    auth.facilitate_in_browser()
    page = soup(client.get(f"/w/{auth.workshop.slug}/survey/1").text)
    words = cloud_words(page)
    assert words == {"Münchehof": 3, "Seesen": 2}
    assert page.select_one(".word-cloud")["aria-label"] == \
        "Wortwolke: Aus welcher Gemeinde kommen Sie?"
