"""Several server processes on one PostgreSQL: boards on one process follow posts to another."""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from sqlalchemy import text

from app import db as database
from app.live.events import CardPosted, events_since
from app.live.pgbus import LISTENER_NAME, libpq_url
from app.models import Workshop
from tests.conftest import PG_TEMPLATE, SECRET
from tests.factories import make_workshop
from tests.live import ServerProcess, SSEClient
from tests.pgcluster import PgCluster


@pytest.fixture(scope="module")
def servers(pg_cluster: PgCluster,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ...]]:
    url = pg_cluster.create_database("processes", template=PG_TEMPLATE)
    started = []
    try:
        for name in ("a", "b"):
            server = ServerProcess(tmp_path_factory.mktemp(name), SECRET, database_url=url)
            server.start()
            started.append(server)
        yield tuple(started)
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def shared_workshop(servers: tuple[ServerProcess, ...]) -> Workshop:
    db = database.Database(servers[0].database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
    db.dispose()
    return workshop


def _join(server: ServerProcess, workshop: Workshop) -> dict[str, str]:
    response = httpx.post(f"{server.base_url}/api/v1/join", json={"code": workshop.join_code})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['participant_token']}"}


def _post(server: ServerProcess, workshop: Workshop, headers: dict[str, str],
          text: str) -> int:
    response = httpx.post(f"{server.base_url}/api/v1/workshops/{workshop.slug}/cards",
                          headers=headers,
                          json={"field": "hf1", "category": "ideas", "text": text})
    assert response.status_code == 201, response.text
    card_id: int = response.json()["id"]
    return card_id


def _card_id(message_data: str) -> int:
    card_id: int = json.loads(message_data)["data"]["card"]["id"]
    return card_id


def test_board_on_one_process_sees_cards_posted_to_another(
        servers: tuple[ServerProcess, ...], shared_workshop: Workshop) -> None:
    a, b = servers
    headers = _join(a, shared_workshop)
    board = SSEClient(f"{b.base_url}/w/{shared_workshop.slug}/board/hf1/events?lang=de")
    api = SSEClient(f"{b.base_url}/api/v1/workshops/{shared_workshop.slug}/events")
    try:
        sent = time.perf_counter()
        card_id = _post(a, shared_workshop, headers, "Über Prozesse <b>hinweg</b>")
        message = api.next_of("card-posted")
        assert _card_id(message.data) == card_id
        fragment = board.next_of("card-new-ideas")
        assert f'id="card-{card_id}"' in fragment.data
        assert "&lt;b&gt;hinweg&lt;/b&gt;" in fragment.data
        assert fragment.received_at - sent < 1.0  # the same budget as within one process
        # And back: a card posted to B reaches a stream on A.
        on_a = SSEClient(f"{a.base_url}/api/v1/workshops/{shared_workshop.slug}/events",
                         headers={"Last-Event-ID": message.id or ""})
        try:
            back = _post(b, shared_workshop, _join(b, shared_workshop), "zurück")
            assert _card_id(on_a.next_of("card-posted").data) == back
        finally:
            on_a.close()
    finally:
        board.close()
        api.close()


def test_reconnect_to_another_process_gets_what_was_missed(
        servers: tuple[ServerProcess, ...], shared_workshop: Workshop) -> None:
    a, b = servers
    headers = _join(a, shared_workshop)
    path = f"/api/v1/workshops/{shared_workshop.slug}/events"
    first = SSEClient(a.base_url + path)
    _post(a, shared_workshop, headers, "vorher")
    seen = first.next_of("card-posted")
    first.close()
    missed = [_post(a, shared_workshop, headers, f"verpasst {n}") for n in range(3)]
    again = SSEClient(b.base_url + path, headers={"Last-Event-ID": seen.id or ""})
    try:
        state = json.loads(again.next_of("state").data)["data"]
        assert set(missed) <= {card["id"] for card in state["cards"]}
        live = _post(a, shared_workshop, headers, "danach")
        assert _card_id(again.next_of("card-posted").data) == live
    finally:
        again.close()


