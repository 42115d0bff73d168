"""Request body limit: a body larger than allowed gets 413 before anything reads it whole."""

import asyncio
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _detail(max_bytes: int) -> str:
    return f"Die Anfrage ist zu groß (höchstens {max_bytes // 1024} KB). Bitte kürzen Sie den Text."


class BodyTooLarge(HTTPException):
    """Raised while reading a body without Content-Length; FastAPI passes HTTP errors through."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=_detail(max_bytes))


UPLOAD_SUFFIXES = ("/import", "/import/confirm")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.body_bytes = max_bytes
        self.upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # File imports may be larger than any form or card; everything else stays small.
        upload = scope["path"].endswith(UPLOAD_SUFFIXES)
        limit = self.upload_bytes if upload else self.body_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._reject(scope, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, send, limit)

    @staticmethod
    async def _reject(scope: Scope, send: Send, limit: int) -> None:
        detail = _detail(limit)
        if scope["path"].startswith("/api/"):
            body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
            content_type = b"application/json"
        else:
            body = f"<!doctype html><html lang=de><title>Zu groß</title><p>{detail}</p>".encode()
            content_type = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", content_type),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class WriteGate:
    """At most `slots` state-changing requests at once; the rest wait without holding a thread.

    Sync routes run in a pool of worker threads, and a write transaction may start in one of a
    route's dependencies and end in the route. If every worker thread waited for the database's
    single writer, the writer could not get a thread to finish: a stall. Keeping the number of
    writes in flight well below the pool size rules that out; waiting requests cost nothing.
    """

    def __init__(self, app: ASGIApp, slots: int = 8) -> None:
        self.app = app
        self.slots = slots
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        async with self._semaphore:
            await self.app(scope, receive, send)
