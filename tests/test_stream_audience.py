"""What an outsider can read from every public stream, on a real server: never a removed, hidden,
pending or edited-away text, never a participant's id – neither live nor replayed from 0."""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import select

from app import db as database
from app.models import Participant, Workshop
from tests.conftest import SECRET
from tests.live import ServerProcess, SSEClient, SSEMessage

REMOVED = ("GELOESCHT-1", "VERSTECKT-2", "ALT-3", "WARTET-4", "MODALT-5", "BEMERKUNG-6")


def _facilitator(workshop: Workshop) -> dict[str, str]:
    from app.auth import Tokens

    return {"Authorization": "Bearer " + Tokens(SECRET).facilitator_token(workshop)}


@dataclass
class Room:
    server: ServerProcess
    workshop: Workshop
    participant: dict[str, str]
    facilitator: dict[str, str]

    @property
    def api(self) -> str:
        return f"{self.server.base_url}/api/v1/workshops/{self.workshop.slug}"

    @property
    def pages(self) -> str:
        return f"{self.server.base_url}/w/{self.workshop.slug}"

    def post(self, text: str, category: str = "ideas") -> int:
        response = httpx.post(f"{self.api}/cards", headers=self.participant,
                              json={"field": "hf1", "category": category, "text": text})
        assert response.status_code == 201, response.text
        card_id: int = response.json()["id"]
        return card_id

    def moderate(self, action: str, card_id: int, **extra: object) -> None:
        response = httpx.post(f"{self.api}/moderation", headers=self.facilitator,
                              json={"action": action, "card_ids": [card_id], **extra})
        assert response.status_code == 200, response.text

    def facilitator_cookies(self) -> httpx.Cookies:
        token = self.facilitator["Authorization"].split()[1]
        response = httpx.get(f"{self.pages}/facilitate", params={"token": token})
        assert response.status_code == 303
        return response.cookies

    def public_ids(self) -> set[str]:
        db = database.Database(self.server.database_url)
        with db.session() as session:
            ids = set(session.exec(select(Participant.public_id).where(
                Participant.workshop_id == self.workshop.id)))
        db.dispose()
        return ids

    def public_streams(self, after: int | str) -> dict[str, SSEClient]:
        """Every stream anyone may open without a facilitator's secret."""
        token = self.participant["Authorization"].split()[1]
        phone = {"Cookie": f"zk_participant={token}"}
        return {
            "api": SSEClient(f"{self.api}/events?after={after}"),
            "board": SSEClient(f"{self.pages}/board/hf1/events?after={after}"),
            "board-round": SSEClient(f"{self.pages}/board/hf1/events?after={after}&round=1"),
            "plenary": SSEClient(f"{self.pages}/plenary/events?after={after}"),
            "plenary-phone": SSEClient(f"{self.pages}/plenary/events?after={after}&phone=1",
                                       headers=phone),
            "statement": SSEClient(f"{self.pages}/statement/hf1/events?after={after}",
                                   headers=phone),
        }


