"""Request bodies: read whole, within a size and a time limit, before the app sees them.

A phone on a weak rural connection sends its card slowly; a hostile client may send a byte a
minute. Either way nothing in the app waits for a body: by the time a route runs (and opens a
database session, takes a turn to write) the body has arrived. A body larger than allowed gets
413 before it is read; one that stalls gets 408.
"""

import asyncio
import json
import re
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import N_
from app.photos import MAX_UPLOAD_BYTES
from app.web.deps import locale_of
from app.web.templating import translations

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
UPLOAD_SUFFIXES = ("/import", "/import/confirm")
# A workshop's definition (TOML or JSON) may hold many themes and surveys: an upload too.
DEFINITION_PATHS = ("/api/v1/workshops", "/admin/workshops/new")
DEFINITION_SUFFIX = "/definition"
# A photo or logo as it comes from a phone (app/photos.py refuses more than 20 MB with a message
# beside its form: the margin lets a slightly larger one reach it).
# Only the three upload addresses, and only for a client that carries a sign-in (a cookie or a
# token; checked for real by the route): an anonymous client never sends megabytes.
PHOTO_PATH = re.compile(r"^(/w/[^/]+(/facilitate/[^/]+)?/photos|/admin/workshops/[^/]+/logos)$")
PHOTO_BYTES = MAX_UPLOAD_BYTES + 5 * 1024 * 1024
PHOTO_TIME_FACTOR = 5


_TOO_LARGE = N_("Die Anfrage ist zu groß (höchstens {kb} KB). Bitte kürzen Sie den Text.")
_TOO_SLOW = N_("Die Anfrage kam zu langsam an; die Verbindung ist wohl gerade schwach. Bitte "
               "senden Sie sie noch einmal.")


class BodyReader:
    """Reads a request's body completely before passing the request on.

    `idle_seconds`: the longest pause between two parts of a body; `total_seconds`: the whole
    body. Generous for a phone that sends two kilobytes over a weak signal, short enough that a
    client that holds a body open ties up nothing but its own connection.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int,
                 idle_seconds: float = 15.0, total_seconds: float = 60.0) -> None:
        self.app = app
        self.body_bytes = max_bytes
        self.upload_bytes = max_upload_bytes
        self.idle_seconds = idle_seconds
        self.total_seconds = total_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        # File imports may be larger than any form or card; everything else stays small. The
        # import's second step sends the file's text back, decoded to UTF-8 (umlauts of a
        # Windows-1252 file take two bytes there).
        path = scope["path"]
        upload = (path.endswith((UPLOAD_SUFFIXES[0], DEFINITION_SUFFIX))
                  or path in DEFINITION_PATHS
                  # the form editor holds the whole definition too (every theme of every field)
                  or (path.startswith("/admin/workshops/") and path.endswith("/edit")))
        headers = dict(scope["headers"])
        photo = bool(PHOTO_PATH.match(path)) and (b"cookie" in headers
                                                  or b"authorization" in headers)
        limit = (PHOTO_BYTES if photo else
                 2 * self.upload_bytes if path.endswith(UPLOAD_SUFFIXES[1]) else
                 self.upload_bytes if upload else self.body_bytes)
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _reject(scope, send, 413, _TOO_LARGE, kb=limit // 1024)
            return
        parts: list[bytes] = []
        received = 0
        # 20 MB over venue Wi-Fi take minutes; a pause of idle_seconds still ends it.
        deadline = time.monotonic() + self.total_seconds * (
            PHOTO_TIME_FACTOR if photo else 1)
        while True:
            wait = min(self.idle_seconds, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0))
            except TimeoutError:
                await _reject(scope, send, 408, _TOO_SLOW)
                return
            if message["type"] == "http.disconnect":
                return  # the client gave up; nobody is waiting for an answer
            parts.append(message.get("body", b""))
            received += len(parts[-1])
            if received > limit:
                await _reject(scope, send, 413, _TOO_LARGE, kb=limit // 1024)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only the disconnect is left to learn

        await self.app(scope, replay, send)


async def _reject(scope: Scope, send: Send, status: int, message: str, **values: int) -> None:
    """The refusal in the language the person chose (`?lang=`, the cookie)."""
    locale = locale_of(Request(scope))
    gettext = translations(locale).gettext
    detail = gettext(message).format(**values)
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        title = gettext("Zu groß") if status == 413 else gettext("Zu langsam")
        body = (f"<!doctype html><html lang={locale}><meta charset=utf-8><title>{title}</title>"
                f"<p>{detail}</p>").encode()
        content_type = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