def test_interleaved_posts_reach_every_board_once_in_order(
        servers: tuple[ServerProcess, ...], shared_workshop: Workshop) -> None:
    headers = {server.base_url: _join(server, shared_workshop) for server in servers}
    streams = [SSEClient(f"{server.base_url}/api/v1/workshops/{shared_workshop.slug}/events")
               for server in servers]
    try:
        posted = []
        for n in range(20):
            server = servers[n % 2]
            posted.append(_post(server, shared_workshop, headers[server.base_url], f"Karte {n}"))
        for stream in streams:
            received = [stream.next_of("card-posted") for _ in posted]
            assert [_card_id(m.data) for m in received] == posted
            ids = [int(m.id or 0) for m in received]
            assert ids == sorted(set(ids))
    finally:
        for stream in streams:
            stream.close()


def test_concurrent_posts_to_two_processes_count_in_event_order(
        servers: tuple[ServerProcess, ...], shared_workshop: Workshop) -> None:
    """Each card's event carries the board's counts: in event order they rise one by one,
    whichever process took the card and however the posts overlapped."""
    people = [(server, _join(server, shared_workshop)) for server in servers for _ in range(6)]

    def post_five(person: tuple[ServerProcess, dict[str, str]]) -> list[int]:
        server, headers = person
        return [_post(server, shared_workshop, headers, f"gleichzeitig {n}") for n in range(5)]

    with ThreadPoolExecutor(len(people)) as pool:
        posted = [card for cards in pool.map(post_five, people) for card in cards]
    db = database.Database(servers[0].database_url)
    with db.session() as session:
        events = events_since(session, workshop_id=shared_workshop.id or 0, after=0)
    db.dispose()
    cards = [event for event in events if isinstance(event, CardPosted)]
    assert sorted(event.card.id for event in cards) == sorted(posted)
    assert [event.counts.cards["hf1"] for event in cards] == list(range(1, len(posted) + 1))


def test_listener_that_lost_its_connection_catches_up(
        pg_cluster: PgCluster, servers: tuple[ServerProcess, ...],
        shared_workshop: Workshop) -> None:
    a, b = servers
    headers = _join(a, shared_workshop)
    board = SSEClient(f"{b.base_url}/api/v1/workshops/{shared_workshop.slug}/events")
    try:
        with psycopg.connect(libpq_url(pg_cluster.url()), autocommit=True) as admin:
            cut = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                " WHERE application_name = %s AND datname = 'processes'",
                                (LISTENER_NAME,)).fetchone()
            assert cut is not None and cut[0] == 2  # both processes' listeners
            # Posted while the listeners are away: no notification reaches them.
            during = _post(a, shared_workshop, headers, "während der Funkstille")
        assert _card_id(board.next_of("card-posted", timeout=10).data) == during
        with psycopg.connect(libpq_url(pg_cluster.url("processes")), autocommit=True) as other:
            other.execute("NOTIFY zukunft_events, 'kein:Ereignis'")  # someone else's noise
        after = _post(a, shared_workshop, headers, "danach")
        assert _card_id(board.next_of("card-posted").data) == after
    finally:
        board.close()


def test_serve_with_workers_runs_several_processes_on_one_port(
        pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> None:
    url = pg_cluster.create_database("workers", template=PG_TEMPLATE)
    server = ServerProcess(tmp_path_factory.mktemp("workers"), SECRET, database_url=url,
                           args=("--workers", "3"))
    server.start()
    try:
        db = database.Database(url)
        with db.transaction() as session:
            workshop = make_workshop(session, westharz=True)
        with db.session() as session:
            deadline = time.monotonic() + 10
            while True:
                listeners = session.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'workers'"
                    " AND application_name = :name"), {"name": LISTENER_NAME}).scalar()
                if listeners == 3 or time.monotonic() > deadline:
                    break
                session.rollback()
                time.sleep(0.2)
        db.dispose()
        assert listeners == 3  # one listener per worker process
        headers = _join(server, workshop)
        stream = SSEClient(f"{server.base_url}/api/v1/workshops/{workshop.slug}/events")
        try:
            posted = [_post(server, workshop, headers, f"Karte {n}") for n in range(12)]
            assert [_card_id(stream.next_of("card-posted").data) for _ in posted] == posted
        finally:
            stream.close()
    finally:
        server.stop()


def test_several_workers_need_postgresql(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--database-url",
                                      f"sqlite:///{tmp_path / 'x.sqlite3'}"])
    assert result.exit_code == 2
    assert "Mehrere Serverprozesse" in result.output
    assert "PostgreSQL" in result.output
