"""The field moderation console over HTTP, with and without htmx, and the moderation API."""

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import Card, Category, Field, Participant
from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def post_cards(client: TestClient, auth: AuthActions, *texts: str,
               category: str = "ideas") -> list[int]:
    headers = auth.participant_headers()
    return [client.post(f"/api/v1/workshops/{auth.workshop.slug}/cards", headers=headers,
                        json={"field": "hf1", "category": category, "text": t}).json()["id"]
            for t in texts]


def board_texts(client: TestClient, auth: AuthActions) -> list[str]:
    cards = client.get(f"/api/v1/workshops/{auth.workshop.slug}/cards",
                       params={"field": "hf1"}).json()
    return [c["text"] for c in cards]


def test_console_lists_cards_by_column_with_actions(client: TestClient,
                                                    auth: AuthActions) -> None:
    post_cards(client, auth, "Bahn", "Bus")
    post_cards(client, auth, "Vereine", category="strengths")
    auth.facilitate_in_browser()
    page = soup(client.get(f"/w/{auth.workshop.slug}/facilitate/hf1").text)
    columns = {s.select_one("h2").get_text(" ", strip=True): [t.text for t in
                                                              s.select(".mod-text")]
               for s in page.select(".console-column")}
    assert columns["Stärken (1)"] == ["Vereine"]
    assert columns["Ideen (2)"] == ["Bahn", "Bus"]
    newest = soup(client.get(f"/w/{auth.workshop.slug}/facilitate/hf1",
                             params={"order": "newest"}).text)
    assert [t.text for t in newest.select(".mod-text")][:2] == ["Vereine", "Bus"]
    live = page.select_one("[data-console-live]")  # each changed card arrives on its own
    assert live["sse-swap"] == "console-card,console-gone,console-reload"
    assert page.select_one("#moderation")["data-shown"].isdigit()


def test_hide_merge_edit_move_pin_and_undo_through_the_form(client: TestClient,
                                                            auth: AuthActions) -> None:
    a, b, c = post_cards(client, auth, "ÖPNV", "Bus fährt selten", "Mehr Busse, auch abends")
    auth.facilitate_in_browser()
    url = f"/w/{auth.workshop.slug}/facilitate/hf1"
    hidden = client.post(f"{url}/act", data={"op": f"hide:{a}"})
    assert hidden.status_code == 303 and "done=hide" in hidden.headers["location"]
    assert board_texts(client, auth) == ["Bus fährt selten", "Mehr Busse, auch abends"]
    page = soup(client.get(hidden.headers["location"]).text)
    # Once on the page, not in the guiding-sentence panel beside it as well.
    assert [p.text for p in page.select("[role=status]")] == ["Ausgeblendet."]
    assert "is-hidden" in page.select_one(f"#mod-card-{a}")["class"]
    htmx = client.post(f"{url}/act", headers={"HX-Request": "true"},
                       data={"op": "merge", "card_ids": [str(b), str(c)], "merge_text": ""})
    fragment = soup(htmx.text)
    assert fragment.select_one("div#moderation") is not None
    assert fragment.select_one("[role=status]").text == "Zusammengefasst."
    assert not fragment.select_one("#moderation-messages").has_attr("hx-preserve")
    # The live refresh carries no answer of its own: htmx keeps the one on screen.
    refresh = soup(client.get(f"{url}/cards").text)
    assert refresh.select_one("#moderation-messages").has_attr("hx-preserve")
    assert refresh.select("[role=status], [role=alert]") == []
    assert board_texts(client, auth) == ["Mehr Busse, auch abends"]
    merged = client.get(f"/api/v1/workshops/{auth.workshop.slug}/cards").json()[0]
    assert merged["weight"] == 2
    client.post(f"{url}/act", data={"op": f"edit:{merged['id']}",
                                    f"text-{merged['id']}": "Mehr Busse"})
    client.post(f"{url}/act", data={"op": f"move:{merged['id']}",
                                    f"target-{merged['id']}": "hf1:weaknesses"})
    moved = client.get(f"/api/v1/workshops/{auth.workshop.slug}/cards").json()[0]
    assert (moved["text"], moved["category"]) == ("Mehr Busse", "weaknesses")
    client.post(f"{url}/undo")
    client.post(f"{url}/undo")
    client.post(f"{url}/undo")
    assert board_texts(client, auth) == ["Bus fährt selten", "Mehr Busse, auch abends"]
    client.post(f"{url}/undo")
    assert board_texts(client, auth) == ["ÖPNV", "Bus fährt selten", "Mehr Busse, auch abends"]
    nothing = client.post(f"{url}/undo")
    assert nothing.status_code == 409
    assert "nichts rückgängig" in soup(nothing.text).select_one("[role=alert]").text


