"""Live updates over a real SSE connection to a real server process."""

import json
from contextlib import suppress
from queue import Empty

import httpx

from app.models import Workshop
from tests.browser.actions import facilitate
from tests.conftest import SECRET
from tests.live import ServerProcess, SSEClient


def _join(server: ServerProcess, workshop: Workshop) -> dict[str, str]:
    token = httpx.post(f"{server.base_url}/api/v1/join",
                       json={"code": workshop.join_code}).json()["participant_token"]
    return {"Authorization": f"Bearer {token}"}


def _post(server: ServerProcess, workshop: Workshop, headers: dict[str, str], text: str,
          category: str = "ideas", field: str = "hf1") -> dict[str, object]:
    response = httpx.post(f"{server.base_url}/api/v1/workshops/{workshop.slug}/cards",
                          headers=headers, json={"field": field, "category": category,
                                                 "text": text})
    assert response.status_code == 201, response.text
    card: dict[str, object] = response.json()
    return card


def test_api_stream_receives_posted_card(live_server: ServerProcess,
                                         live_workshop: Workshop) -> None:
    headers = _join(live_server, live_workshop)
    stream = SSEClient(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/events")
    try:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        # Someone joined before we connected: the stream starts with the state as it is now.
        state = json.loads(stream.next_of("state").data)
        assert state["type"] == "state" and state["data"]["counts"]["participants"] == 1
        card = _post(live_server, live_workshop, headers, "Live & direkt")
        message = stream.next_of("card-posted")

        payload = json.loads(message.data)
        assert payload["data"]["card"]["id"] == card["id"]
        assert payload["data"]["card"]["text"] == "Live & direkt"
        assert message.id == str(payload["id"])
    finally:
        stream.close()


def test_board_stream_sends_escaped_fragments(live_server: ServerProcess,
                                              live_workshop: Workshop) -> None:
    headers = _join(live_server, live_workshop)
    board = httpx.get(f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1").text
    after = board.split("events?after=")[1].split("&")[0]
    stream = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1/events"
                       f"?after={after}")
    try:
        card = _post(live_server, live_workshop, headers, "<img src=x onerror=alert(1)>")
        message = stream.next_of("card-new-ideas")
        assert f'id="card-{card["id"]}"' in message.data
        assert "&lt;img src=x onerror=alert(1)&gt;" in message.data
        assert "<img" not in message.data
        stats = stream.next_of("stats")
        assert "<strong>1</strong> Karte" in stats.data
        _post(live_server, live_workshop, headers, "anderes Feld", field="hf2")
        httpx.put(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/posting",
                  json={"open": False}, headers={"Authorization": "Bearer " + _facilitator(
                      live_workshop)})
        posting = stream.next()  # the hf2 card is not this board's business
        assert posting.event == "posting"
        assert "geschlossen" in posting.data
    finally:
        stream.close()


def _facilitator(workshop: Workshop) -> str:
    from app.auth import Tokens

    return Tokens(SECRET).facilitator_token(workshop)


def test_reconnect_with_last_event_id_gets_the_current_state(live_server: ServerProcess,
                                                             live_workshop: Workshop) -> None:
    headers = _join(live_server, live_workshop)
    url = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/events"
    first = SSEClient(url)
    _post(live_server, live_workshop, headers, "vorher")
    seen = first.next_of("card-posted")
    first.close()
    missed = [_post(live_server, live_workshop, headers, f"verpasst {n}") for n in range(3)]
    again = SSEClient(url, headers={"Last-Event-ID": seen.id or ""})
    try:
        state = again.next()
        assert state.event == "state"
        texts = [card["text"] for card in json.loads(state.data)["data"]["cards"]]
        assert texts == ["vorher", *(c["text"] for c in missed)]
        assert int(state.id or 0) > int(seen.id or 0)
        live = _post(live_server, live_workshop, headers, "danach")
        message = again.next()  # nothing of what the state holds comes again
        assert message.event == "card-posted"
        assert json.loads(message.data)["data"]["card"]["id"] == live["id"]
        assert int(message.id or 0) > int(state.id or 0)
    finally:
        again.close()


def test_reconnect_without_missing_anything_gets_no_state(live_server: ServerProcess,
                                                          live_workshop: Workshop) -> None:
    headers = _join(live_server, live_workshop)
    url = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/events"
    first = SSEClient(url)
    _post(live_server, live_workshop, headers, "gesehen")
    seen = first.next_of("card-posted")
    first.close()
    again = SSEClient(url, headers={"Last-Event-ID": seen.id or ""})
    try:
        _post(live_server, live_workshop, headers, "neu")
        assert again.next().event == "card-posted"
    finally:
        again.close()


def test_unknown_workshop_stream_is_404(live_server: ServerProcess) -> None:
    response = httpx.get(f"{live_server.base_url}/api/v1/workshops/nope/events")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Diesen Workshop gibt es nicht")


def test_moderation_phase_and_timer_reach_the_board(live_server: ServerProcess,
                                                    live_workshop: Workshop) -> None:
    headers = _join(live_server, live_workshop)
    facilitator = {"Authorization": "Bearer " + _facilitator(live_workshop)}
    api = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
    first = _post(live_server, live_workshop, headers, "eins")
    second = _post(live_server, live_workshop, headers, "zwei")
    page = httpx.get(f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1").text
    after = page.split("events?after=")[1].split("&")[0]
    board = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1/events"
                      f"?after={after}")
    console = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/hf1/events"
                        f"?after={after}", headers=facilitator)
    try:
        httpx.post(f"{api}/moderation", headers=facilitator,
                   json={"action": "hide", "card_ids": [first["id"]]})
        column = board.next_of("column-ideas")
        assert "zwei" in column.data and "eins" not in column.data
        hidden = console.next_of("console-card")  # the card itself, with its new state
        assert "eins" in hidden.data and "is-hidden" in hidden.data
        httpx.post(f"{api}/moderation", headers=facilitator,
                   json={"action": "unhide", "card_ids": [first["id"]]})
        httpx.post(f"{api}/moderation", headers=facilitator,
                   json={"action": "merge", "card_ids": [first["id"], second["id"]],
                         "text": "eins & zwei"})
        board.next_of("column-ideas")
        merged = board.next_of("column-ideas")
        assert "eins &amp; zwei" in merged.data and "×2" in merged.data
        httpx.put(f"{api}/phase", headers=facilitator, json={"phase": "plenary"})
        assert "Plenum" in board.next_of("phase").data
        httpx.put(f"{api}/timer", headers=facilitator, json={"action": "start", "minutes": 3})
        timer = board.next_of("timer")
        assert "data-ends-at" in timer.data
        httpx.put(f"{api}/fields/hf1/posting", headers=facilitator, json={"open": False})
        assert "diesem Handlungsfeld" in board.next_of("field-posting").data
    finally:
        board.close()
        console.close()


