"""Live latency: a real server and real board streams; N cards posted, N moderation clicks.

Usage: python scripts/bench_live.py [--posts 50] [--boards 3] [--database sqlite|postgresql]
       [--workers 1]
Prints the time from sending a card's POST until each board's SSE stream delivers it. With
several workers the boards and the posts land on different processes, so the figure includes
the way through PostgreSQL's NOTIFY. Then a card's POST next to difficult neighbours, each
beside the same figure without them: twelve phones sending their bodies a few bytes at a time,
and eight clients guessing the organizer password without pause (no sign-in limit here).
"""

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import db as database  # noqa: E402
from app.auth import Tokens  # noqa: E402
from tests.factories import make_workshop  # noqa: E402
from tests.live import ServerProcess, SSEClient, describe, start_server  # noqa: E402
from tests.pageweight import FIRST_CARD_LIMIT, JOIN_PAGE_LIMIT, phone_to_first_card  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, values: list[float]) -> str:
    return (f"{name:<28} median {statistics.median(values):6.1f} ms   "
            f"p95 {percentile(values, 0.95):6.1f} ms   max {max(values):6.1f} ms   n={len(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--boards", type=int, default=3)
    parser.add_argument("--export-cards", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.workers > 1 and args.database == "sqlite":
        parser.error("--workers > 1 needs --database postgresql")
    export_times(args.export_cards)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        # The bench measures the server, not the per-participant limit on cards.
        server, _ = start_server(stack, Path(tmp), "bench-secret", database=args.database,
                                 workers=args.workers, CARDS_PER_MINUTE="1000000",
                                 SIGN_INS_PER_MINUTE="1000000")
        run(server, args.posts, args.boards, describe(args.database, args.workers))
        neighbours(server)


def _timed_posts(client: httpx.Client, slug: str, headers: dict[str, str], n: int) -> list[float]:
    times = []
    for index in range(n):
        started = time.perf_counter()
        response = client.post(f"/api/v1/workshops/{slug}/cards", headers=headers,
                               json={"field": "hf2", "category": "ideas",
                                     "text": f"Nachbar {index}"})
        assert response.status_code == 201, response.text
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)
    return times


def _slow_body(port: int, path: str, token: str, stop: threading.Event) -> None:
    """A card sent two bytes a second, over and over, until `stop`."""
    body = json.dumps({"field": "hf2", "category": "ideas", "text": "langsam " * 4}).encode()
    while not stop.is_set():
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
                          "\r\nContent-Type: application/json\r\n"
                          f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
            try:
                for index in range(0, len(body), 2):
                    if stop.wait(1):
                        return
                    sock.sendall(body[index:index + 2])
                sock.recv(4096)
            except OSError:
                pass  # answered early (408): start again


def _guess(base: str, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            client.post("/admin/login", data={"password": "falsch geraten"})


def neighbours(server: ServerProcess) -> None:
    from app import access

    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session)
        access.set_organizer_password(session=session, password="das richtige Passwort")
    db.dispose()
    client = httpx.Client(base_url=server.base_url, timeout=60)
    token = client.post("/api/v1/join", json={"code": workshop.join_code}).json()[
        "participant_token"]
    headers = {"Authorization": f"Bearer {token}"}
    print("A card's POST next to difficult neighbours (20 posts each):")
    for name, start in (("12 slow bodies", lambda stop: [threading.Thread(
            target=_slow_body, args=(server.port, f"/api/v1/workshops/{workshop.slug}/cards",
                                     token, stop), daemon=True) for _ in range(12)]),
                        ("8 password guessers", lambda stop: [threading.Thread(
                            target=_guess, args=(server.base_url, stop), daemon=True)
                            for _ in range(8)])):
        alone = _timed_posts(client, workshop.slug, headers, 20)
        stop = threading.Event()
        threads = start(stop)
        for thread in threads:
            thread.start()
        time.sleep(1)  # they are under way
        beside = _timed_posts(client, workshop.slug, headers, 20)
        stop.set()
        for thread in threads:
            thread.join(5)
        print(line("  alone", alone))
        print(line(f"  beside {name}", beside))
    client.close()


