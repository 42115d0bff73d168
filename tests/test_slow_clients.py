"""Nothing one slow or hostile client does stalls the others: real sockets, a real server.

Timing is asserted as order, not as a threshold: the other person's card is stored before the
slow clients (or the password guessers) have their answers.
"""

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from app import access
from app import db as database
from tests.conftest import SECRET
from tests.factories import make_workshop
from tests.live import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("slow"), SECRET, BODY_IDLE_SECONDS="1")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def slug(server: ServerProcess) -> str:
    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session)
        access.set_organizer_password(session=session, password="das richtige Passwort")
    db.dispose()
    return workshop.slug


def _token(server: ServerProcess, slug: str) -> str:
    code = httpx.get(f"{server.base_url}/api/v1/workshops/{slug}").json()
    assert code  # the workshop exists
    db = database.Database(server.database_url)
    with db.session() as session:
        from app.workshops import get_workshop

        join_code = get_workshop(session=session, slug=slug).join_code
    db.dispose()
    token: str = httpx.post(f"{server.base_url}/api/v1/join",
                            json={"code": join_code}).json()["participant_token"]
    return token


def _post_card(server: ServerProcess, slug: str, token: str, text: str) -> float:
    """Posts a card; returns when the answer came (time.monotonic)."""
    response = httpx.post(f"{server.base_url}/api/v1/workshops/{slug}/cards",
                          headers={"Authorization": f"Bearer {token}"},
                          json={"field": "hf1", "category": "ideas", "text": text}, timeout=30)
    assert response.status_code == 201, response.text
    return time.monotonic()


class SlowBody(threading.Thread):
    """A card sent a few bytes at a time, as over a very weak signal."""

    def __init__(self, server: ServerProcess, path: str, token: str, body: bytes,
                 pause: float) -> None:
        super().__init__(daemon=True)
        self.server, self.path, self.token, self.body, self.pause = (
            server, path, token, body, pause)
        self.status: int | None = None
        self.answered_at: float | None = None
        self.started = threading.Event()

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as sock:
            sock.sendall((f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Authorization: Bearer {self.token}\r\n"
                          "Content-Type: application/json\r\n"
                          f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
                          ).encode())
            sock.sendall(self.body[:2])
            self.started.set()
            try:
                for index in range(2, len(self.body), 4):
                    time.sleep(self.pause)
                    sock.sendall(self.body[index:index + 4])
            except OSError:
                pass  # the server answered early and closed: read what it said
            answer = sock.recv(65536)
            self.answered_at = time.monotonic()
            self.status = int(answer.split(b" ", 2)[1])


def test_a_card_next_to_twelve_slow_bodies_is_not_held_up(server: ServerProcess,
                                                           slug: str) -> None:
    token = _token(server, slug)
    body = json.dumps({"field": "hf1", "category": "ideas",
                       "text": "Langsam über ein schwaches Netz gesendet"}).encode()
    slow = [SlowBody(server, f"/api/v1/workshops/{slug}/cards", token, body, pause=0.15)
            for _ in range(12)]
    for client in slow:
        client.start()
    for client in slow:
        assert client.started.wait(5)
    done = _post_card(server, slug, token, "Vom Handy mit gutem Netz")
    for client in slow:
        client.join(30)
    assert [client.status for client in slow] == [201] * 12
    assert all(done < (client.answered_at or 0) for client in slow), \
        "the quick card waited for the slow bodies"


def test_a_body_that_stalls_gets_408_and_holds_nothing(server: ServerProcess, slug: str) -> None:
    token = _token(server, slug)
    body = json.dumps({"field": "hf1", "category": "ideas", "text": "bleibt hängen"}).encode()
    stalled = SlowBody(server, f"/api/v1/workshops/{slug}/cards", token, body, pause=1.6)
    stalled.start()
    stalled.join(30)
    assert stalled.status == 408  # BODY_IDLE_SECONDS=1 for this server


def test_a_card_next_to_eight_password_guessers_is_not_held_up(server: ServerProcess,
                                                               slug: str) -> None:
    token = _token(server, slug)
    answers: list[tuple[float, httpx.Response]] = []

    def guess(n: int) -> None:
        response = httpx.post(f"{server.base_url}/admin/login",
                              data={"password": f"falsch geraten {n}"}, timeout=30)
        answers.append((time.monotonic(), response))

    guessers = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in guessers:
        thread.start()
    time.sleep(0.05)  # the guesses are under way
    done = _post_card(server, slug, token, "Während andere Passwörter raten")
    for thread in guessers:
        thread.join(30)
    statuses = sorted(response.status_code for _, response in answers)
    assert statuses == [401] * 5 + [429] * 3  # five tries a minute from one address
    limited = next(response for _, response in answers if response.status_code == 429)
    assert "Zu viele Anmeldeversuche" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert done < max(at for at, _ in answers), "the card waited for the password checks"