def test_console_stream_needs_a_facilitator(live_server: ServerProcess,
                                            live_workshop: Workshop) -> None:
    url = f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/hf1/events"
    assert httpx.get(url).status_code == 403


def test_plenary_board_follows_dots_and_accepted_proposals(live_server: ServerProcess,
                                                           live_workshop: Workshop) -> None:
    facilitator = {"Authorization": "Bearer " + _facilitator(live_workshop)}
    api = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
    httpx.put(f"{api}/phase", headers=facilitator, json={"phase": "plenary"})
    headers = _join(live_server, live_workshop)
    themes = {t["text"]: t["id"] for c in httpx.get(f"{api}/plenary").json()["columns"]
              for t in c["themes"]}
    page = httpx.get(f"{live_server.base_url}/w/{live_workshop.slug}/plenary").text
    after = page.split("events?after=")[1].split("&")[0]
    board = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/plenary/events"
                      f"?after={after}")
    phone = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/plenary/events"
                      f"?after={after}&phone=1")
    try:
        httpx.post(f"{api}/plenary/dots", headers=headers, json={"theme": themes["Tierwohl"]})
        dot = board.next_of(f"theme-{themes['Tierwohl']}")
        assert 'style="--dots: 1"' in dot.data and "<li" not in dot.data
        assert "--max-dots: 1" in board.next_of("dot-scale").data
        proposal = httpx.post(f"{api}/plenary/proposals", headers=headers,
                              json={"field": "hf5", "text": "Jugendtreff"}).json()
        httpx.post(f"{live_server.base_url}/w/{live_workshop.slug}/plenary/moderate/act",
                   headers=facilitator, data={"op": f"accept:{proposal['id']}"})
        column = board.next_of("plenary-column-hf5")
        assert "Jugendtreff" in column.data and "kind-conference" in column.data
        assert "neue Themen" in phone.next_of("plenary-notice").data
        httpx.post(f"{api}/plenary/remarks", headers=headers, json={"text": "Mehr <Jugend>!"})
        assert "Mehr &lt;Jugend&gt;!" in board.next_of("remarks").data
    finally:
        board.close()
        phone.close()


