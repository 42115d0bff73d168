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