@pytest.fixture
def room(live_server: ServerProcess, live_workshop: Workshop) -> Room:
    """A workshop where cards were deleted, hidden, edited, moderated and held back, a remark
    hidden, and a guiding sentence proposed and supported by someone else."""
    token = httpx.post(f"{live_server.base_url}/api/v1/join",
                       json={"code": live_workshop.join_code}).json()["participant_token"]
    room = Room(live_server, live_workshop, {"Authorization": f"Bearer {token}"},
                _facilitator(live_workshop))
    deleted = room.post("GELOESCHT-1")
    assert httpx.delete(f"{room.api}/cards/{deleted}", headers=room.participant
                        ).status_code == 204
    room.moderate("hide", room.post("VERSTECKT-2"))
    edited = room.post("ALT-3")
    assert httpx.patch(f"{room.api}/cards/{edited}", headers=room.participant,
                       json={"text": "NEU-3"}).status_code == 200
    room.moderate("edit", room.post("MODALT-5"), text="MODNEU-5")
    cookies = room.facilitator_cookies()
    switch = httpx.post(f"{room.pages}/facilitate/switch", cookies=cookies,
                        data={"what": "premoderation", "open": "true"})
    assert switch.status_code == 303
    room.post("WARTET-4")
    other = httpx.post(f"{live_server.base_url}/api/v1/join",
                       json={"code": live_workshop.join_code}).json()["participant_token"]
    others = {"Authorization": f"Bearer {other}"}
    proposal = httpx.post(f"{room.api}/fields/hf1/statement/proposals", headers=others,
                          json={"text": "alle mitreden"}).json()["proposals"][0]["id"]
    httpx.post(f"{room.api}/statement-proposals/{proposal}/support", headers=others)
    httpx.put(f"{room.api}/phase", headers=room.facilitator, json={"phase": "plenary"})
    remark = httpx.post(f"{room.api}/plenary/remarks", headers=others,
                        json={"text": "BEMERKUNG-6"}).json()["id"]
    httpx.post(f"{room.pages}/plenary/moderate/act", cookies=cookies,
               data={"op": f"hide-remark:{remark}"})
    httpx.put(f"{room.api}/phase", headers=room.facilitator, json={"phase": "working"})
    return room


def drain(stream: SSEClient, quiet: float = 0.5) -> Iterator[SSEMessage]:
    while True:
        try:
            yield stream.next(timeout=quiet)
        except Exception:
            return


def drain_all(streams: dict[str, SSEClient]) -> dict[str, list[SSEMessage]]:
    """What every stream sends until it has been quiet for a while, read side by side."""
    with ThreadPoolExecutor(len(streams)) as pool:
        futures = {name: pool.submit(lambda s: list(drain(s)), stream)
                   for name, stream in streams.items()}
        return {name: future.result() for name, future in futures.items()}


def test_public_streams_replayed_from_zero_hold_only_what_is_visible_now(room: Room) -> None:
    streams = room.public_streams(after=0)
    try:
        received = drain_all(streams)
    finally:
        for stream in streams.values():
            stream.close()
    everything = " ".join(m.data for messages in received.values() for m in messages)
    for text in REMOVED:
        assert text not in everything, f"{text} leaked"
    for public_id in room.public_ids():
        assert public_id not in everything, "a participant's id leaked"
    # The streams did send the current state (so the test reads something real), at most a
    # screenful, not the history: the API stream sends one message, the board one per region.
    assert "NEU-3" in everything and "MODNEU-5" in everything
    assert [m.event for m in received["api"]] == ["state"]
    assert len(received["board"]) <= 12
    assert "alle mitreden" in " ".join(m.data for m in received["statement"])


def test_public_streams_live_carry_removals_without_their_texts(room: Room) -> None:
    page = httpx.get(f"{room.pages}/board/hf1").text
    after = page.split("events?after=")[1].split("&")[0]
    streams = room.public_streams(after=after)
    try:
        for stream in streams.values():  # connected: nothing was missed, nothing sent yet
            with pytest.raises(Exception):  # noqa: B017 (the queue's Empty)
                stream.next(timeout=0.3)
        room.post("WARTET-LIVE")  # pre-moderation is on: only facilitators learn of it
        httpx.put(f"{room.api}/fields/hf1/statement/draft", headers=room.facilitator,
                  json={"text": "ENTWURF"})  # something every stream of hf1 hears about
        received = drain_all(streams)
    finally:
        for stream in streams.values():
            stream.close()
    everything = " ".join(m.data for messages in received.values() for m in messages)
    assert "WARTET-LIVE" not in everything
    assert "ENTWURF" in " ".join(m.data for m in received["board"])
    assert "ENTWURF" in " ".join(m.data for m in received["api"])
    for public_id in room.public_ids():
        assert public_id not in everything


