"""Load benchmark: N participants join and post while K boards follow the live stream.

Usage: python scripts/bench_load.py [--participants 1000] [--boards 10] [--seconds 20]
       [--interval 10] [--burst 5]

Each participant posts one card every `interval` seconds for `seconds`, then all post once more
within `burst` seconds. Every board is a real SSE connection to the JSON event stream. Prints
join/post latency percentiles, post-to-board delivery percentiles (every card at every board),
errors by status, a ledger check (every 201 stored, delivered to every board exactly once), and
the throughput of the same load against a minimal endpoint as a ceiling.
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import db as database  # noqa: E402
from tests.factories import make_workshop  # noqa: E402
from tests.live import ServerProcess  # noqa: E402


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    return (f"{name:<24} p50 {pct(values, .5):7.1f}  p95 {pct(values, .95):7.1f}  "
            f"p99 {pct(values, .99):7.1f}  max {max(values or [0]):7.1f} ms  n={len(values)}")


async def board(url: str, received: dict[int, list[float]], ready: asyncio.Event,
                stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client, \
            client.stream("GET", url) as response:
        ready.set()
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "card-posted":
                card = json.loads(line[5:])["data"]["card"]["id"]
                received[card].append(time.perf_counter())
            if stop.is_set():
                return


async def run(server: ServerProcess, participants: int, boards: int, seconds: float,
              interval: float, burst: float) -> dict[str, object]:
    db = database.Database(server.database_url)
    with db.session(write=True) as session:
        workshop = make_workshop(session, westharz=True)
    db.dispose()
    base = server.base_url
    api = f"{base}/api/v1/workshops/{workshop.slug}"
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    client = httpx.AsyncClient(timeout=10, limits=limits)
    statuses: Counter[str] = Counter()
    join_ms: list[float] = []
    semaphore = asyncio.Semaphore(100)

    async def join() -> str | None:
        async with semaphore:
            started = time.perf_counter()
            try:
                response = await client.post(f"{base}/api/v1/join",
                                             json={"code": workshop.join_code})
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                return None
            join_ms.append((time.perf_counter() - started) * 1000)
            statuses[f"join {response.status_code}"] += 1
            token: str | None = response.json().get("participant_token")
            return token

    tokens = [t for t in await asyncio.gather(*(join() for _ in range(participants))) if t]
    received: dict[int, list[float]] = defaultdict(list)
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in range(boards)]
    board_tasks = [asyncio.create_task(board(f"{api}/events", received, ready, stop))
                   for ready in readies]
    for ready in readies:
        await ready.wait()
    sent: dict[int, float] = {}
    post_ms: list[float] = []
    fields = ["hf1", "hf2", "hf3", "hf4", "hf5"]

    async def post(token: str, n: int, latencies: list[float] = post_ms) -> None:
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{api}/cards", headers={"Authorization": f"Bearer {token}"},
                json={"field": random.choice(fields), "category": "ideas",
                      "text": f"Karte {n}", "client_id": f"c{n}"})
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            return
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[f"post {response.status_code}"] += 1
        if response.status_code == 201:
            sent[response.json()["id"]] = started

    async def participant(index: int, token: str) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        n, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            n += 1
            await post(token, n)
            await asyncio.sleep(interval)
        await asyncio.sleep(random.uniform(0, burst))  # the timer ran out: everyone at once
        await post(token, n + 1)

    started = time.perf_counter()
    await asyncio.gather(*(participant(i, t) for i, t in enumerate(tokens)))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(2)  # let the last events arrive
    stop.set()
    for task in board_tasks:
        task.cancel()
    stored = {c["id"] for c in (await client.get(f"{api}/cards")).json()}
    delivery = [(t - sent[card]) * 1000 for card, times in received.items() if card in sent
                for t in times]
    lost = [card for card in sent if card not in stored]
    missing = sum(boards - len(received.get(card, [])) for card in sent)
    duplicates = sum(max(0, len(times) - boards) for times in received.values())

    # The ceiling: the same number of requests, same concurrency, to a minimal endpoint.
    async def ping() -> None:
        async with semaphore:
            await client.get(f"{base}/api/v1/ping")

    ping_started = time.perf_counter()
    await asyncio.gather(*(ping() for _ in range(len(post_ms))))
    ping_elapsed = time.perf_counter() - ping_started
    ceiling_posts: list[float] = []
    post_started = time.perf_counter()
    await asyncio.gather(*(post(tokens[i % len(tokens)], 10_000 + i, ceiling_posts)
                           for i in range(len(post_ms) // 4)))
    post_elapsed = time.perf_counter() - post_started
    await client.aclose()
    return {"join": join_ms, "post": post_ms, "delivery": delivery, "statuses": statuses,
            "lost": len(lost), "missing": missing, "duplicates": duplicates,
            "cards": len(sent), "elapsed": elapsed,
            "ceiling_rps": len(post_ms) / ping_elapsed,
            "post_rps": len(ceiling_posts) / post_elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--burst", type=float, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp), "bench-secret", CARDS_PER_MINUTE="1000000",
                               JOINS_PER_MINUTE="1000000")
        server.start()
        try:
            result = asyncio.run(run(server, args.participants, args.boards, args.seconds,
                                     args.interval, args.burst))
        finally:
            server.stop()
    post, delivery = result["post"], result["delivery"]
    assert isinstance(post, list) and isinstance(delivery, list)
    print(f"Load: {args.participants} participants, {args.boards} boards, one server process, "
          f"SQLite; {result['cards']} cards in {result['elapsed']:.0f} s")
    print(summary("join", result["join"]))  # type: ignore[arg-type]
    print(summary("post (201)", post))
    print(summary("post → every board", delivery))
    print(f"statuses: {dict(result['statuses'])}")  # type: ignore[call-overload]
    print(f"ledger: lost {result['lost']}, not delivered {result['missing']}, "
          f"delivered twice {result['duplicates']}")
    ratio = float(result["post_rps"]) / float(result["ceiling_rps"])  # type: ignore[arg-type]
    print(f"throughput: posts {result['post_rps']:.0f}/s vs. minimal endpoint "
          f"{result['ceiling_rps']:.0f}/s = {ratio:.0%} of the stack's ceiling")
    met = (pct(post, .99) < 150 and pct(delivery, .99) < 300 and result["lost"] == 0
           and result["missing"] == 0
           and all(k.endswith(("200", "201")) for k in result["statuses"]))  # type: ignore[attr-defined]
    print(f"target (p99 post < 150 ms, p99 delivery < 300 ms, 0 errors, 0 lost): "
          f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