def run(server: ServerProcess, posts: int, boards: int, setup: str) -> None:
    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
    db.dispose()
    base = server.base_url
    client = httpx.Client(base_url=base)
    token = client.post("/api/v1/join", json={"code": workshop.join_code}).json()
    headers = {"Authorization": f"Bearer {token['participant_token']}"}
    board_html = client.get(f"/w/{workshop.slug}/board/hf1").text
    after = board_html.split("events?after=")[1].split("&")[0]
    streams = [SSEClient(f"{base}/w/{workshop.slug}/board/hf1/events?after={after}")
               for _ in range(boards)]
    post_ms: list[float] = []
    deliver_ms: list[float] = []
    moderate_ms: list[float] = []
    facilitator = {"Authorization": "Bearer " + Tokens("bench-secret").facilitator_token(workshop)}
    try:
        for n in range(posts):
            started = time.perf_counter()
            response = client.post(f"/api/v1/workshops/{workshop.slug}/cards", headers=headers,
                                   json={"field": "hf1", "category": "ideas",
                                         "text": f"Messung {n}"})
            post_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.text
            card_id = response.json()["id"]
            for stream in streams:
                message = stream.next_of("card-new-ideas", timeout=5)
                assert f'id="card-{card_id}"' in message.data
                deliver_ms.append((message.received_at - started) * 1000)
            time.sleep(0.05)
        # A moderation click (hide, then show again) until every board has redrawn the column.
        for n in range(posts):
            started = time.perf_counter()
            response = client.post(f"/api/v1/workshops/{workshop.slug}/moderation",
                                   headers=facilitator,
                                   json={"action": "hide" if n % 2 == 0 else "unhide",
                                         "card_ids": [card_id]})
            assert response.status_code == 200, response.text
            for stream in streams:
                message = stream.next_of("column-ideas", timeout=5)
                moderate_ms.append((message.received_at - started) * 1000)
            time.sleep(0.05)
    finally:
        for stream in streams:
            stream.close()
    with httpx.Client(base_url=base, follow_redirects=True) as phone:
        weight = phone_to_first_card(phone, workshop.join_code, workshop.slug, "hf1")
    print(f"Post-to-board latency, {posts} posts, {boards} boards, {setup}")
    print(line("POST /cards (201)", post_ms))
    print(line("POST sent → on every board", deliver_ms))
    print(line("moderation → column redrawn", moderate_ms))
    print(f"{'join page, gzip':<28} {weight.join_page / 1024:6.1f} KB"
          f"   (limit {JOIN_PAGE_LIMIT // 1024} KB)")
    print(f"{'phone to first card, gzip':<28} {weight.total / 1024:6.1f} KB"
          f"   (limit {FIRST_CARD_LIMIT // 1024} KB: {', '.join(weight.files)})")


def export_times(cards: int = 2000) -> None:
    """Build the documentation of a workshop with `cards` cards and write every format."""
    from app.cards import post_card
    from app.participants import join
    from app.report import build_report
    from app.report.writers import FORMATS, write

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'export.sqlite3'}"
        database.upgrade(url)
        db = database.Database(url)
        with db.transaction() as session:
            workshop = make_workshop(session, westharz=True)
            people = [join(session=session, workshop=workshop) for _ in range(100)]
            fields = ["hf1", "hf2", "hf3", "hf4", "hf5"]
            categories = ["strengths", "weaknesses", "potentials", "ideas"]
            for n in range(cards):
                post_card(session=session, workshop=workshop, participant=people[n % 100],
                          field=fields[n % 5], category=categories[n // 5 % 4],
                          text=f"Karte {n}: ein Gedanke aus der Arbeitsgruppe, kurz notiert")
            session.commit()
            started = time.perf_counter()
            report = build_report(session=session, workshop=workshop)
            build_ms = (time.perf_counter() - started) * 1000
        db.dispose()
    print(f"Export of a workshop with {cards} cards (report built in {build_ms:.0f} ms):")
    for fmt in FORMATS:
        started = time.perf_counter()
        data = write(report, fmt)
        print(f"  {fmt:<5} {(time.perf_counter() - started) * 1000:7.0f} ms  "
              f"{len(data) / 1024:7.0f} KB")


if __name__ == "__main__":
    main()
