"""Load benchmark: N participants join and post while K boards follow the live stream.

Usage: python scripts/bench_load.py [--participants 1000] [--boards 10] [--seconds 20]
       [--interval 10] [--burst 5] [--database sqlite|postgresql] [--workers 1]

With `--database postgresql` the server runs on a throwaway PostgreSQL cluster (fsync on, as
in production) and `--workers N` starts N server processes on one port (`zukunft serve
--workers N`); boards then follow cards posted to other processes through LISTEN/NOTIFY.

Each participant posts one card every `interval` seconds for `seconds`, then all post once more
within the same `burst` seconds (the timer ran out). Every board is a projector board as in the
room: it loads `/w/{slug}/board/{field}` and follows the live stream that page names, over the
Handlungsfelder in turn. Prints join/post latency percentiles (steady and burst), post-to-board
delivery percentiles (every card at every board of its field), errors by status, a ledger check
(every 201 stored, delivered to every board of its field exactly once), and the throughput of
the same load against a minimal endpoint of the stack as a ceiling, and the CPU time per card
of the server, the database and the generator itself. The generator is aiohttp: at 0.7 ms of
CPU per card it leaves the cores to the server (httpx needed 2–4 ms, and under a backlog it
slowed the burst down by itself, hiding how the server copes).
"""

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import db as database  # noqa: E402
from tests.factories import make_workshop  # noqa: E402
from tests.live import ServerProcess, describe, start_server  # noqa: E402


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    return (f"{name:<24} p50 {pct(values, .5):7.1f}  p95 {pct(values, .95):7.1f}  "
            f"p99 {pct(values, .99):7.1f}  max {max(values or [0]):7.1f} ms  n={len(values)}")


def tree_cpu(root: int | None) -> float:
    """CPU seconds used so far by a process and all its descendants (ended ones included)."""
    if root is None:
        return 0.0
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


CARD_ID = re.compile(r'id="card-(\d+)"')
STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=10)  # a stream lasts the whole run
MY_CARD = re.compile(r'id="my-card-(\d+)"')  # a phone's own cards, newest first
STREAM_URL = re.compile(r'sse-connect="([^"]+)"')


async def board(base: str, page: str, received: dict[int, list[float]], ready: asyncio.Event,
                stop: asyncio.Event) -> None:
    """A projector board: the page, then the stream it names (which starts after the page)."""
    async with aiohttp.ClientSession(base_url=base, timeout=STREAM_TIMEOUT) as client:
        async with client.get(page) as response:
            html = await response.text()
        match = STREAM_URL.search(html)
        assert match, f"no live stream on {page}"
        await follow(client, match.group(1), received, ready, stop)


async def follow(client: aiohttp.ClientSession, url: str, received: dict[int, list[float]],
                 ready: asyncio.Event, stop: asyncio.Event, headers: dict[str, str] | None = None
                 ) -> None:
    """Read a live stream; note when each new card arrives."""
    async with client.get(url.replace("&amp;", "&"), headers=headers,
                          timeout=STREAM_TIMEOUT) as response:
        ready.set()
        event = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif (line.startswith("data:") and event.startswith("card-new-")
                  and (found := CARD_ID.search(line))):
                received[int(found.group(1))].append(time.perf_counter())
            if stop.is_set():
                return


GROUP_PANEL = re.compile(r'<div class="group-cards" hx-get="([^"]+)"')


@dataclass
class Phone:
    """A participant's phone as the room has it: joined through the QR code's pages, on the
    page of one Handlungsfeld, following the live streams that page names – and, if it opened
    the "Karten der Gruppe" panel, the stream of the group's cards that the panel loads."""

    index: int
    field: str
    headers: dict[str, str]
    streams: list[str]
    cards_stream: str | None = None  # the group's cards, when the panel is open


