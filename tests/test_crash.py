"""Crash safety: kill the server mid-burst; every acknowledged card survives and reaches boards
that reconnect with Last-Event-ID (as the state they missed). And a clean shutdown on SIGTERM."""

import json
import os
import signal
import threading
import time
from pathlib import Path

import httpx

from app import db as database
from tests.conftest import SECRET
from tests.factories import make_workshop
from tests.live import ServerProcess, SSEClient


def test_sigkill_mid_burst_loses_no_acknowledged_card(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, SECRET, CARDS_PER_MINUTE="100000")
    server.start()
    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
    db.dispose()
    api = f"{server.base_url}/api/v1/workshops/{workshop.slug}"
    tokens = [httpx.post(f"{server.base_url}/api/v1/join",
                         json={"code": workshop.join_code}).json()["participant_token"]
              for _ in range(4)]
    board = SSEClient(f"{api}/events?after=0")
    acknowledged: list[int] = []
    stop = threading.Event()

    def burst(token: str) -> None:
        with httpx.Client(timeout=5) as client:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    response = client.post(f"{api}/cards",
                                           headers={"Authorization": f"Bearer {token}"},
                                           json={"field": "hf1", "category": "ideas",
                                                 "text": f"Burst {n}", "client_id": f"b{n}"})
                except httpx.HTTPError:
                    return  # the server died mid-request: that card was never acknowledged
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])

    threads = [threading.Thread(target=burst, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)  # mid-burst: posts are in flight
    server.process.wait()
    stop.set()
    for thread in threads:
        thread.join()
    seen: set[int] = set()
    last_id = "0"
    while True:  # everything the board had received when the power went
        try:
            message = board.next(timeout=0.5)
        except Exception:
            break
        if message.event == "card-posted":
            seen.add(json.loads(message.data)["data"]["card"]["id"])
            last_id = message.id or last_id
    board.close()
    assert len(acknowledged) >= 40

    server.start()
    try:
        stored = {c["id"] for c in httpx.get(f"{api}/cards").json()}
        assert set(acknowledged) <= stored, "every 201 survived the power cut"
        again = SSEClient(f"{api}/events", headers={"Last-Event-ID": last_id})
        try:
            if not set(acknowledged) <= seen:
                # What the board missed comes as the state it is in now: all of it.
                state = json.loads(again.next_of("state", timeout=5).data)["data"]
                assert set(acknowledged) <= {card["id"] for card in state["cards"]}
        finally:
            again.close()
    finally:
        server.stop()


def test_sigterm_closes_streams_and_exits_cleanly(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, SECRET)
    server.start()
    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session)
    db.dispose()
    stream = SSEClient(f"{server.base_url}/api/v1/workshops/{workshop.slug}/events")
    assert server.process is not None
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    code = server.process.wait(timeout=10)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why.
    assert code in (0, -signal.SIGTERM)
    assert time.monotonic() - started < 8
    stream.finished.wait(5)
    errors = []
    while not stream.messages.empty():
        item = stream.messages.get()
        if isinstance(item, BaseException):
            errors.append(item)
    assert errors == [], "the stream ended cleanly, not with a broken connection"
    stream.close()