def test_stale_and_unknown_cards_get_a_message(client: TestClient, auth: AuthActions) -> None:
    a, b = post_cards(client, auth, "A", "B")
    auth.facilitate_in_browser()
    url = f"/w/{auth.workshop.slug}/facilitate/hf1"
    client.post(f"{url}/act", data={"op": "merge", "card_ids": [str(a), str(b)]})
    stale = client.post(f"{url}/act", data={"op": f"hide:{a}"})
    assert stale.status_code == 409
    assert "inzwischen zusammengefasst" in soup(stale.text).select_one("[role=alert]").text
    assert client.post(f"{url}/act", data={"op": "hide:99999"}).status_code == 404
    assert client.post(f"{url}/act", data={"op": "explode:1"}).status_code == 422
    assert client.post(f"{url}/act", data={"op": "merge",
                                           "card_ids": ["x"]}).status_code == 422
    missing_field = client.post(f"{url}/act", data={"op": f"move:{b}",
                                                    f"target-{b}": "hf9:ideas"})
    assert missing_field.status_code == 409  # b is merged: stale beats the bad target


def test_bulk_preview_then_save(client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    url = f"/w/{auth.workshop.slug}/facilitate/hf1/bulk"
    preview = soup(client.post(url, data={"text": "Stärken:\n• Vereine\nI: Bahn\nohne?"}).text)
    rows = [[td.text for td in tr.select("td")] for tr in preview.select(".bulk-preview tbody tr")]
    assert rows == [["2", "Stärken", "Vereine"], ["3", "Ideen", "Bahn"], ["4", "Ideen", "ohne?"]]
    assert preview.select_one("button[name=save]").text.strip() == "3 Karten speichern"
    assert board_texts(client, auth) == []
    broken = client.post(url, data={"text": "keine Spalte", "save": "true"})
    assert broken.status_code == 422
    assert "Zeile 1" in soup(broken.text).select_one("#moderation [role=alert]").text
    saved = client.post(url, data={"text": "S: Vereine\nI: Bahn", "save": "true"})
    assert saved.status_code == 303
    assert board_texts(client, auth) == ["Vereine", "Bahn"]
    client.post(f"/w/{auth.workshop.slug}/facilitate/hf1/undo")
    assert board_texts(client, auth) == []


def test_moderation_api(client: TestClient, auth: AuthActions) -> None:
    a, b = post_cards(client, auth, "A", "B")
    url = f"/api/v1/workshops/{auth.workshop.slug}"
    headers = auth.facilitator_headers()
    merged = client.post(f"{url}/moderation", headers=headers,
                         json={"action": "merge", "card_ids": [a, b], "text": "AB"})
    assert merged.status_code == 200 and merged.json()["kind"] == "merge"
    assert board_texts(client, auth) == ["AB"]
    stale = client.post(f"{url}/moderation", headers=headers,
                        json={"action": "hide", "card_ids": [a]})
    assert stale.status_code == 409
    undone = client.post(f"{url}/moderation/undo", headers=headers)
    assert undone.json()["kind"] == "merge"
    assert board_texts(client, auth) == ["A", "B"]
    preview = client.post(f"{url}/bulk", headers=headers,
                          json={"field": "hf1", "text": "S: x\nohne", "preview": True}).json()
    assert [c["text"] for c in preview["cards"]] == ["x", "ohne"]
    created = client.post(f"{url}/bulk", headers=headers, json={"field": "hf1", "text": "S: y"})
    assert len(created.json()["created"]) == 1
    empty = client.post(f"{url}/bulk", headers=headers, json={"field": "hf1", "text": "   "})
    assert empty.status_code == 422 and "Keine Karten" in empty.json()["detail"]
    phase = client.put(f"{url}/phase", headers=headers, json={"phase": "working", "round": 2})
    assert phase.json() == {"phase": "working", "round": 2, "rounds": 2}
    timer = client.put(f"{url}/timer", headers=headers, json={"action": "start", "minutes": 5})
    assert timer.json()["running"] is True and timer.json()["total_s"] == 300
    absurd = client.put(f"{url}/timer", headers=headers, json={"action": "start",
                                                               "minutes": -1})
    assert absurd.status_code == 422
    closed = client.put(f"{url}/fields/hf1/posting", headers=headers, json={"open": False})
    assert closed.json() == {"posting_open": False}


def form_fields(html: str, form_id: str, op: str) -> dict[str, str]:
    """What a browser sends when the button `op` of form `form_id` is pressed: the form's own
    inputs and those elsewhere that name it (`form="…"`)."""
    form = re.search(rf'<form id="{form_id}".*?</form>', html, re.S)
    assert form is not None
    parts = [soup(form[0]).form]
    parts += [soup(m[0]) for m in re.finditer(
        rf'<(input|textarea|select)[^>]*form="{form_id}"[^>]*>(.*?</\1>)?', html, re.S)]
    fields: dict[str, str] = {}
    for part in parts:
        for element in part.select("input, textarea, select"):
            if element.get("form") not in (None, form_id) or (part is parts[0] and element.get(
                    "form")):
                continue
            if element.name == "textarea":
                fields[element["name"]] = element.text
            elif element.name == "select":
                chosen = element.select_one("option[selected]") or element.select_one("option")
                fields[element["name"]] = chosen["value"]
            elif element.get("type") != "checkbox" or element.has_attr("checked"):
                fields[element["name"]] = element.get("value", "")
    return {**fields, "op": op}


@pytest.mark.sqlite_only
def test_the_console_works_with_5000_cards_in_a_field(client: TestClient, auth: AuthActions,
                                                      app) -> None:  # type: ignore[no-untyped-def]
    post_cards(client, auth, "die erste")
    with app.state.context.db.transaction() as session:
        field = session.exec(select(Field).where(Field.key == "hf1")).one()
        category = session.exec(select(Category).where(Category.key == "ideas")).one()
        author = session.exec(select(Participant)).first()
        assert author is not None
        session.add_all(Card(workshop_id=field.workshop_id, field_id=field.id or 0,
                             category_id=category.id or 0, participant_id=author.id or 0,
                             text=f"Karte {n}", position=10 * n) for n in range(2, 5001))
        session.commit()
    auth.facilitate_in_browser()
    html = client.get(f"/w/{auth.workshop.slug}/facilitate/hf1").text
    ids = [int(n) for n in re.findall(r'<li class="mod-card[^"]*" id="mod-card-(\d+)"', html)]
    assert len(ids) == 5000
    fields = form_fields(html, f"card-{ids[-1]}", f"hide:{ids[-1]}")
    assert len(fields) <= 4, fields  # the card's own: op, order, its text and target column
    hidden = client.post(f"/w/{auth.workshop.slug}/facilitate/hf1/act", data=fields)
    assert hidden.status_code == 303, hidden.text[:300]
    assert "Karte 5000" not in board_texts(client, auth)
    # The console's own form sends the selection, the wording, the order: nothing per card.
    main = re.search(r'<form id="moderation-form".*?</form>', html, re.S)
    assert main is not None
    own = {m[1] for m in re.finditer(r'<(?:input|textarea|select)(?![^>]*\bform=)[^>]*'
                                     r'name="([^"]+)"', main[0])}
    assert own == {"order", "card_ids", "merge_text"}
    merge = {"op": "merge", "order": "board", "merge_text": "",
             "card_ids": [str(ids[0]), str(ids[1])]}
    assert client.post(f"/w/{auth.workshop.slug}/facilitate/hf1/act",
                       data=merge).status_code == 303
    assert len(board_texts(client, auth)) == 4998
