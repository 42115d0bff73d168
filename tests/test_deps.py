"""Request dependencies under a crowd: sessions give their connections back."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import aiohttp

from app.models import Workshop
from tests.live import ServerProcess


def test_a_room_opening_the_join_page_at_once_does_not_stall(
        live_server: ServerProcess, live_workshop: Workshop) -> None:
    """150 phones scan the QR code in the same moment: more than the worker threads (40) and
    the connection pool (SQLite 30, PostgreSQL 20). Each request's session was closed on a
    worker thread, which every thread waiting for a connection kept busy: all of them stalled
    until the pool's 30 s timeout."""

    async def crowd() -> list[int | str]:
        timeout = aiohttp.ClientTimeout(total=20)
        async with aiohttp.ClientSession(timeout=timeout,
                                         connector=aiohttp.TCPConnector(limit=0)) as client:
            async def scan() -> int | str:
                try:
                    async with client.get(
                            f"{live_server.base_url}/j/{live_workshop.join_code}") as response:
                        await response.read()
                        return response.status
                except TimeoutError:
                    return "timeout"

            return await asyncio.gather(*(scan() for _ in range(150)))

    # A thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, crowd()).result() == [200] * 150


def test_a_room_joining_at_once_does_not_stall(
        live_server: ServerProcess, live_workshop: Workshop) -> None:
    """300 phones send the join form in the same moment, 100 at a time, and open their
    group's page, as `scripts/bench_load.py --via phone` does. A request holds its connection
    from its first query (a dependency, on one worker thread) to its end, also while it
    waits for the next thread for its route: with more such requests than the pool holds, all
    40 threads waited for connections that only requests waiting for threads gave back."""
    base, code = live_server.base_url, live_workshop.join_code

    async def crowd() -> list[int | str]:
        timeout = aiohttp.ClientTimeout(total=25)
        gate = asyncio.Semaphore(100)
        async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(),
                                         connector=aiohttp.TCPConnector(limit=0)) as client:
            async def join() -> int | str:
                try:
                    async with gate:
                        async with client.post(f"{base}/j/{code}", data={"name": ""},
                                               headers={"Origin": base},
                                               allow_redirects=False) as response:
                            cookie = response.cookies["zk_participant"].value
                        async with client.get(f"{base}/w/{live_workshop.slug}/me/hf1",
                                              headers={"Cookie": f"zk_participant={cookie}"}
                                              ) as response:
                            await response.read()
                            return response.status
                except TimeoutError:
                    return "timeout"

            return await asyncio.gather(*(join() for _ in range(300)))

    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, crowd()).result() == [200] * 300
