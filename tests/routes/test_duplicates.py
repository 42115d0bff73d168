"""Duplicate suggestions over HTTP: the API for facilitators, and the console's panel."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions
from tests.routes.test_moderation import board_texts, post_cards


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_api_suggests_and_dismisses_for_facilitators_only(client: TestClient,
                                                          auth: AuthActions) -> None:
    a, b, c = post_cards(client, auth, "Bürgerbus einrichten", "Einen Bürgerbus einrichten",
                         "Jugendzentrum")
    [d] = post_cards(client, auth, "Dorfladen eröffnen", category="weaknesses")
    e, f = post_cards(client, auth, "Dorfladen eröffnen!", "Dorfläden eröffnen")
    url = f"/api/v1/workshops/{auth.workshop.slug}/fields/hf1/duplicates"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=auth.participant_headers()).status_code in (401, 403)
    headers = auth.facilitator_headers()
    groups = client.get(url, headers=headers).json()["groups"]
    assert sorted(map(sorted, groups)) == sorted([sorted([a, b]), sorted([d, e, f])])
    assert c not in {i for g in groups for i in g}
    # The group starts in the column most of its cards are in (ideas): where a merge puts it.
    assert [e, f, d] in groups
    refused = client.post(f"{url}/dismiss", headers=headers, json={"card_ids": [a]})
    assert refused.status_code == 422
    not_ours = client.post(f"{url}/dismiss", headers=headers, json={"card_ids": [a, 10**6]})
    assert not_ours.status_code == 404 and "Karte" in not_ours.json()["detail"]
    dismissed = client.post(f"{url}/dismiss", headers=headers, json={"card_ids": [b, a]})
    assert dismissed.status_code == 200 and dismissed.json() == {"groups": [[e, f, d]]}
    assert client.get(url, headers=headers).json() == {"groups": [[e, f, d]]}
    assert client.post(f"{url}/dismiss", json={"card_ids": [d, e]}).status_code == 401
    missing = client.get(f"/api/v1/workshops/{auth.workshop.slug}/fields/nope/duplicates",
                         headers=headers)
    assert missing.status_code == 404


def test_console_merges_and_dismisses_a_suggested_group(client: TestClient,
                                                        auth: AuthActions) -> None:
    a, b = post_cards(client, auth, "Mitfahrbank aufstellen", "Mitfahrbänke aufstellen")
    c, d = post_cards(client, auth, "Radwege ausbauen", "Ausbau der Radwege")
    auth.facilitate_in_browser()
    url = f"/w/{auth.workshop.slug}/facilitate/hf1"
    page = soup(client.get(url).text)
    panel = page.select_one("#duplicates")
    assert panel is not None and not panel.has_attr("open")
    assert panel.select_one("#duplicates-count").text == "(2)"
    groups = panel.select("[data-duplicate]")
    assert {g["data-duplicate"] for g in groups} == {f"{a}-{b}", f"{c}-{d}"}
    wording = panel.select_one(f"#dup-text-{c}-{d}")
    assert wording["value"] == "Ausbau der Radwege"  # the longest, editable
    # Without htmx: merged with the wording typed, back to the console with the panel open.
    merged = client.post(f"{url}/act", data={"op": f"dupmerge:{c}-{d}",
                                             f"dup-text-{c}-{d}": "Radwege ausbauen & pflegen"})
    assert merged.status_code == 303 and "done=dupmerge" in merged.headers["location"]
    assert "Radwege ausbauen & pflegen" in board_texts(client, auth)
    assert "Radwege ausbauen" not in board_texts(client, auth)
    after = soup(client.get(merged.headers["location"]).text)
    assert after.select_one("#duplicates").has_attr("open")
    assert [g["data-duplicate"] for g in after.select("[data-duplicate]")] == [f"{a}-{b}"]
    # The merge is a moderation action like any other: undo brings the two cards back.
    assert "Zusammenfassen" in after.select_one("#undo-button").text
    # With htmx: dismissed, the card area comes back with the message and no suggestion.
    dismissed = client.post(f"{url}/act", headers={"HX-Request": "true"},
                            data={"op": f"dupdismiss:{a}-{b}"})
    assert dismissed.status_code == 200
    fragment = soup(dismissed.text)
    assert fragment.select_one("#moderation-messages").get_text(strip=True) == \
        "Vorschlag verworfen."
    assert fragment.select("[data-duplicate]") == []
    assert "Keine ähnlichen Karten" in fragment.select_one("#duplicate-list").text
    # A key that is no card list: a clear message, nothing changed.
    bad = client.post(f"{url}/act", headers={"HX-Request": "true"},
                      data={"op": "dupmerge:1-x"})
    assert bad.status_code == 422 and "Kartenauswahl" in soup(bad.text).select_one(
        "#moderation-messages").text


def test_console_panel_reloads_alone_with_its_count(client: TestClient,
                                                   auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    url = f"/w/{auth.workshop.slug}/facilitate/hf1/duplicates"
    empty = soup(client.get(url).text)
    assert empty.select_one("#duplicates-count")["hx-swap-oob"] == "true"
    assert empty.select_one("#duplicates-count").text == "(0)"
    a, b = post_cards(client, auth, "Schlechtes Mobilfunknetz", "Mobilfunknetz ist schlecht")
    fragment = soup(client.get(url).text)
    assert fragment.select_one("#duplicates-count").text == "(1)"
    [group] = fragment.select("[data-duplicate]")
    assert [li.select_one("span").text for li in group.select(".duplicate-cards li")] == [
        "Schlechtes Mobilfunknetz", "Mobilfunknetz ist schlecht"]
    # Each button says which suggestion it acts on.
    assert group.select_one("button")["aria-describedby"] == f"dup-title-{a}-{b}"
    client.cookies.clear()
    assert client.get(url).status_code in (401, 403)


def test_an_actions_answer_leaves_the_suggestions_to_the_panels_own_request(
        client: TestClient, auth: AuthActions) -> None:
    a, _b = post_cards(client, auth, "Schlechtes Mobilfunknetz", "Mobilfunknetz ist schlecht")
    auth.facilitate_in_browser()
    url = f"/w/{auth.workshop.slug}/facilitate/hf1"
    answer = soup(client.post(f"{url}/act", headers={"HX-Request": "true"},
                              data={"op": f"pin:{a}"}).text)
    panel = answer.select_one("#duplicate-list")
    assert panel["hx-trigger"].startswith("load, ")  # fetched once the answer is in place
    assert answer.select("[data-duplicate]") == [] and "gesucht" in panel.text
    assert answer.select_one("#duplicates-count").text == ""
    page = soup(client.get(url).text)  # the page itself (and without JavaScript): in place
    assert not page.select_one("#duplicate-list")["hx-trigger"].startswith("load")
    assert len(page.select("[data-duplicate]")) == 1