def test_deleting_and_hiding_live_send_no_text(room: Room) -> None:
    cookies = room.facilitator_cookies()
    httpx.post(f"{room.pages}/facilitate/switch", cookies=cookies,
               data={"what": "premoderation", "open": "false"})
    page = httpx.get(f"{room.pages}/board/hf1").text
    after = page.split("events?after=")[1].split("&")[0]
    api = SSEClient(f"{room.api}/events?after={after}")
    board = SSEClient(f"{room.pages}/board/hf1/events?after={after}")
    try:
        gone = room.post("WEG-LIVE")
        hidden = room.post("VERSTECKT-LIVE", category="strengths")
        assert "WEG-LIVE" in api.next_of("card-posted").data  # visible while it was there
        assert "VERSTECKT-LIVE" in api.next_of("card-posted").data
        httpx.delete(f"{room.api}/cards/{gone}", headers=room.participant)
        room.moderate("hide", hidden)
        deletion = api.next_of("card-deleted")
        assert json.loads(deletion.data)["data"]["card"] == {
            "id": gone, "field": "hf1", "category": "ideas"}
        assert "VERSTECKT-LIVE" not in api.next_of("board-changed").data
        assert board.next_of(f"card-gone-{gone}").data == ""
        assert "VERSTECKT-LIVE" not in board.next_of("column-strengths").data
    finally:
        api.close()
        board.close()


def test_facilitator_json_stream_carries_pending_cards(room: Room) -> None:
    streams = {"state": SSEClient(f"{room.api}/events?after=0", headers=room.facilitator)}
    try:
        state = json.loads(streams["state"].next_of("state").data)["data"]
        pending = [card for card in state["cards"] if not card["approved"]]
        assert [card["text"] for card in pending] == ["WARTET-4"]
        assert any(card["hidden"] for card in state["cards"])
        room.post("WARTET-LIVE")
        live = json.loads(streams["state"].next_of("card-posted").data)["data"]["card"]
        assert live["text"] == "WARTET-LIVE" and live["approved"] is False
        assert "author" not in live
    finally:
        for stream in streams.values():
            stream.close()


def test_a_facilitator_stream_ends_when_its_link_is_revoked(room: Room) -> None:
    cookies = room.facilitator_cookies()
    created = httpx.post(f"{room.pages}/facilitate/links", cookies=cookies,
                         data={"action": "create", "label": "Tisch 1", "field": "hf1"})
    assert created.status_code == 303
    page = httpx.get(f"{room.pages}/facilitate", cookies=cookies).text
    link = page.split("Tisch 1")[1].split("token=")[1].split('"')[0]
    stream = SSEClient(f"{room.api}/events?after=0", headers={"Authorization": f"Bearer {link}"})
    try:
        assert "WARTET-4" in stream.next_of("state").data  # pending cards: it may see them
        link_id = int(link[1:].split(".")[0])
        assert httpx.post(f"{room.pages}/facilitate/links", cookies=cookies,
                          data={"action": "revoke", "link": link_id}).status_code == 303
        time.sleep(1.2)  # a stream asks again at most once a second
        room.post("WARTET-NACH-WIDERRUF")
        assert stream.finished.wait(5), "the stream went on after the link was revoked"
        assert "WARTET-NACH-WIDERRUF" not in " ".join(m.data for m in drain(stream, 0.2))
    finally:
        stream.close()


def test_the_timer_in_a_state_is_taken_anew_for_each_client(room: Room) -> None:
    httpx.put(f"{room.api}/timer", headers=room.facilitator,
              json={"action": "start", "minutes": 10}).raise_for_status()
    lefts = []
    for _ in range(2):
        stream = SSEClient(f"{room.pages}/board/hf1/events?after=1")
        try:
            timer = stream.next_of("timer")
            lefts.append(int(timer.data.split('data-left-ms="')[1].split('"')[0]))
        finally:
            stream.close()
        time.sleep(1)
    assert lefts[0] - lefts[1] >= 900


def test_a_stream_asked_to_resume_after_no_event_there_can_be_is_refused(room: Room) -> None:
    for url, headers in ((f"{room.pages}/plenary/events?phone=1&after={10**20}", {}),
                         (f"{room.api}/events", {"Last-Event-ID": str(10**20)})):
        response = httpx.get(url, headers=headers, timeout=5)
        assert response.status_code == 422, response.text