def test_statement_reaches_board_and_phone_streams(live_server: ServerProcess,
                                                   live_workshop: Workshop) -> None:
    headers = _join(live_server, live_workshop)
    token = headers["Authorization"].split()[1]
    api = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
    page = httpx.get(f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1").text
    after = page.split("events?after=")[1].split("&")[0]
    board = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1/events"
                      f"?after={after}")
    phone = SSEClient(f"{live_server.base_url}/w/{live_workshop.slug}/statement/hf1/events"
                      f"?after={after}", headers={"Cookie": f"zk_participant={token}"})
    try:
        httpx.post(f"{api}/fields/hf1/statement/proposals", headers=headers,
                   json={"text": "alle <gut> leben"})
        assert "alle &lt;gut&gt; leben" in board.next_of("statement").data
        mine = phone.next_of("statement").data
        assert "Ihr Vorschlag" in mine and "Unterstützen" in mine
        httpx.post(f"{api}/fields/hf1/statement/adopt",
                   headers={"Authorization": "Bearer " + _facilitator(live_workshop)},
                   json={"text": "alle gut leben."})
        assert ("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass alle gut "
                "leben.") in board.next_of("statement").data
    finally:
        board.close()
        phone.close()
    assert httpx.get(f"{live_server.base_url}/w/{live_workshop.slug}/statement/hf1/events"
                     ).status_code == 401


def test_a_phone_follows_the_board_in_parts(live_server: ServerProcess,
                                            live_workshop: Workshop) -> None:
    """A phone's page follows where the room is ("status": phase, timer, posting) and, once its
    group panel is open, the group's cards ("cards"): a card goes only to the second, a
    posting switch only to the first, and neither gets the projector's figures."""
    headers = _join(live_server, live_workshop)
    base = f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1/events?after=0"
    status, cards = SSEClient(f"{base}&part=status"), SSEClient(f"{base}&part=cards")
    try:
        # On connecting: each its own part of the state (the cards' part no timer).
        assert status.next_of("phase") and cards.next_of("column-ideas")
        card = _post(live_server, live_workshop, headers, "Nur für das Panel")
        assert f'id="card-{card["id"]}"' in cards.next_of("card-new-ideas").data
        facilitate(live_server, live_workshop, "posting", open=False)
        assert status.next_of("posting")
        for stream, absent in ((status, {"card-new-ideas", "stats", "column-ideas"}),
                               (cards, {"posting", "stats", "timer", "phase"})):
            seen = []
            with suppress(Empty):
                while True:
                    seen.append(stream.next(timeout=0.5).event)
            assert not absent & set(seen), seen
    finally:
        status.close()
        cards.close()
