"""Remember a language chosen with `?lang=` in a cookie (a plain ASGI middleware).

Starlette's `@app.middleware("http")` would pass every response, live streams included,
through a task group and memory streams; this one only looks at the response's start.
"""

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.deps import LOCALE_COOKIE
from app.web.templating import LOCALES

ONE_YEAR = 365 * 86400


class RememberLocale:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or b"lang=" not in scope.get("query_string", b""):
            await self.app(scope, receive, send)
            return
        wanted = parse_qs(scope["query_string"].decode("latin-1")).get("lang", [""])[0]
        if wanted not in LOCALES or _cookie(scope, LOCALE_COOKIE) == wanted:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", f"{LOCALE_COOKIE}={wanted}; Max-Age={ONE_YEAR}; "
                                             "Path=/; SameSite=lax")
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(name)
            if morsel is not None:
                return morsel.value
    return None