async def run(server: ServerProcess, participants: int, boards: int, seconds: float,
              interval: float, burst: float, database_pid: int | None, via: str,
              open_panel: float = 0.25) -> dict[str, object]:
    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
    db.dispose()
    base = server.base_url
    api = f"{base}/api/v1/workshops/{workshop.slug}"
    # Idle connections are dropped before the server's keep-alive timeout (5 s) would close
    # them under a request that is just being sent. Phones keep their own cookie.
    connector = aiohttp.TCPConnector(limit=200, keepalive_timeout=4)
    client = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10),
                                   cookie_jar=aiohttp.DummyCookieJar())
    statuses: Counter[str] = Counter()
    join_ms: list[float] = []
    semaphore = asyncio.Semaphore(100)
    fields = ["hf1", "hf2", "hf3", "hf4", "hf5"]

    async def join_api(index: int) -> str | None:
        async with client.post(f"{base}/api/v1/join",
                               json={"code": workshop.join_code}) as response:
            answer = await response.json()
            statuses[f"join {response.status}"] += 1
        token: str | None = answer.get("participant_token")
        return token

    async def join_phone(index: int) -> Phone | None:
        # The QR code's page, the join form (as a browser sends it), then the field's page.
        origin = {"Origin": base}
        async with client.get(f"{base}/j/{workshop.join_code}") as response:
            await response.read()
        async with client.post(f"{base}/j/{workshop.join_code}", data={"name": ""},
                               headers=origin, allow_redirects=False) as response:
            statuses[f"join {response.status}"] += 1
            cookie = response.cookies.get("zk_participant")
        if cookie is None:
            return None
        phone = Phone(index, fields[index % len(fields)],
                      {**origin, "Cookie": f"zk_participant={cookie.value}"}, [])
        async with client.get(f"{base}/w/{workshop.slug}/me/{phone.field}",
                              headers=phone.headers) as response:
            page = await response.text()
        phone.streams = STREAM_URL.findall(page)
        panel = GROUP_PANEL.search(page)
        if panel and index < participants * open_panel:  # this phone opens the panel
            async with client.get(base + panel.group(1).replace("&amp;", "&"),
                                  headers={**phone.headers, "HX-Request": "true"}) as response:
                found = STREAM_URL.search(await response.text())
            assert found, "no live stream in the group's panel"
            phone.cards_stream = found.group(1)
        return phone

    async def join(index: int) -> str | Phone | None:
        async with semaphore:
            started = time.perf_counter()
            try:
                who = await (join_phone(index) if via == "phone" else join_api(index))
            except (aiohttp.ClientError, TimeoutError) as exc:
                statuses[type(exc).__name__] += 1
                return None
            join_ms.append((time.perf_counter() - started) * 1000)
            return who

    people = [who for who in await asyncio.gather(*(join(i) for i in range(participants)))
              if who is not None]
    # Boards per field: the 1st, 6th, … board shows hf1, the 2nd, 7th, … hf2, and so on.
    boards_of = Counter(fields[i % len(fields)] for i in range(boards))
    received: dict[int, list[float]] = defaultdict(list)
    on_phones: dict[int, list[float]] = defaultdict(list)
    phones_of: Counter[str] = Counter()
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in range(boards)]
    tasks = [asyncio.create_task(board(
        base, f"/w/{workshop.slug}/board/{fields[i % len(fields)]}", received, ready, stop))
        for i, ready in enumerate(readies)]
    phone_client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         cookie_jar=aiohttp.DummyCookieJar())
    for phone in people:
        if isinstance(phone, Phone):
            # Delivery is measured at the phones that show the group's cards: the page's own
            # streams carry where the room is (phase, timer, posting), not cards.
            if phone.cards_stream:
                phones_of[phone.field] += 1
            for url in [*phone.streams, *filter(None, [phone.cards_stream])]:
                readies.append(ready := asyncio.Event())
                tasks.append(asyncio.create_task(follow(
                    phone_client, base + url, on_phones, ready, stop, phone.headers)))
    for ready in readies:
        await ready.wait()
    # The room settles: every stream has replayed what it missed (1,000 phones connecting in
    # the same second keep the server busy for a while). Posting starts once the server is
    # idle (under a fifth of a core for a second), at most after a minute.
    server_pid = server.process.pid if server.process else None
    settle_started = time.perf_counter()
    while time.perf_counter() - settle_started < 60:
        before = tree_cpu(server_pid)
        await asyncio.sleep(1)
        if tree_cpu(server_pid) - before < 0.2:
            break
    settled = time.perf_counter() - settle_started
    sent: dict[int, tuple[float, str]] = {}
    post_ms: list[float] = []
    burst_ms: list[float] = []

    async def send_api(token: str, n: int) -> tuple[int, int | None, str]:
        field = random.choice(fields)
        async with client.post(
                f"{api}/cards", headers={"Authorization": f"Bearer {token}"},
                json={"field": field, "category": "ideas", "text": f"Karte {n}",
                      "client_id": f"c{n}"}) as response:
            answer = await response.json()
        return response.status, answer.get("id"), field

    async def send_phone(phone: Phone, n: int) -> tuple[int, int | None, str]:
        async with client.post(
                f"{base}/w/{workshop.slug}/me/{phone.field}",
                headers={**phone.headers, "HX-Request": "true"},
                data={"text": f"Karte {phone.index}-{n}", "category": "ideas",
                      "client_id": f"c{phone.index}-{n}"}) as response:
            found = MY_CARD.search(await response.text())
        return response.status, int(found.group(1)) if found else None, phone.field

    async def post(who: str | Phone, n: int, latencies: list[float] = post_ms,
                   counter: Counter[str] = statuses) -> None:
        started = time.perf_counter()
        try:
            status, card, field = await (send_phone(who, n) if isinstance(who, Phone)
                                         else send_api(who, n))
        except (aiohttp.ClientError, TimeoutError) as exc:
            counter[type(exc).__name__] += 1
            return
        latencies.append((time.perf_counter() - started) * 1000)
        counter[f"post {status}"] += 1
        if status == 201 and card is not None:
            sent[card] = (started, field)

    async def participant(who: str | Phone) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        n = 0
        while time.perf_counter() < end:
            n += 1
            await post(who, n)
            await asyncio.sleep(interval)
        # The timer ran out: everyone sends within the same few seconds.
        await asyncio.sleep(max(0.0, burst_at - time.perf_counter()) + random.uniform(0, burst))
        await post(who, n + 1, burst_ms)

    cpu_before = (tree_cpu(server_pid), tree_cpu(database_pid), time.process_time())
    started = time.perf_counter()
    end = started + seconds
    burst_at = end + interval
    await asyncio.gather(*(participant(who) for who in people))
    elapsed = time.perf_counter() - started
    cpu = [after - before for before, after in zip(
        cpu_before, (tree_cpu(server_pid), tree_cpu(database_pid), time.process_time()),
        strict=True)]
    await asyncio.sleep(2)  # let the last events arrive
    async with client.get(f"{api}/cards") as response:
        stored = {c["id"] for c in await response.json()}

    def ledger(at: dict[int, list[float]], expected: Counter[str]
               ) -> tuple[list[float], int, int]:
        """Latencies to every reader of the card's field, and how many missed it or got it twice."""
        latencies = [(t - sent[card][0]) * 1000 for card, times in at.items() if card in sent
                     for t in times]
        missing = sum(max(0, expected[field] - len(at.get(card, [])))
                      for card, (_, field) in sent.items())
        twice = sum(max(0, len(at.get(card, [])) - expected[field])
                    for card, (_, field) in sent.items())
        return latencies, missing, twice

    delivery, missing, duplicates = ledger(received, boards_of)
    phone_delivery, phones_missing, phones_twice = ledger(on_phones, phones_of)
    lost = [card for card in sent if card not in stored]
    cards = len(sent)

    # The ceiling: as many requests as fast as the generator sends them (100 at a time), to a
    # minimal endpoint of the same stack and to the card endpoint, the boards (and phones)
    # still following their streams.
    async def ping() -> None:
        async with semaphore, client.get(f"{base}/api/v1/ping") as response:
            await response.read()

    async def post_at_once(i: int) -> None:
        async with semaphore:
            await post(people[i % len(people)], 10_000 + i, ceiling_posts, ceiling_statuses)

    ping_started = time.perf_counter()
    await asyncio.gather(*(ping() for _ in range(cards)))
    ping_elapsed = time.perf_counter() - ping_started
    ceiling_posts: list[float] = []
    ceiling_statuses: Counter[str] = Counter()
    post_started = time.perf_counter()
    await asyncio.gather(*(post_at_once(i) for i in range(cards)))
    post_elapsed = time.perf_counter() - post_started
    stop.set()
    for task in tasks:
        task.cancel()
    await phone_client.close()
    await client.close()
    return {"join": join_ms, "post": post_ms, "burst": burst_ms, "delivery": delivery,
            "phone_delivery": phone_delivery, "phones_missing": phones_missing,
            "phones_twice": phones_twice, "streams": len(readies), "settled": settled,
            "statuses": statuses, "ceiling_statuses": ceiling_statuses,
            "lost": len(lost), "missing": missing, "duplicates": duplicates,
            "cards": cards, "elapsed": elapsed, "cpu": cpu,
            "ceiling_rps": cards / ping_elapsed,
            "post_rps": len(ceiling_posts) / post_elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--burst", type=float, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--via", choices=("api", "phone"), default="api",
                        help="api: join and post through the JSON API; phone: as the phones in "
                        "the room do (join pages, the field's page and its two live streams, "
                        "the htmx form)")
    parser.add_argument("--open-panel", type=float, default=0.25, metavar="SHARE",
                        help="--via phone: the share of phones that open the group's panel "
                        "and follow its cards (default 0.25; 1 for all)")
    args = parser.parse_args()
    if args.workers > 1 and args.database == "sqlite":
        parser.error("--workers > 1 needs --database postgresql")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        server, database_pid = start_server(stack, Path(tmp), "bench-secret",
                                            database=args.database, workers=args.workers,
                                            CARDS_PER_MINUTE="1000000",
                                            JOINS_PER_ADDRESS="1000000")
        result = asyncio.run(run(server, args.participants, args.boards, args.seconds,
                                 args.interval, args.burst, database_pid, args.via,
                                 args.open_panel))
    steady, burst, delivery = result["post"], result["burst"], result["delivery"]
    assert isinstance(steady, list) and isinstance(burst, list) and isinstance(delivery, list)
    post = steady + burst
    phones = args.via == "phone"
    print(f"Load: {args.participants} participants "
          + (f"on phones (join pages, htmx form, live streams; {args.open_panel:.0%} with the "
             "group's cards open)" if phones else "through the API")
          + f", {args.boards} boards, {describe(args.database, args.workers)}; "
          f"{result['cards']} cards in {result['elapsed']:.0f} s; {result['streams']} streams, "
          f"idle {result['settled']:.0f} s after they connected")
    print(summary("join", result["join"]))  # type: ignore[arg-type]
    print(summary("post, steady", steady))
    print(summary("post, burst", result["burst"]))  # type: ignore[arg-type]
    print(summary("post, all", post))
    print(summary("post → every board", delivery))
    phone_delivery = result["phone_delivery"]
    assert isinstance(phone_delivery, list)
    if phones:
        print(summary("post → every phone", phone_delivery))
    print(f"statuses: {dict(result['statuses'])}")  # type: ignore[call-overload]
    server_cpu, database_cpu, generator_cpu = result["cpu"]  # type: ignore[misc]
    cards = int(result["cards"])  # type: ignore[call-overload]
    print(f"CPU per card while posting: server {server_cpu / cards * 1000:.1f} ms, "
          f"database {database_cpu / cards * 1000:.1f} ms, load generator "
          f"{generator_cpu / cards * 1000:.1f} ms (SQLite: inside the server)")
    print(f"ledger: lost {result['lost']}, not delivered {result['missing']}, "
          f"delivered twice {result['duplicates']}"
          + (f"; phones: not delivered {result['phones_missing']}, delivered twice "
             f"{result['phones_twice']}" if phones else ""))
    ratio = float(result["post_rps"]) / float(result["ceiling_rps"])  # type: ignore[arg-type]
    print(f"throughput: posts {result['post_rps']:.0f}/s vs. minimal endpoint "
          f"{result['ceiling_rps']:.0f}/s = {ratio:.0%} of the stack's ceiling "
          f"({dict(result['ceiling_statuses'])})")  # type: ignore[call-overload]
    met = (pct(post, .99) < 150 and pct(delivery, .99) < 300 and result["lost"] == 0
           and result["missing"] == 0
           and (not phones or (pct(phone_delivery, .99) < 300 and result["phones_missing"] == 0))
           and all(k.endswith(("200", "201", "303")) for k in result["statuses"]))  # type: ignore[attr-defined]
    readers = " to boards and phones" if phones else ""
    print(f"target (p99 post < 150 ms, p99 delivery < 300 ms{readers}, 0 errors, 0 lost): "
          f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
