"""Plenary pages: board, phone (dots, proposals, remarks), console, and the plenary API."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def start_plenary(client: TestClient, auth: AuthActions) -> None:
    client.put(f"/api/v1/workshops/{auth.workshop.slug}/phase", json={"phase": "plenary"},
               headers=auth.facilitator_headers())


def theme_ids(client: TestClient, auth: AuthActions) -> dict[str, int]:
    data = client.get(f"/api/v1/workshops/{auth.workshop.slug}/plenary").json()
    return {t["text"]: t["id"] for c in data["columns"] for t in c["themes"]}


def test_board_has_columns_legend_questions_and_remarks(client: TestClient,
                                                        auth: AuthActions) -> None:
    page = soup(client.get(f"/w/{auth.workshop.slug}/plenary").text)
    headings = [h.get_text(" ", strip=True) for h in page.select(".plenary-column h2")]
    assert headings[0] == "HF 1: Gutes Leben in der Region" and len(headings) == 5
    first = page.select(".plenary-column")[0]
    kinds = {t.select_one(".theme-text").text: t["class"] for t in first.select("li .theme")}
    assert "kind-lag" in kinds["Wohnen & Arbeiten"]
    assert "kind-mandatory" in kinds["Digitale Dörfer (Digitalisierung)"]
    assert "kind-conference" in kinds["Carsharing"]
    assert page.select_one(".questions li").text.startswith("Finden Sie Ihre")
    assert [li.text for li in page.select("#remarks li")] == [
        "Digitalisierung überall mitdenken!", "Netzabdeckung sicher stellen."]
    legend = page.select_one(".legend").get_text(" ", strip=True)
    assert "Verpflichtende Themen des Landes" in legend and "LAG" in legend
    hf4 = page.select(".plenary-column")[3]
    assert hf4.select_one("[sse-swap=plenary-column-hf4]") is not None


def test_phone_dots_without_and_with_htmx(client: TestClient, auth: AuthActions) -> None:
    start_plenary(client, auth)
    auth.join_in_browser()
    slug = auth.workshop.slug
    ids = theme_ids(client, auth)
    page = soup(client.get(f"/w/{slug}/plenary/me").text)
    assert "5 von 5 übrig" in page.select_one("#allowance").text
    response = client.post(f"/w/{slug}/plenary/me/dots", data={"theme": ids["Carsharing"]})
    assert response.status_code == 303
    htmx = client.post(f"/w/{slug}/plenary/me/dots", headers={"HX-Request": "true"},
                       data={"theme": ids["Carsharing"]})
    fragment = soup(htmx.text)
    mine = fragment.select_one(f"li#ptheme-{ids['Carsharing']} .my-dots")
    assert mine.text == "●●2 Punkte von Ihnen"
    # Its words go into the status line that stays (said reliably, not a new region each time).
    assert fragment.select_one("#allowance")["hx-swap-oob"] == "innerHTML"
    assert "3 von 5 übrig" in fragment.select_one("#allowance").text
    client.post(f"/w/{slug}/plenary/me/dots", data={"theme": ids["Carsharing"]})
    too_many = client.post(f"/w/{slug}/plenary/me/dots", headers={"HX-Request": "true"},
                           data={"theme": ids["Carsharing"]})
    assert too_many.status_code == 409
    assert "höchstens 3" in soup(too_many.text).select_one("[role=alert]").text
    back = client.post(f"/w/{slug}/plenary/me/dots", headers={"HX-Request": "true"},
                       data={"theme": ids["Carsharing"], "action": "remove"})
    assert "3 von 5 übrig" in soup(back.text).select_one("#allowance").text
    board = soup(client.get(f"/w/{slug}/plenary").text)
    carsharing = board.select_one(f"#theme-{ids['Carsharing']} .theme")
    assert carsharing["style"] == "--dots: 2" and carsharing.select_one(".dots").text == "2 Punkte"


def test_proposals_and_remarks_from_the_phone(client: TestClient, auth: AuthActions) -> None:
    start_plenary(client, auth)
    auth.join_in_browser()
    slug = auth.workshop.slug
    response = client.post(f"/w/{slug}/plenary/me/propose",
                           data={"field": "hf2", "text": "<b>Bürgerbus</b>"})
    assert response.status_code == 303
    page = soup(client.get(response.headers["location"]).text)
    assert "Moderation sieht Ihren Vorschlag" in page.select_one("[role=status]").text
    assert "<b>Bürgerbus</b> – wartet auf die Moderation" in page.text
    empty = client.post(f"/w/{slug}/plenary/me/propose", data={"field": "hf2", "text": " "})
    assert empty.status_code == 422
    wrong = client.post(f"/w/{slug}/plenary/me/propose", data={"field": "hf9", "text": "x"})
    assert wrong.status_code == 422 and "„hf9“" in soup(wrong.text).select_one("[role=alert]").text
    client.post(f"/w/{slug}/plenary/me/remark", data={"text": "Barrierefreiheit!"})
    board = soup(client.get(f"/w/{slug}/plenary").text)
    assert [li.text for li in board.select("#remarks li")][-1] == "Barrierefreiheit!"


def test_console_accepts_rejects_merges(client: TestClient, auth: AuthActions) -> None:
    start_plenary(client, auth)
    slug = auth.workshop.slug
    headers = auth.participant_headers()
    api = f"/api/v1/workshops/{slug}/plenary"
    new = client.post(f"{api}/proposals", headers=headers,
                      json={"field": "hf1", "text": "Bürgerbus"}).json()
    ids = theme_ids(client, auth)
    move = client.post(f"{api}/proposals", headers=headers,
                       json={"field": "hf3", "theme": ids["Recycling"]}).json()
    assert move["kind"] == "move"
    auth.facilitate_in_browser()
    page = soup(client.get(f"/w/{slug}/plenary/moderate").text)
    proposal_input = page.select_one(f"input#ptext-{new['id']}")
    assert proposal_input["value"] == "Bürgerbus"
    # The whole form, as the browser sends it: every theme's edit field comes along.
    proposal_input["value"] = "Bürgerbus im Dorf"
    form: dict[str, list[str]] = {"op": [f"accept:{new['id']}"]}
    for field in page.select("form input[name]"):
        if field.get("type") not in ("checkbox", "hidden"):
            form.setdefault(field["name"], []).append(field.get("value", ""))
    before = len(theme_ids(client, auth))
    client.post(f"/w/{slug}/plenary/moderate/act", data=form)
    assert len(theme_ids(client, auth)) == before + 1
    client.post(f"/w/{slug}/plenary/moderate/act", data={"op": f"reject:{move['id']}"})
    ids = theme_ids(client, auth)
    assert "Bürgerbus im Dorf" in ids
    state = client.get(api).json()
    assert state["columns"][0]["themes"][-1] == {"id": ids["Bürgerbus im Dorf"],
                                                 "text": "Bürgerbus im Dorf",
                                                 "kind": "conference", "dots": 0,
                                                 "subfield": ""}
    again = client.post(f"/w/{slug}/plenary/moderate/act", data={"op": f"reject:{move['id']}"})
    assert again.status_code == 409
    merged = client.post(f"/w/{slug}/plenary/moderate/act", headers={"HX-Request": "true"},
                         data={"op": "merge", "theme_ids": [str(ids["Dorfläden"]),
                                                            str(ids["Nahversorgung"])],
                               "merge_text": "Dorfläden und Nahversorgung"})
    assert soup(merged.text).select_one("[role=status]").text == "Gespeichert."
    refresh = soup(client.get(f"/w/{slug}/plenary/moderate/fragment").text)
    assert refresh.select_one("#plenary-messages").has_attr("hx-preserve")  # keeps that answer
    assert refresh.select("#plenary-messages *") == []
    assert "Nahversorgung" not in theme_ids(client, auth)
    bad = client.post(f"/w/{slug}/plenary/moderate/act", data={"op": "dots", "dots": "0",
                                                               "per_theme": "2"})
    assert bad.status_code == 422


def test_plenary_api_needs_a_participant_and_the_plenary(client: TestClient,
                                                         auth: AuthActions) -> None:
    api = f"/api/v1/workshops/{auth.workshop.slug}/plenary"
    ids = theme_ids(client, auth)
    assert client.post(f"{api}/dots", json={"theme": ids["Carsharing"]}).status_code == 401
    headers = auth.participant_headers()
    closed = client.post(f"{api}/dots", headers=headers, json={"theme": ids["Carsharing"]})
    assert closed.status_code == 409 and "nicht offen" in closed.json()["detail"]
    start_plenary(client, auth)
    placed = client.post(f"{api}/dots", headers=headers, json={"theme": ids["Carsharing"]})
    assert placed.json() == {"used": 1, "total": 5, "per_theme": 3}
    remark = client.post(f"{api}/remarks", headers=headers, json={"text": "x" * 301})
    assert remark.status_code == 422 and "Höchstens 300" in remark.json()["detail"]


def test_console_refuses_participants_and_table_links(client: TestClient,
                                                      auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.join_in_browser()
    assert client.get(f"/w/{slug}/plenary/moderate").status_code == 403
    assert client.post(f"/w/{slug}/plenary/moderate/act",
                       data={"op": "reject:1"}).status_code == 403


def test_a_resent_dot_counts_once(client: TestClient, auth: AuthActions) -> None:
    """The phone sends how many of its dots it saw on the theme (`have`): a tap resent after
    a lost answer finds the count moved on and changes nothing; the answer says it arrived."""
    start_plenary(client, auth)
    auth.join_in_browser()
    slug = auth.workshop.slug
    theme = theme_ids(client, auth)["Carsharing"]
    htmx = {"HX-Request": "true"}
    tap = {"theme": theme, "action": "add", "have": 0}
    first = client.post(f"/w/{slug}/plenary/me/dots", headers=htmx, data=tap)
    assert first.status_code == 200 and first.headers["Zk-Received"] == "1"
    again = client.post(f"/w/{slug}/plenary/me/dots", headers=htmx, data=tap)
    assert again.headers["Zk-Received"] == "1"
    assert soup(again.text).select_one(f"#ptheme-{theme} .my-dots").text == "●1 Punkt von Ihnen"
    assert soup(again.text).select_one(f"#ptheme-{theme} input[name=have]")["value"] == "1"
    second = client.post(f"/w/{slug}/plenary/me/dots", headers=htmx, data={**tap, "have": 1})
    assert soup(second.text).select_one(f"#ptheme-{theme} .my-dots").text == "●●2 Punkte von Ihnen"
    take_back = {"theme": theme, "action": "remove", "have": 2}
    for _ in range(2):  # sent twice: one dot comes back
        client.post(f"/w/{slug}/plenary/me/dots", headers=htmx, data=take_back)
    api = client.get(f"/api/v1/workshops/{slug}/plenary").json()
    [carsharing] = [t for c in api["columns"] for t in c["themes"] if t["id"] == theme]
    assert carsharing["dots"] == 1
    refused = client.post(f"/w/{slug}/plenary/me/dots", headers=htmx,
                          data={"theme": theme, "action": "remove", "have": 0})
    assert refused.status_code == 200  # nothing of its own left that it saw: nothing changes
